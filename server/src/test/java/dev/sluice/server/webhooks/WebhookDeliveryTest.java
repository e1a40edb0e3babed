package dev.sluice.server.webhooks;

import static dev.sluice.server.Api.j;
import static dev.sluice.server.webhooks.Hooks.await;
import static dev.sluice.server.webhooks.Hooks.jobs;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.Api;
import dev.sluice.server.Api.Res;
import dev.sluice.server.TestServer;
import dev.sluice.server.webhooks.Hooks.Created;
import dev.sluice.server.webhooks.Receiver.Delivery;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * SPEC §3 "Delivery of async jobs", against real HTTP processors: a {@link Receiver} on a free
 * port per test, a real Sluice node over real sockets. What the processor sees is what is checked.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WebhookDeliveryTest {
    @TempDir
    static Path dataDir;
    static TestServer server;
    static Api api;
    static Hooks hooks;

    @BeforeAll
    static void start() {
        server = TestServer.start(dataDir);
        api = server.api();
        hooks = new Hooks(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void jobsAreDeliveredInFifoOrderSignedAndCompletedOnA2xxWithReleaseOnSuccess() {
        try (Receiver receiver = Receiver.answering(200)) {
            Created s = hooks.webhook("fifo", receiver.url(), "'limit':1", "'releaseOnSuccess':true");
            assertThat(s.secret()).as("a secret is generated and shown once").startsWith("whsec_");
            List<String> enqueued = new ArrayList<>();
            for (int i = 0; i < 25; i++) {
                enqueued.add(hooks.enqueue(s.name(), "{'n':" + i + ",'text':'caf\\u00e9'}"));
            }

            hooks.awaitAll(s.name(), enqueued, "completed", 60);

            List<Delivery> got = receiver.deliveries(s.name());
            assertThat(got).extracting(Delivery::jobId).as("G4: FIFO, each once").containsExactlyElementsOf(enqueued);
            long lastToken = 0;
            for (int i = 0; i < got.size(); i++) {
                Delivery d = got.get(i);
                assertThat(d.method()).isEqualTo("POST");
                assertThat(d.path()).isEqualTo("/hook");
                assertThat(d.contentType()).isEqualTo("application/json");
                assertThat(Api.MAPPER.readTree(d.body())).isEqualTo(Api.MAPPER.readTree(j("{'n':" + i + ",'text':'café'}")));
                assertThat(d.semaphore()).isEqualTo(s.name());
                assertThat(d.attempt()).isEqualTo(1);
                assertThat(d.permitId()).startsWith("p" + d.fencingToken() + ".");
                assertThat(d.fencingToken()).as("fencing tokens grow").isGreaterThan(lastToken);
                lastToken = d.fencingToken();
                assertThat(Hooks.signatures(d.signature(), d.body(), s.secret())).as("signed by the secret only").containsExactly(true);
                assertThat(Hooks.verifies(d.signature(), d.body(), "whsec_not-the-secret")).isFalse();
            }
            assertThat(receiver.mostAtOnce()).as("limit 1").isEqualTo(1);
            JsonNode done = hooks.job(s.name(), enqueued.getFirst());
            assertThat(done.get("attempts").asInt()).isEqualTo(1);
            assertThat(done.get("deliveredAt").asString()).isNotBlank();
            assertThat(server.state(s.name()).get("inUse").asInt()).isZero();
        }
    }

    @Test
    void aTraceparentGivenAtEnqueueTravelsWithTheJobToItsDelivery() {
        try (Receiver receiver = Receiver.answering(200)) {
            Created s = hooks.webhook("trace", receiver.url(), "'limit':1", "'releaseOnSuccess':true");
            String trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
            Res r = api.send("POST", "/v1/semaphores/" + s.name() + "/jobs", j("{'payload':{'n':1}}"), "traceparent", trace);
            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            String untraced = hooks.enqueue(s.name(), "{'n':2}");

            hooks.awaitAll(s.name(), List.of(r.str("jobId"), untraced), "completed", 30);

            List<Delivery> got = receiver.deliveries(s.name());
            assertThat(got).extracting(Delivery::jobId).containsExactly(r.str("jobId"), untraced);
            assertThat(got.get(0).traceparent()).isEqualTo(trace);
            assertThat(got.get(1).traceparent()).as("no trace given, none sent").isNull();
        }
    }

    @Test
    void neverMoreDeliveriesInflightThanTheLimitCheckedByTheProcessor() throws Exception {
        int limit = 3;
        AtomicInteger open = new AtomicInteger();
        AtomicInteger mostOpen = new AtomicInteger();
        CountDownLatch firstRound = new CountDownLatch(limit);
        Map<String, String> permits = new ConcurrentHashMap<>();
        ExecutorService processors = Executors.newVirtualThreadPerTaskExecutor();
        String[] name = new String[1];
        try (Receiver receiver = Receiver.start(d -> {
            mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
            permits.put(d.jobId(), d.permitId());
            firstRound.countDown();
            // the first deliveries wait for each other: this can only go on if `limit` are delivered at once
            firstRound.await(30, TimeUnit.SECONDS);
            processors.execute(() -> {
                try {
                    Thread.sleep(5);
                    open.decrementAndGet();   // done: from here on the processor holds nothing
                    hooks.complete(name[0], d.jobId(), d.permitId());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            return 202;   // accepted: processed asynchronously, completed later
        })) {
            Created s = hooks.webhook("limit", receiver.url(), "'limit':" + limit, "");
            name[0] = s.name();
            ExecutorService clients = Executors.newFixedThreadPool(6);
            List<Future<List<String>>> sent = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int thread = t;
                sent.add(clients.submit(() -> {
                    List<String> mine = new ArrayList<>();
                    for (int i = 0; i < 10; i++) {
                        mine.add(hooks.enqueue(s.name(), "{'t':" + thread + ",'i':" + i + "}"));
                    }
                    return mine;
                }));
            }
            List<String> all = new ArrayList<>();
            for (Future<List<String>> f : sent) {
                all.addAll(f.get());
            }
            clients.shutdown();

            hooks.awaitAll(s.name(), all, "completed", 60);

            assertThat(firstRound.getCount()).as("the processor saw %d deliveries at once", limit).isZero();
            assertThat(mostOpen.get()).as("G1: never more than limit deliveries inflight at the processor").isEqualTo(limit);
            assertThat(receiver.jobIds(s.name())).containsExactlyInAnyOrderElementsOf(all);
            assertThat(permits).hasSize(all.size());
        } finally {
            processors.shutdownNow();
        }
    }

    @Test
    void failedAttemptsAreRetriedWithGrowingBackoffsThenDeadLettered() {
        try (Receiver receiver = Receiver.answering(500)) {
            int jobs = 30;
            Created s = hooks.webhook("retry", receiver.url(), "'limit':" + jobs
                    + ",'retry':{'maxAttempts':4,'initialBackoff':'200ms','maxBackoff':'10s'}", "");
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                ids.add(hooks.enqueue(s.name(), "{'i':" + i + "}"));
            }

            hooks.awaitAll(s.name(), ids, "dead", 60);

            double[] meanGap = new double[3];
            for (String id : ids) {
                List<Delivery> attempts = receiver.deliveries(s.name()).stream().filter(d -> d.jobId().equals(id)).toList();
                assertThat(attempts).extracting(Delivery::attempt).as("attempts of " + id).containsExactly(1, 2, 3, 4);
                assertThat(attempts.stream().map(Delivery::permitId).distinct()).as("a new permit each attempt").hasSize(4);
                for (int k = 0; k < 3; k++) {
                    meanGap[k] += Duration.between(attempts.get(k).at(), attempts.get(k + 1).at()).toMillis() / (double) jobs;
                }
            }
            // Full jitter: the k-th backoff is uniform in [0, 200 ms × 2^(k-1)], so its mean doubles each time
            // (100, 200, 400 ms). Over 30 jobs the third mean exceeds the first by about seven standard deviations.
            assertThat(meanGap[2]).as("mean backoffs %s grow", java.util.Arrays.toString(meanGap)).isGreaterThan(meanGap[0]);

            JsonNode dead = hooks.job(s.name(), ids.getFirst());
            assertThat(dead.get("attempts").asInt()).isEqualTo(4);
            assertThat(dead.get("lastError").asString()).isEqualTo("HTTP 500: {\"status\":500}");
            assertThat(dead.get("permitId").isNull()).isTrue();
            assertThat(hooks.ids(s.name(), "dead")).containsExactlyInAnyOrderElementsOf(ids);
            assertThat(server.state(s.name()).get("dead").asInt()).isEqualTo(jobs);
            assertThat(server.state(s.name()).get("inUse").asInt()).isZero();
        }
    }

    @Test
    void redriveDeliversDeadJobsAgainAndDeadJobsCanBeDeleted() {
        try (Receiver receiver = Receiver.answering(503)) {
            Created s = hooks.webhook("redrive", receiver.url(), "'limit':2,'retry':{'maxAttempts':1}", "'releaseOnSuccess':true");
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                ids.add(hooks.enqueue(s.name(), "{'i':" + i + "}"));
            }
            hooks.awaitAll(s.name(), ids, "dead", 30);
            receiver.handler(d -> 200);

            Res some = api.post("/v1/semaphores/" + s.name() + "/dead-letters/redrive",
                    j("{'jobIds':['" + ids.get(0) + "','" + ids.get(1) + "'],'position':'original'}"));
            assertThat(some.num("redriven")).isEqualTo(2);
            hooks.awaitAll(s.name(), ids.subList(0, 2), "completed", 30);
            assertThat(hooks.job(s.name(), ids.get(0)).get("attempts").asInt()).as("a redriven job starts its attempts again").isEqualTo(1);
            assertThat(receiver.deliveries(s.name()).stream().filter(d -> d.jobId().equals(ids.get(0)))
                    .map(Delivery::attempt).toList()).containsExactly(1, 1);

            Res deleted = api.delete(jobs(s.name()) + "/" + ids.get(2));
            assertThat(deleted.status()).as(deleted.toString()).isEqualTo(204);
            assertThat(api.get(jobs(s.name()) + "/" + ids.get(2)).status()).isEqualTo(404);
            assertThat(api.delete(jobs(s.name()) + "/" + ids.get(2)).status()).isEqualTo(404);
            assertThat(api.delete(jobs(s.name()) + "/" + ids.get(0)).status()).as("a completed job can be deleted").isEqualTo(204);

            Res all = api.delete(jobs(s.name()) + "?state=dead");
            assertThat(all.status()).as(all.toString()).isEqualTo(200);
            assertThat(all.num("deleted")).isEqualTo(2);
            assertThat(hooks.ids(s.name(), "dead")).isEmpty();
            assertThat(server.state(s.name()).get("dead").asInt()).isZero();
            Res redriveNone = api.post("/v1/semaphores/" + s.name() + "/dead-letters/redrive", "{}");
            assertThat(redriveNone.num("redriven")).isZero();
        }
    }

    @Test
    void aWaitingOrInflightJobCannotBeDeleted() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Receiver receiver = Receiver.start(d -> release.await(30, TimeUnit.SECONDS) ? 200 : 500)) {
            Created s = hooks.webhook("nodelete", receiver.url(), "'limit':1", "'releaseOnSuccess':true");
            String inflight = hooks.enqueue(s.name(), "1");
            String waiting = hooks.enqueue(s.name(), "2");
            await(30, () -> receiver.deliveries(s.name()).size() == 1);

            Res r1 = api.delete(jobs(s.name()) + "/" + inflight);
            Res r2 = api.delete(jobs(s.name()) + "/" + waiting);
            assertThat(r1.status()).as(r1.toString()).isEqualTo(409);
            assertThat(r2.status()).as(r2.toString()).isEqualTo(409);
            assertThat(r2.code()).isEqualTo("conflict");
            assertThat(api.delete(jobs(s.name()) + "?state=completed").status()).isEqualTo(400);
            release.countDown();
            hooks.awaitAll(s.name(), List.of(inflight, waiting), "completed", 30);
        }
    }

    @Test
    void suspendPausesTheChannelWhileEnqueueGoesOnAndResumeRestartsDelivery() {
        try (Receiver receiver = Receiver.start(d -> d.text().contains("eu") ? 503 : 200)) {
            Created s = hooks.webhook("suspend", receiver.url(),
                    "'limit':1,'retry':{'maxAttempts':2,'initialBackoff':'PT0S','maxBackoff':'PT0S','onExhausted':'suspend'}",
                    "'releaseOnSuccess':true");
            String first = hooks.enqueue(s.name(), "{'c':'eu','n':1}", "eu");
            await(30, () -> server.state(s.name()).get("pausedChannels").toString().contains("\"eu\""));

            Res r2 = api.post(jobs(s.name()), j("{'payload':{'c':'eu','n':2},'channel':'eu'}"));
            Res r3 = api.post(jobs(s.name()), j("{'payload':{'c':'eu','n':3},'channel':'eu'}"));
            assertThat(r2.status()).as("ingress goes on").isEqualTo(202);
            assertThat(r2.str("state")).as("not granted: its channel is paused").isEqualTo("waiting");
            assertThat(r3.num("position")).isEqualTo(3);
            JsonNode suspended = hooks.job(s.name(), first);
            assertThat(suspended.get("state").asString()).isEqualTo("waiting");
            assertThat(suspended.get("position").asInt()).as("the suspended job stays at the head").isEqualTo(1);
            assertThat(suspended.get("attempts").asInt()).isEqualTo(2);
            assertThat(suspended.get("lastError").asString()).startsWith("HTTP 503");
            String other = hooks.enqueue(s.name(), "{'c':'us'}", "us");
            hooks.awaitAll(s.name(), List.of(other), "completed", 30);
            assertThat(receiver.jobIds(s.name())).as("nothing of eu while it is suspended").containsExactly(first, first, other);

            receiver.handler(d -> 200);
            Res resumed = api.post("/v1/semaphores/" + s.name() + "/resume", j("{'channel':'eu'}"));
            assertThat(resumed.status()).isEqualTo(200);
            List<String> eu = List.of(first, r2.str("jobId"), r3.str("jobId"));
            hooks.awaitAll(s.name(), eu, "completed", 30);
            List<String> seen = receiver.jobIds(s.name());
            assertThat(seen.subList(3, seen.size())).as("resumed in order, the suspended one first").containsExactlyElementsOf(eu);
        }
    }

    @Test
    void anAcceptedJobNobodyCompletesIsReclaimedWhenItsLeaseEnds() {
        String[] retrying = new String[1];
        try (Receiver receiver = Receiver.start(d -> {
            if (d.semaphore().equals(retrying[0]) && d.attempt() > 1) {
                hooks.complete(d.semaphore(), d.jobId(), d.permitId());   // this time the processor finishes
            }
            return 202;
        })) {
            Created dl = hooks.webhook("lease-dl", receiver.url(), "'limit':1,'leaseTimeout':'2s','onLeaseExpired':'deadletter'", "");
            Created re = hooks.webhook("lease-re", receiver.url(),
                    "'limit':1,'leaseTimeout':'2s','onLeaseExpired':'retry','retry':{'maxAttempts':10,'initialBackoff':'PT0S'}", "");
            retrying[0] = re.name();
            String a = hooks.enqueue(dl.name(), "'a'");
            String b = hooks.enqueue(re.name(), "'b'");

            hooks.awaitAll(dl.name(), List.of(a), "dead", 30);
            JsonNode dead = hooks.job(dl.name(), a);
            assertThat(dead.get("lastError").asString()).isEqualTo("lease expired");
            assertThat(dead.get("deliveredAt").isNull()).as("it was delivered").isFalse();
            Delivery first = receiver.deliveries(dl.name()).getFirst();
            Res late = hooks.complete(dl.name(), a, first.permitId());
            assertThat(late.status()).as("G6: the late holder is told").isEqualTo(410);

            hooks.awaitAll(re.name(), List.of(b), "completed", 30);
            List<Delivery> again = receiver.deliveries(re.name());
            assertThat(again).extracting(Delivery::jobId).containsOnly(b);
            assertThat(again.subList(0, 2)).extracting(Delivery::attempt).as("redelivered as its next attempt").containsExactly(1, 2);
            assertThat(again.get(1).permitId()).isNotEqualTo(again.get(0).permitId());
        }
    }

    @Test
    void noAnswerWithinTheTimeoutIsAFailedAttempt() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        try (Receiver receiver = Receiver.start(d -> never.await(60, TimeUnit.SECONDS) ? 200 : 200)) {
            Created s = hooks.webhook("timeout", receiver.url(), "'limit':1,'retry':{'maxAttempts':1}", "'timeout':'1s'");
            String a = hooks.enqueue(s.name(), "'slow'");

            hooks.awaitAll(s.name(), List.of(a), "dead", 30);

            assertThat(hooks.job(s.name(), a).get("lastError").asString()).isEqualTo("no answer within PT1S");
            assertThat(server.state(s.name()).get("inUse").asInt()).isZero();
        } finally {
            never.countDown();
        }
    }

    @Test
    void noConnectionAndRedirectsAreFailedAttempts() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (Receiver redirecting = Receiver.answering(302)) {
            Created refused = hooks.webhook("refused", "http://127.0.0.1:" + closedPort + "/hook", "'retry':{'maxAttempts':1},'limit':1", "");
            Created moved = hooks.webhook("redirect", redirecting.url(), "'retry':{'maxAttempts':1},'limit':1", "");
            String a = hooks.enqueue(refused.name(), "1");
            String b = hooks.enqueue(moved.name(), "2");

            hooks.awaitAll(refused.name(), List.of(a), "dead", 30);
            hooks.awaitAll(moved.name(), List.of(b), "dead", 30);

            assertThat(hooks.job(refused.name(), a).get("lastError").asString()).startsWith("could not connect");
            assertThat(hooks.job(moved.name(), b).get("lastError").asString())
                    .startsWith("HTTP 302 (redirects are not followed)");
            assertThat(redirecting.deliveries()).extracting(Delivery::path).as("the redirect was not followed").containsExactly("/hook");
        }
    }

    @Test
    void aSlowEndpointDoesNotHoldUpOtherSemaphores() throws Exception {
        CountDownLatch slowMayAnswer = new CountDownLatch(1);
        try (Receiver slow = Receiver.start(d -> slowMayAnswer.await(60, TimeUnit.SECONDS) ? 200 : 500);
             Receiver fast = Receiver.answering(200)) {
            Created stuck = hooks.webhook("slow", slow.url(), "'limit':1,'leaseTimeout':'2m'", "'timeout':'90s','releaseOnSuccess':true");
            Created quick = hooks.webhook("fast", fast.url(), "'limit':2", "'releaseOnSuccess':true");
            String hanging = hooks.enqueue(stuck.name(), "'wait for me'");
            await(30, () -> slow.deliveries().size() == 1);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                ids.add(hooks.enqueue(quick.name(), "{'i':" + i + "}"));
            }

            hooks.awaitAll(quick.name(), ids, "completed", 60);

            assertThat(hooks.state(stuck.name(), hanging)).as("still waiting for its slow answer").isEqualTo("inflight");
            assertThat(slowMayAnswer.getCount()).isOne();
            slowMayAnswer.countDown();
            hooks.awaitAll(stuck.name(), List.of(hanging), "completed", 30);
        }
    }

    @Test
    void theSecretIsWriteOnlyAndARotationSignsWithBothDuringTheGrace() {
        try (Receiver receiver = Receiver.answering(200)) {
            Created s = hooks.webhook("secret", receiver.url(), "'limit':1", "'releaseOnSuccess':true");
            String generated = s.secret();
            assertThat(generated).startsWith("whsec_").hasSize(70);
            String path = "/v1/semaphores/" + s.name();
            assertThat(api.get(path).text()).doesNotContain(generated).doesNotContain("\"secret\"");
            assertThat(api.get("/v1/semaphores?limit=1000").text()).doesNotContain(generated);
            Res patched = api.patch(path, j("{'limit':2}"));
            assertThat(patched.status()).isEqualTo(200);
            assertThat(patched.text()).doesNotContain(generated).doesNotContain("\"secret\"");
            Res replaced = api.put(path, j("{'limit':1,'delivery':{'mode':'webhook','url':'" + receiver.url() + "','releaseOnSuccess':true}}"));
            assertThat(replaced.status()).isEqualTo(200);
            assertThat(replaced.text()).as("a PUT without a secret keeps it: nothing new to show").doesNotContain("\"secret\"");
            String first = hooks.enqueue(s.name(), "{'n':1}");
            hooks.awaitAll(s.name(), List.of(first), "completed", 30);
            Delivery before = receiver.deliveries(s.name()).getLast();
            assertThat(Hooks.signatures(before.signature(), before.body(), generated)).containsExactly(true);

            String mine = "my-own-secret-0123456789";
            Res rotated = api.patch(path, j("{'delivery':{'secret':'" + mine + "'}}"));
            assertThat(rotated.status()).as(rotated.toString()).isEqualTo(200);
            assertThat(rotated.text()).doesNotContain(mine).doesNotContain(generated);
            String second = hooks.enqueue(s.name(), "{'n':2}");
            hooks.awaitAll(s.name(), List.of(second), "completed", 30);
            Delivery after = receiver.deliveries(s.name()).getLast();
            assertThat(after.signature()).matches("t=[0-9]+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}");
            assertThat(Hooks.signatures(after.signature(), after.body(), mine)).as("the new secret signs first")
                    .containsExactly(true, false);
            assertThat(Hooks.signatures(after.signature(), after.body(), generated)).as("the old one still signs")
                    .containsExactly(false, true);

            Res bad = api.patch(path, j("{'delivery':{'secret':'sh0rt!'}}"));
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.text()).contains("delivery.secret").doesNotContain("sh0rt!");
            Created given = hooks.webhook("secret-given", receiver.url(), "'limit':1", "'secret':'" + mine + "'");
            assertThat(given.secret()).as("a secret the user chose is not shown back").isNull();
        }
    }

    @Test
    void aWebhookSemaphoreRefusesClaimsAndItsJobViewShowsDelivery() {
        try (Receiver receiver = Receiver.answering(200)) {
            Created s = hooks.webhook("noclaim", receiver.url(), "'limit':0", "");
            String id = hooks.enqueue(s.name(), "{}");
            Res claim = api.post(jobs(s.name()) + "/claim", j("{'max':1}"));
            assertThat(claim.status()).as(claim.toString()).isEqualTo(409);
            assertThat(claim.code()).isEqualTo("conflict");
            JsonNode view = hooks.job(s.name(), id);
            assertThat(view.has("deliveredAt")).isTrue();
            assertThat(view.get("deliveredAt").isNull()).isTrue();
            assertThat(view.get("state").asString()).isEqualTo("waiting");
            Res opened = api.patch("/v1/semaphores/" + s.name(), j("{'limit':1}"));
            assertThat(opened.status()).isEqualTo(200);
            await(30, () -> receiver.deliveries(s.name()).size() == 1);
            assertThat(receiver.deliveries(s.name()).getFirst().jobId()).isEqualTo(id);
        }
    }

    @Test
    void switchingAPullSemaphoreToWebhookDeliversWhatWaits() {
        try (Receiver receiver = Receiver.answering(200)) {
            String name = server.semaphore("switch", "{'limit':2}");
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                ids.add(hooks.enqueue(name, "{'i':" + i + "}"));
            }
            Res switched = api.patch("/v1/semaphores/" + name,
                    j("{'delivery':{'mode':'webhook','url':'" + receiver.url() + "','releaseOnSuccess':true}}"));
            assertThat(switched.status()).as(switched.toString()).isEqualTo(200);
            assertThat(switched.json().get("delivery").get("secret").asString()).as("generated now, shown now").startsWith("whsec_");
            hooks.awaitAll(name, List.copyOf(ids), "completed", 30);
            assertThat(receiver.jobIds(name).stream().collect(Collectors.toSet())).isEqualTo(ids);
        }
    }
}
