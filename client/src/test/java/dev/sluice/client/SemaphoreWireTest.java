package dev.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.client.FakeServer.Reply;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** What the SDK sends and how it reads the answers (SPEC §3), against canned responses. */
class SemaphoreWireTest {
    static final String VIEW = """
            {"name":"payments","limit":10,"channelLimit":2,"leaseTimeout":"PT5M","paused":false,
             "delivery":{"mode":"webhook","url":"https://example.com/hook","timeout":"PT10S","releaseOnSuccess":true},
             "retry":{"maxAttempts":5,"initialBackoff":"PT1S","maxBackoff":"5m","onExhausted":{"forward":"payments-slow"}},
             "onLeaseExpired":"deadletter",
             "state":{"inUse":3,"waiting":7,"inflight":1,"dead":2,"pausedChannels":["eu"]},
             "somethingNew":{"x":1}}
            """;

    private FakeServer server;
    private Sluice sluice;
    private Semaphore pay;

    @BeforeEach
    void setUp() throws Exception {
        server = new FakeServer();
        sluice = Sluice.builder().baseUrl(server.url() + "/").apiKey("sk-test").build();
        pay = sluice.semaphore("payments");
    }

    @AfterEach
    void tearDown() {
        sluice.close();
        server.close();
    }

    private static String permit(String id, long token, String expiresAt) {
        return "{\"permitId\":\"" + id + "\",\"fencingToken\":" + token + ",\"channel\":\"default\",\"expiresAt\":"
                + (expiresAt == null ? "null" : "\"" + expiresAt + "\"") + "}";
    }

    @Test
    void readsTheSemaphoreViewLeniently() {
        server.on("GET", "/v1/semaphores/payments", Reply.json(200, VIEW));

        SemaphoreView v = pay.state();

        assertThat(v.name()).isEqualTo("payments");
        assertThat(v.limit()).isEqualTo(10);
        assertThat(v.channelLimit()).isEqualTo(2);
        assertThat(v.leaseTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(v.untimed()).isFalse();
        assertThat(v.paused()).isFalse();
        assertThat(v.delivery()).isEqualTo(Delivery.webhook(URI.create("https://example.com/hook"), Duration.ofSeconds(10), true));
        assertThat(v.retry()).isEqualTo(RetryPolicy.forwardAfter(5, Duration.ofSeconds(1), Duration.ofMinutes(5), "payments-slow"));
        assertThat(v.onLeaseExpired()).isEqualTo(LeaseExpiryAction.DEADLETTER);
        assertThat(v.state()).isEqualTo(new SemaphoreView.State(3, 7, 1, 2, List.of("eu")));
        assertThat(v.raw().get("somethingNew").get("x").asInt()).isEqualTo(1);
    }

    @Test
    void readsAnUntimedMinimalView() {
        server.on("GET", "/v1/semaphores/payments", Reply.json(200, "{\"name\":\"payments\",\"limit\":0,\"leaseTimeout\":null}"));

        SemaphoreView v = pay.state();

        assertThat(v.untimed()).isTrue();
        assertThat(v.leaseTimeout()).isNull();
        assertThat(v.delivery()).isNull();
        assertThat(v.state()).isEqualTo(new SemaphoreView.State(0, 0, 0, 0, List.of()));
    }

    @Test
    void sendsTheApiKeyAndJson() {
        server.on("PUT", "/v1/semaphores/payments", Reply.json(201, VIEW));

        pay.create(10);

        FakeServer.Request r = server.requests.getFirst();
        assertThat(r.header("Authorization")).isEqualTo("Bearer sk-test");
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(r.header("User-Agent")).startsWith("sluice-java/");
        assertThat(r.body().toString()).isEqualTo("{\"limit\":10}");
    }

    @Test
    void createWithAFullConfigPutsEveryField() {
        server.on("PUT", "/v1/semaphores/payments", Reply.json(200, VIEW));

        pay.create(SemaphoreConfig.builder(10).channelLimit(2).untimed().paused(true)
                .delivery(Delivery.webhook(URI.create("https://example.com/hook")))
                .retry(RetryPolicy.deadLetterAfter(3, Duration.ofSeconds(1), Duration.ofSeconds(30)))
                .onLeaseExpired(LeaseExpiryAction.RETRY)
                .extra("description", "partner API")
                .build());

        JsonNode body = server.requests.getFirst().body();
        assertThat(body.toString()).isEqualTo("{\"limit\":10,\"channelLimit\":2,\"leaseTimeout\":null,\"paused\":true,"
                + "\"delivery\":{\"mode\":\"webhook\",\"url\":\"https://example.com/hook\",\"releaseOnSuccess\":false},"
                + "\"retry\":{\"maxAttempts\":3,\"initialBackoff\":\"PT1S\",\"maxBackoff\":\"PT30S\",\"onExhausted\":\"deadletter\"},"
                + "\"onLeaseExpired\":\"retry\",\"description\":\"partner API\"}");
    }

    @Test
    void configOperations() {
        server.on("PATCH", "/v1/semaphores/payments", Reply.json(200, VIEW));
        server.on("POST", "/v1/semaphores/payments/(pause|resume)", Reply.json(200, VIEW));
        server.on("DELETE", "/v1/semaphores/payments", Reply.empty(204));

        pay.setLimit(20);
        pay.update(Map.of("channelLimit", 4));
        pay.pause();
        pay.pause("eu");
        pay.resume("eu");
        pay.resume();
        pay.delete();
        pay.delete(true);

        assertThat(server.requests).extracting(r -> r.method() + " " + r.path()
                        + (r.query() == null ? "" : "?" + r.query()) + " " + r.body())
                .containsExactly(
                        "PATCH /v1/semaphores/payments {\"limit\":20}",
                        "PATCH /v1/semaphores/payments {\"channelLimit\":4}",
                        "POST /v1/semaphores/payments/pause {}",
                        "POST /v1/semaphores/payments/pause {\"channel\":\"eu\"}",
                        "POST /v1/semaphores/payments/resume {\"channel\":\"eu\"}",
                        "POST /v1/semaphores/payments/resume {}",
                        "DELETE /v1/semaphores/payments null",
                        "DELETE /v1/semaphores/payments?force=true null");
    }

    @Test
    void deleteOfABusySemaphoreIsAConflict() {
        server.on("DELETE", "/v1/semaphores/payments", Reply.problem(409, "conflict", "3 permits are held"));

        assertThatThrownBy(() -> pay.delete()).isInstanceOf(ConflictException.class).hasMessage("3 permits are held");
    }

    @Test
    void tryAcquireGrantsOrReturnsEmpty() {
        server.on("POST", "/v1/semaphores/payments/permits", Reply.json(201, permit("p-1", 41, null)));
        server.on("DELETE", "/v1/semaphores/payments/permits/p-1", Reply.empty(204));

        Optional<Permit> p = pay.tryAcquire(AcquireOptions.defaults().withChannel("eu").withLeaseTimeout(Duration.ofSeconds(90)));

        assertThat(p).get().satisfies(permit -> {
            assertThat(permit.permitId()).isEqualTo("p-1");
            assertThat(permit.fencingToken()).isEqualTo(41);
            assertThat(permit.channel()).isEqualTo("default");
            assertThat(permit.expiresAt()).isEmpty();
            assertThat(permit.isValid()).isTrue();
        });
        assertThat(server.requests.getFirst().body().toString()).isEqualTo("{\"channel\":\"eu\",\"leaseTimeout\":\"PT1M30S\"}");

        server.on("POST", "/v1/semaphores/payments/permits", Reply.problem(429, "limit_reached", "10 of 10 in use"));
        assertThat(pay.tryAcquire()).isEmpty();
        server.on("POST", "/v1/semaphores/payments/permits", Reply.problem(429, "paused", "paused"));
        assertThat(pay.tryAcquire()).isEmpty();
        server.on("POST", "/v1/semaphores/payments/permits", Reply.problem(404, "not_found", "no semaphore"));
        assertThatThrownBy(() -> pay.tryAcquire()).isInstanceOf(NotFoundException.class);
        p.get().close();
    }

    @Test
    void acquireWaitsOnTheServerAndThrowsWhenTheWaitElapses() throws Exception {
        server.on("POST", "/v1/semaphores/payments/permits", Reply.problem(429, "limit_reached", "wait elapsed"));

        assertThatThrownBy(() -> pay.acquire(Duration.ofSeconds(30))).isInstanceOf(LimitReachedException.class);
        assertThat(server.requests.getFirst().body().toString()).isEqualTo("{\"wait\":\"PT30S\"}");
        assertThatThrownBy(() -> pay.acquire(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);

        server.on("POST", "/v1/semaphores/payments/permits", Reply.json(201, permit("p-2", 7, null)));
        server.on("DELETE", "/v1/semaphores/payments/permits/p-2", Reply.empty(204));
        try (Permit p = pay.acquire(Duration.ofMillis(1500))) {
            assertThat(p.fencingToken()).isEqualTo(7);
        }
        assertThat(server.requests.get(1).body().toString()).isEqualTo("{\"wait\":\"PT1.5S\"}");
        assertThat(server.requests("DELETE", ".*/permits/p-2")).hasSize(1);
    }

    @Test
    void submitSendsThePayloadAndOptions() {
        server.on("POST", "/v1/semaphores/payments/jobs", Reply.json(202, "{\"jobId\":\"j-1\",\"state\":\"waiting\",\"position\":4}"));

        JobRef ref = pay.submit(Map.of("order", 42),
                SubmitOptions.defaults().withChannel("eu").withPriority(5).withIdempotencyKey("order-42"));

        assertThat(ref).isEqualTo(new JobRef("j-1", JobState.WAITING, 4L, false));
        assertThat(server.requests.getFirst().body().toString())
                .isEqualTo("{\"payload\":{\"order\":42},\"channel\":\"eu\",\"priority\":5,\"idempotencyKey\":\"order-42\"}");

        server.on("POST", "/v1/semaphores/payments/jobs", Reply.json(200, "{\"jobId\":\"j-1\",\"state\":\"inflight\"}"));
        assertThat(pay.submitAsync("again").join()).isEqualTo(new JobRef("j-1", JobState.INFLIGHT, null, true));

        server.on("POST", "/v1/semaphores/payments/jobs", Reply.problem(413, "payload_too_large", "262145 > 262144 bytes"));
        assertThatThrownBy(() -> pay.submit("x".repeat(10))).isInstanceOf(PayloadTooLargeException.class);
    }

    @Test
    void jobAdministration() {
        String job = "{\"jobId\":\"j-1\",\"state\":\"dead\",\"channel\":\"default\",\"priority\":0,\"attempts\":5,"
                + "\"payload\":{\"order\":42},\"lastError\":\"boom\",\"createdAt\":\"2025-01-01T00:00:00Z\"}";
        server.on("GET", "/v1/semaphores/payments/jobs/j-1", Reply.json(200, job));
        server.on("POST", "/v1/semaphores/payments/jobs/j-1/(cancel|requeue|reschedule)",
                Reply.json(200, job.replace("dead", "waiting")));
        server.on("POST", "/v1/semaphores/payments/dead-letters/redrive", Reply.json(200, "{\"redriven\":3}"));
        server.on("DELETE", "/v1/semaphores/payments/jobs", Reply.json(200, "{\"deleted\":12}"));

        JobView v = pay.job("j-1");
        assertThat(v.jobId()).isEqualTo("j-1");
        assertThat(v.state()).isEqualTo(JobState.DEAD);
        assertThat(v.attempts()).isEqualTo(5);
        assertThat(v.lastError()).isEqualTo("boom");
        assertThat(v.payload().get("order").asInt()).isEqualTo(42);
        assertThat(v.createdAt()).isEqualTo(Instant.parse("2025-01-01T00:00:00Z"));
        assertThat(pay.cancel("j-1").state()).isEqualTo(JobState.WAITING);
        assertThat(pay.requeue("j-1").state()).isEqualTo(JobState.WAITING);
        assertThat(pay.reschedule("j-1").state()).isEqualTo(JobState.WAITING);
        assertThat(pay.redrive()).isEqualTo(3);
        assertThat(pay.redrive(List.of("j-1", "j-2"), RedrivePosition.ORIGINAL)).isEqualTo(3);
        assertThat(pay.purge()).isEqualTo(12);

        assertThat(server.requests).extracting(r -> r.method() + " " + r.path()
                        + (r.query() == null ? "" : "?" + r.query()) + (r.body() == null ? "" : " " + r.body()))
                .containsExactly(
                        "GET /v1/semaphores/payments/jobs/j-1",
                        "POST /v1/semaphores/payments/jobs/j-1/cancel {}",
                        "POST /v1/semaphores/payments/jobs/j-1/requeue {}",
                        "POST /v1/semaphores/payments/jobs/j-1/reschedule {}",
                        "POST /v1/semaphores/payments/dead-letters/redrive {}",
                        "POST /v1/semaphores/payments/dead-letters/redrive {\"jobIds\":[\"j-1\",\"j-2\"],\"position\":\"original\"}",
                        "DELETE /v1/semaphores/payments/jobs?state=waiting");
    }

    @Test
    void pagesAndStreams() {
        server.on("GET", "/v1/semaphores/payments/jobs", r -> r.query().contains("cursor=c2")
                ? Reply.json(200, "{\"items\":[{\"jobId\":\"j-3\",\"state\":\"waiting\"}],\"nextCursor\":null}")
                : Reply.json(200, "{\"items\":[{\"jobId\":\"j-1\",\"state\":\"waiting\"},{\"jobId\":\"j-2\",\"state\":\"waiting\"}],\"nextCursor\":\"c2\"}"));
        server.on("GET", "/v1/semaphores", Reply.json(200, "{\"items\":[" + VIEW + "],\"nextCursor\":null}"));

        Page<JobView> first = pay.jobs(JobState.WAITING, 2, null);
        assertThat(first.items()).extracting(JobView::jobId).containsExactly("j-1", "j-2");
        assertThat(first.hasMore()).isTrue();
        assertThat(server.requests.getFirst().query()).isEqualTo("state=waiting&limit=2");
        assertThat(pay.allJobs(JobState.WAITING)).extracting(JobView::jobId).containsExactly("j-1", "j-2", "j-3");
        assertThat(server.requests.getLast().query()).isEqualTo("state=waiting&cursor=c2");

        Page<SemaphoreView> sems = sluice.semaphores();
        assertThat(sems.items()).extracting(SemaphoreView::name).containsExactly("payments");
        assertThat(sems.hasMore()).isFalse();
        assertThat(sluice.allSemaphores()).hasSize(1);
    }

    @Test
    void namesAndIdsArePercentEncoded() {
        server.on("GET", "/v1/semaphores/.*", Reply.problem(404, "not_found", "no"));

        assertThatThrownBy(() -> sluice.semaphore("a/b c").job("x/../y")).isInstanceOf(NotFoundException.class);

        assertThat(server.requests.getFirst().path()).isEqualTo("/v1/semaphores/a%2Fb%20c/jobs/x%2F..%2Fy");
    }
}
