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

/**
 * What a real node cannot show: that the SDK reads a newer (or older) server's answers leniently,
 * sends the API key, writes fields this node refuses today (webhook delivery), and encodes names.
 * Everything else is tested against a real node.
 */
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
    void onlyABodyOverTheThresholdAsksBeforeItIsSent() {
        server.on("PUT", "/v1/semaphores/payments", Reply.json(200, VIEW));
        String large = "x".repeat(Transport.ASK_BEFORE_SENDING);

        pay.create(10);
        pay.create(SemaphoreConfig.builder(10).extra("description", large).build());

        assertThat(server.requests).hasSize(2);
        assertThat(server.requests.getFirst().header("Expect")).isNull();
        assertThat(server.requests.getLast().header("Expect")).isEqualToIgnoringCase("100-continue");
        assertThat(server.requests.getLast().body().get("description").asText()).isEqualTo(large);
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
    void namesAndIdsArePercentEncoded() {
        server.on("GET", "/v1/semaphores/.*", Reply.problem(404, "not_found", "no"));

        assertThatThrownBy(() -> sluice.semaphore("a/b c").job("x/../y")).isInstanceOf(NotFoundException.class);

        assertThat(server.requests.getFirst().path()).isEqualTo("/v1/semaphores/a%2Fb%20c/jobs/x%2F..%2Fy");
    }
}
