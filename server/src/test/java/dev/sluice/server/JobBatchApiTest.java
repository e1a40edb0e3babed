package dev.sluice.server;

import static dev.sluice.server.Api.j;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.Api.Res;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** Batches of jobs: {@code POST …/jobs/batch} enqueues several at once, {@code POST …/jobs/complete} completes several. */
class JobBatchApiTest {
    @TempDir
    static Path dataDir;
    static TestServer server;
    static Api api;

    @BeforeAll
    static void start() {
        server = TestServer.start(dataDir);
        api = server.api();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String jobs(String name) {
        return "/v1/semaphores/" + name + "/jobs";
    }

    private static List<JsonNode> elements(Res r, String field) {
        List<JsonNode> out = new ArrayList<>();
        r.json().get(field).forEach(out::add);
        return out;
    }

    private static List<JsonNode> claim(String name, int max) {
        Res r = api.post(jobs(name) + "/claim", j("{'max':" + max + "}"));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return elements(r, "jobs");
    }

    /** A batch body of {@code n} jobs with payloads {"n": 0}, {"n": 1}, … */
    private static String batchOf(int n) {
        StringBuilder body = new StringBuilder("{\"jobs\":[");
        for (int i = 0; i < n; i++) {
            body.append(i == 0 ? "" : ",").append("{\"payload\":{\"n\":").append(i).append("}}");
        }
        return body.append("]}").toString();
    }

    @Test
    void aBatchIsEnqueuedInOrder() {
        String name = server.semaphore("batch", "{'limit':0}");
        Res r = api.post(jobs(name) + "/batch", j("{'jobs':[{'payload':{'n':0}},{'payload':'x','channel':'eu'},{'payload':null,'priority':5}]}"));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        List<JsonNode> enqueued = elements(r, "jobs");
        assertThat(enqueued).hasSize(3);
        assertThat(enqueued).allSatisfy(e -> {
            assertThat(e.get("state").asString()).isEqualTo("waiting");
            assertThat(e.get("created").asBoolean()).isTrue();
        });
        assertThat(enqueued).extracting(e -> e.get("position").asInt()).containsExactly(1, 2, 1);   // the third jumps ahead by priority
        assertThat(server.state(name).get("waiting").asInt()).isEqualTo(3);

        api.patch("/v1/semaphores/" + name, j("{'limit':3}"));
        List<JsonNode> claimed = claim(name, 3);
        assertThat(claimed).extracting(c -> c.get("jobId").asString()).containsExactly(
                enqueued.get(2).get("jobId").asString(), enqueued.get(0).get("jobId").asString(), enqueued.get(1).get("jobId").asString());
        assertThat(claimed.get(1).get("payload").get("n").asInt()).isZero();
        assertThat(claimed.get(2).get("channel").asString()).isEqualTo("eu");
    }

    @Test
    void idempotencyKeysHoldWithinABatchAndAcrossRequests() {
        String name = server.semaphore("batch-idem", "{'limit':0}");
        Res first = api.post(jobs(name) + "/batch", j("{'jobs':[{'payload':1,'idempotencyKey':'k1'},{'payload':2,'idempotencyKey':'k1'}]}"));
        assertThat(first.status()).as(first.toString()).isEqualTo(202);
        List<JsonNode> firstJobs = elements(first, "jobs");
        assertThat(firstJobs).extracting(e -> e.get("created").asBoolean()).containsExactly(true, false);
        assertThat(firstJobs.get(1).get("jobId").asString()).isEqualTo(firstJobs.get(0).get("jobId").asString());

        Res again = api.post(jobs(name) + "/batch", j("{'jobs':[{'payload':3,'idempotencyKey':'k1'}]}"));
        assertThat(again.status()).as("nothing new: 200, as a repeated single enqueue").isEqualTo(200);
        assertThat(elements(again, "jobs").getFirst().get("jobId").asString()).isEqualTo(firstJobs.get(0).get("jobId").asString());
        Res single = api.post(jobs(name), j("{'payload':4,'idempotencyKey':'k1'}"));
        assertThat(single.status()).isEqualTo(200);
        assertThat(single.str("jobId")).isEqualTo(firstJobs.get(0).get("jobId").asString());
        assertThat(server.state(name).get("waiting").asInt()).isEqualTo(1);
    }

    @Test
    void aBatchWithOneBadJobEnqueuesNone() {
        String name = server.semaphore("batch-bad", "{'limit':0}");
        Res noPayload = api.post(jobs(name) + "/batch", j("{'jobs':[{'payload':1},{'payload':2},{'channel':'eu'}]}"));
        assertThat(noPayload.status()).isEqualTo(400);
        assertThat(noPayload.code()).isEqualTo("invalid_argument");
        assertThat(noPayload.json().get("detail").asString()).contains("jobs[2]");
        Res badChannel = api.post(jobs(name) + "/batch", j("{'jobs':[{'payload':1},{'payload':2,'channel':'has space'}]}"));
        assertThat(badChannel.status()).isEqualTo(400);
        Res unknownField = api.post(jobs(name) + "/batch", j("{'jobs':[{'payload':1,'colour':'red'}]}"));
        assertThat(unknownField.status()).isEqualTo(400);
        String big = "{\"jobs\":[{\"payload\":1},{\"payload\":\"" + "a".repeat(256 * 1024) + "\"}]}";
        Res tooLarge = api.post(jobs(name) + "/batch", big);
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.code()).isEqualTo("payload_too_large");
        assertThat(server.state(name).get("waiting").asInt()).as("no job of a refused batch is enqueued").isZero();
    }

    @Test
    void aBatchHoldsOneToAHundredJobs() {
        String name = server.semaphore("batch-size", "{'limit':0}");
        assertThat(api.post(jobs(name) + "/batch", batchOf(100)).status()).isEqualTo(202);
        for (String body : List.of(batchOf(101), "{\"jobs\":[]}", "{}", "{\"jobs\":{}}", "{\"jobs\":[1]}", "{\"jobs\":[],\"extra\":1}")) {
            Res r = api.post(jobs(name) + "/batch", body);
            assertThat(r.status()).as(body.length() > 60 ? body.substring(0, 60) : body).isEqualTo(400);
            assertThat(r.code()).isEqualTo("invalid_argument");
        }
        Res header = api.send("POST", jobs(name) + "/batch", batchOf(1), "Idempotency-Key", "k");
        assertThat(header.status()).isEqualTo(400);
        assertThat(header.json().get("detail").asString()).contains("idempotencyKey");
        assertThat(api.post(jobs("no-such-semaphore") + "/batch", batchOf(1)).status()).isEqualTo(404);
        assertThat(server.state(name).get("waiting").asInt()).isEqualTo(100);
    }

    @Test
    void aBatchCompletionCompletesEachJobItCanAndSaysWhyNotForTheOthers() {
        String name = server.semaphore("batch-done", "{'limit':3}");
        assertThat(api.post(jobs(name) + "/batch", batchOf(4)).status()).isEqualTo(202);
        List<JsonNode> claimed = claim(name, 3);
        String a = claimed.get(0).get("jobId").asString();
        String b = claimed.get(1).get("jobId").asString();
        String c = claimed.get(2).get("jobId").asString();
        Res r = api.post(jobs(name) + "/complete", "{\"jobs\":["
                + "{\"jobId\":\"" + a + "\",\"permitId\":\"" + claimed.get(0).get("permitId").asString() + "\"},"
                + "{\"jobId\":\"" + b + "\",\"permitId\":\"" + claimed.get(0).get("permitId").asString() + "\"},"
                + "{\"jobId\":\"j-none\"},"
                + "{\"jobId\":\"" + c + "\"},"
                + "{\"jobId\":\"" + a + "\"}]}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        List<JsonNode> results = elements(r, "results");
        assertThat(results).extracting(x -> x.get("jobId").asString()).containsExactly(a, b, "j-none", c, a);
        assertThat(results).extracting(x -> x.get("outcome").asString())
                .containsExactly("completed", "lease_expired", "not_found", "completed", "completed");
        assertThat(results.get(1).get("detail").asString()).isNotBlank();
        assertThat(api.get(jobs(name) + "/" + a).str("state")).isEqualTo("completed");
        assertThat(api.get(jobs(name) + "/" + b).str("state")).as("another holder's permit completes nothing").isEqualTo("inflight");
        JsonNode state = server.state(name);
        assertThat(state.get("inUse").asInt()).isEqualTo(1);
        assertThat(state.get("inflight").asInt()).isEqualTo(1);
        assertThat(claim(name, 3)).as("the permits freed serve the next claim").hasSize(1);
    }

    @Test
    void aBatchCompletionWakesAWaitingClaim() throws Exception {
        String name = server.semaphore("batch-wake", "{'limit':1}");
        assertThat(api.post(jobs(name) + "/batch", batchOf(2)).status()).isEqualTo(202);
        JsonNode held = claim(name, 1).getFirst();
        CompletableFuture<Res> waiting = CompletableFuture.supplyAsync(
                () -> api.post(jobs(name) + "/claim", j("{'max':1,'wait':'PT30S'}")));
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> Scrape.of(api).value("sluice_requests_waiting", "kind", "claim") == 1);   // parked on the full semaphore
        assertThat(waiting).isNotDone();
        Res done = api.post(jobs(name) + "/complete", "{\"jobs\":[{\"jobId\":\"" + held.get("jobId").asString() + "\"}]}");
        assertThat(done.status()).isEqualTo(200);
        Res woken = waiting.get(10, TimeUnit.SECONDS);
        assertThat(elements(woken, "jobs")).hasSize(1);
    }

    @Test
    void aMalformedBatchCompletionCompletesNothing() {
        String name = server.semaphore("batch-done-bad", "{'limit':1}");
        assertThat(api.post(jobs(name) + "/batch", batchOf(1)).status()).isEqualTo(202);
        String id = claim(name, 1).getFirst().get("jobId").asString();
        for (String body : List.of("{}", "{\"jobs\":[]}", "{\"jobs\":[\"" + id + "\"]}", "{\"jobs\":[{\"jobId\":\"" + id + "\"},{\"jobId\":\"a b\"}]}",
                "{\"jobs\":[{\"jobId\":\"" + id + "\",\"permitId\":7}]}", "{\"jobs\":[{\"id\":\"" + id + "\"}]}")) {
            Res r = api.post(jobs(name) + "/complete", body);
            assertThat(r.status()).as(body).isEqualTo(400);
            assertThat(r.code()).isEqualTo("invalid_argument");
        }
        assertThat(api.get(jobs(name) + "/" + id).str("state")).isEqualTo("inflight");
        assertThat(api.post(jobs("no-such-semaphore") + "/complete", "{\"jobs\":[{\"jobId\":\"" + id + "\"}]}").status()).isEqualTo(404);
    }
}
