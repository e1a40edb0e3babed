package dev.sluice.server;

import static dev.sluice.server.Api.j;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.Api.Res;
import dev.sluice.server.http.UnreadBodies;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** SPEC §3, the job rows: enqueue, claim, get, list, complete, fail, heartbeat, move, cancel, redrive, purge; and batches of jobs. */
class JobApiTest {
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

    private static String enqueue(String name, String body) {
        Res r = api.post(jobs(name), j(body));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        return r.str("jobId");
    }

    private static JsonNode job(String name, String id) {
        Res r = api.get(jobs(name) + "/" + id);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    private static List<JsonNode> claim(String name, String body) {
        Res r = api.post(jobs(name) + "/claim", j(body));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        r.json().get("jobs").forEach(out::add);
        return out;
    }

    private static List<String> ids(String name, String state) {
        Res r = api.get(jobs(name) + "?state=" + state + "&limit=1000");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        r.json().get("items").forEach(n -> out.add(n.get("jobId").asString()));
        return out;
    }

    @Test
    void enqueueAnswers202WithPosition() {
        String name = server.semaphore("enq", "{'limit':0}");
        Res first = api.post(jobs(name), j("{'payload':{'to':'a@b.c','n':[1,2]}}"));
        assertThat(first.status()).isEqualTo(202);
        assertThat(first.str("jobId")).isNotBlank();
        assertThat(first.str("state")).isEqualTo("waiting");
        assertThat(first.num("position")).isEqualTo(1);
        Res second = api.post(jobs(name), j("{'payload':'x','channel':'eu','priority':0}"));
        assertThat(second.status()).isEqualTo(202);
        assertThat(second.num("position")).isEqualTo(2);
        assertThat(second.str("jobId")).isNotEqualTo(first.str("jobId"));
        Res urgent = api.post(jobs(name), j("{'payload':null,'priority':10}"));
        assertThat(urgent.num("position")).isEqualTo(1);
        assertThat(server.state(name).get("waiting").asInt()).isEqualTo(3);
    }

    @Test
    void aRepeatedIdempotencyKeyReturnsTheFirstJob() {
        String name = server.semaphore("idem", "{'limit':0}");
        Res first = api.post(jobs(name), j("{'payload':1,'idempotencyKey':'order-17'}"));
        assertThat(first.status()).isEqualTo(202);
        Res again = api.post(jobs(name), j("{'payload':2,'idempotencyKey':'order-17'}"));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.str("jobId")).isEqualTo(first.str("jobId"));
        assertThat(again.json().get("payload").asInt()).isEqualTo(1);

        Res byHeader = api.send("POST", jobs(name), j("{'payload':3}"), "Idempotency-Key", "order-18");
        assertThat(byHeader.status()).isEqualTo(202);
        Res headerAgain = api.send("POST", jobs(name), j("{'payload':3}"), "Idempotency-Key", "order-18");
        assertThat(headerAgain.status()).isEqualTo(200);
        assertThat(headerAgain.str("jobId")).isEqualTo(byHeader.str("jobId"));
        // the header and the body field name the same key
        Res bodyAfterHeader = api.post(jobs(name), j("{'payload':3,'idempotencyKey':'order-18'}"));
        assertThat(bodyAfterHeader.status()).isEqualTo(200);
        assertThat(bodyAfterHeader.str("jobId")).isEqualTo(byHeader.str("jobId"));
        assertThat(server.state(name).get("waiting").asInt()).isEqualTo(2);

        // keys are per semaphore
        String other = server.semaphore("idem2", "{'limit':0}");
        Res elsewhere = api.post(jobs(other), j("{'payload':1,'idempotencyKey':'order-17'}"));
        assertThat(elsewhere.status()).isEqualTo(202);
        assertThat(elsewhere.str("jobId")).isNotEqualTo(first.str("jobId"));
    }

    @Test
    void aPayloadOver256KiBIs413() {
        String name = server.semaphore("big", "{'limit':0}");
        String fits = "{\"payload\":\"" + "a".repeat(256 * 1024 - 2) + "\"}";
        assertThat(api.post(jobs(name), fits).status()).isEqualTo(202);
        String over = "{\"payload\":\"" + "a".repeat(256 * 1024) + "\"}";
        Res r = api.post(jobs(name), over);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.code()).isEqualTo("payload_too_large");
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(server.state(name).get("waiting").asInt()).isEqualTo(1);
    }

    /**
     * Only the request's head is sent, with {@code Expect: 100-continue}, as a client should send a
     * large body: the server refuses it from its {@code Content-Length} and never asks for the body.
     * (A body sent unasked is read and dropped before the 413: the next test; BadInputTest sends 1 MiB unasked.)
     */
    @Test
    void aRequestFarOverTheLimitIs413BeforeItsBodyIsSent() throws Exception {
        String name = server.semaphore("huge", "{'limit':0}");
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("POST " + jobs(name) + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + (2 * 1024 * 1024) + "\r\n"
                    + "Expect: 100-continue\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 413 ").contains("application/problem+json")
                    .contains("\"code\":\"payload_too_large\"").doesNotContain("100 Continue");
        }
        assertThat(server.state(name).get("waiting").asInt()).isZero();
    }

    /**
     * A body far over the limit sent unasked, with a pause halfway as a slow or busy network makes:
     * the server reads the rest of it and drops it before answering, so the client, done sending,
     * reads its 413. (Closing with the body unread makes the server's TCP stack reset the
     * connection, and a reset can drop the answer before the client reads it.)
     */
    @Test
    void aRequestFarOverTheLimitSentUnaskedStillGetsIts413() throws Exception {
        String name = server.semaphore("huge-unasked", "{'limit':0}");
        byte[] half = ("\"" + "a".repeat(512 * 1024) + "\"").getBytes(StandardCharsets.US_ASCII);
        String lengthAnswer = sendInTwoHalves(name, "Content-Length: " + 2 * half.length, half, half);
        byte[] chunk = (Integer.toHexString(half.length) + "\r\n" + new String(half, StandardCharsets.US_ASCII) + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] lastChunks = (new String(chunk, StandardCharsets.US_ASCII) + "0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        String chunkedAnswer = sendInTwoHalves(name, "Transfer-Encoding: chunked", chunk, lastChunks);
        for (String answer : List.of(lengthAnswer, chunkedAnswer)) {
            assertThat(answer).startsWith("HTTP/1.1 413 ").contains("application/problem+json")
                    .contains("\"code\":\"payload_too_large\"");
        }
        assertThat(server.state(name).get("waiting").asInt()).isZero();
    }

    /** What is read of a refused body is bounded: a chunked body that never ends is cut off near 8 MiB. */
    @Test
    void aRefusedBodyIsReadOnlyUpToItsBound() throws Exception {
        String name = server.semaphore("endless", "{'limit':0}");
        byte[] chunk = ("10000\r\n" + "a".repeat(0x10000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        long sent = 0;
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            var out = s.getOutputStream();
            out.write(("POST " + jobs(name) + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            while (sent < 64L * 1024 * 1024) {
                out.write(chunk);
                sent += 0x10000;
            }
        } catch (java.io.IOException cutOff) {
            // the server closed the connection: what the test expects
        }
        // 8 MiB read, plus what the two TCP stacks' buffers took before the server closed
        assertThat(sent).isGreaterThanOrEqualTo(UnreadBodies.LIMIT).isLessThan(32L * 1024 * 1024);
        assertThat(server.state(name).get("waiting").asInt()).isZero();
    }

    private String sendInTwoHalves(String semaphore, String framing, byte[] first, byte[] second) throws Exception {
        return RawHttp.sendInTwoParts(server.port(), "POST " + jobs(semaphore) + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Connection: close\r\nContent-Type: application/json\r\n" + framing + "\r\n\r\n", first, second, "");
    }

    @Test
    void claimGrantsPermitsToTheOldestJobs() {
        String name = server.semaphore("claim", "{'limit':5}");
        String a = enqueue(name, "{'payload':{'n':'a'}}");
        String b = enqueue(name, "{'payload':{'n':'b'},'channel':'eu'}");
        String c = enqueue(name, "{'payload':{'n':'c'}}");
        List<JsonNode> claimed = claim(name, "{'max':2,'leaseTimeout':'PT30S'}");
        assertThat(claimed).hasSize(2);
        assertThat(claimed.get(0).get("jobId").asString()).isEqualTo(a);
        assertThat(claimed.get(1).get("jobId").asString()).isEqualTo(b);
        for (JsonNode job : claimed) {
            assertThat(job.get("permitId").asString()).isNotBlank();
            assertThat(job.get("fencingToken").asLong()).isPositive();
            assertThat(job.get("attempt").asInt()).isEqualTo(1);
            assertThat(Instant.parse(job.get("expiresAt").asString())).isBefore(Instant.now().plusSeconds(31));
        }
        assertThat(claimed.get(0).get("payload").get("n").asString()).isEqualTo("a");
        assertThat(claimed.get(1).get("channel").asString()).isEqualTo("eu");
        assertThat(claimed.get(1).get("fencingToken").asLong()).isGreaterThan(claimed.get(0).get("fencingToken").asLong());

        JsonNode state = server.state(name);
        assertThat(state.get("inUse").asInt()).isEqualTo(2);
        assertThat(state.get("inflight").asInt()).isEqualTo(2);
        assertThat(state.get("waiting").asInt()).isEqualTo(1);
        JsonNode viewA = job(name, a);
        assertThat(viewA.get("state").asString()).isEqualTo("inflight");
        assertThat(viewA.get("attempts").asInt()).isEqualTo(1);
        assertThat(viewA.get("permitId").asString()).isEqualTo(claimed.get(0).get("permitId").asString());

        assertThat(claim(name, "{}")).extracting(n -> n.get("jobId").asString()).containsExactly(c);
        assertThat(claim(name, "{'max':10}")).isEmpty();
    }

    @Test
    void claimTakesNoMoreThanTheLimitAllows() {
        String name = server.semaphore("claimlim", "{'limit':1}");
        enqueue(name, "{'payload':1}");
        enqueue(name, "{'payload':2}");
        assertThat(claim(name, "{'max':5}")).hasSize(1);
        assertThat(claim(name, "{'max':5}")).isEmpty();
        assertThat(api.post("/v1/semaphores/" + name + "/permits").status()).isEqualTo(429);
    }

    @Test
    void aJobWaitingForCapacityHoldsItAgainstATry() {
        String name = server.semaphore("reserve", "{'limit':1}");
        enqueue(name, "{'payload':1}");
        Res tried = api.post("/v1/semaphores/" + name + "/permits");
        assertThat(tried.status()).isEqualTo(429);
        assertThat(tried.code()).isEqualTo("limit_reached");
    }

    @Test
    void higherPriorityFirstThenEnqueueOrder() {
        String name = server.semaphore("prio", "{'limit':0}");
        String low = enqueue(name, "{'payload':'low'}");
        String high = enqueue(name, "{'payload':'high','priority':5}");
        String mid = enqueue(name, "{'payload':'mid','priority':2}");
        String high2 = enqueue(name, "{'payload':'high2','priority':5}");
        String negative = enqueue(name, "{'payload':'neg','priority':-1}");
        assertThat(job(name, high2).get("position").asInt()).isEqualTo(2);
        assertThat(api.patch("/v1/semaphores/" + name, j("{'limit':10}")).status()).isEqualTo(200);
        assertThat(claim(name, "{'max':10}")).extracting(n -> n.get("jobId").asString())
                .containsExactly(high, high2, mid, low, negative);
    }

    @Test
    void cancellingOrPurgingTheJobsAheadGrantsTheWaiterBehind() throws Exception {
        String name = server.semaphore("ahead", "{'limit':1}");
        Res held = api.post("/v1/semaphores/" + name + "/permits");
        String first = enqueue(name, "{'payload':1}");
        enqueue(name, "{'payload':2}");
        CompletableFuture<Res> waiter = api.sendAsync("POST", "/v1/semaphores/" + name + "/permits", j("{'wait':'PT20S'}"));
        server.awaitState(name, "waiting", 3);
        assertThat(api.delete("/v1/semaphores/" + name + "/permits/" + held.str("permitId")).status()).isEqualTo(204);
        assertThat(api.post(jobs(name) + "/" + first + "/cancel").status()).isEqualTo(200);
        assertThat(waiter).isNotDone();   // the second job is next
        assertThat(api.delete(jobs(name) + "?state=waiting").num("deleted")).isEqualTo(1);
        assertThat(waiter.get(10, java.util.concurrent.TimeUnit.SECONDS).status()).isEqualTo(201);
    }

    @Test
    void exhaustedAttemptsCanSuspendTheChannel() {
        String name = server.semaphore("suspend", "{'limit':2,'retry':{'maxAttempts':1,'onExhausted':'suspend'}}");
        String id = enqueue(name, "{'payload':1,'channel':'partner-a'}");
        String other = enqueue(name, "{'payload':2,'channel':'partner-b'}");
        assertThat(claim(name, "{}").getFirst().get("jobId").asString()).isEqualTo(id);
        assertThat(api.post(jobs(name) + "/" + id + "/fail", j("{'error':'partner down'}")).status()).isEqualTo(204);
        JsonNode view = api.get("/v1/semaphores/" + name).json();
        assertThat(view.get("state").get("pausedChannels").toString()).isEqualTo("[\"partner-a\"]");
        assertThat(job(name, id).get("state").asString()).isEqualTo("waiting");
        // the suspended channel is passed over; ingress goes on
        assertThat(claim(name, "{'max':5}")).extracting(n -> n.get("jobId").asString()).containsExactly(other);
        enqueue(name, "{'payload':3,'channel':'partner-a'}");
        assertThat(api.post("/v1/semaphores/" + name + "/resume", j("{'channel':'partner-a'}")).status()).isEqualTo(200);
        List<JsonNode> resumed = claim(name, "{'max':5}");
        assertThat(resumed).hasSize(1);
        assertThat(resumed.getFirst().get("jobId").asString()).isEqualTo(id);
    }

    @Test
    void exhaustedAttemptsCanDrop() {
        String name = server.semaphore("drop", "{'limit':1,'retry':{'maxAttempts':1,'onExhausted':'drop'}}");
        String id = enqueue(name, "{'payload':1}");
        claim(name, "{}");
        assertThat(api.post(jobs(name) + "/" + id + "/fail", j("{'error':'x'}")).status()).isEqualTo(204);
        assertThat(job(name, id).get("state").asString()).isEqualTo("failed");
        assertThat(ids(name, "failed")).containsExactly(id);
        assertThat(server.state(name).get("dead").asInt()).isZero();
    }

    @Test
    void aLongPollingClaimReturnsWhenAJobIsEnqueued() {
        String name = server.semaphore("longpoll", "{'limit':2}");
        long t0 = System.nanoTime();
        CompletableFuture<Res> pending = api.sendAsync("POST", jobs(name) + "/claim", j("{'wait':'PT20S'}"));
        // the claim is pending (and so registered on the server) before the job exists
        Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !pending.isDone());
        String id = enqueue(name, "{'payload':{'late':true}}");
        Res r = pending.join();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("jobs").size()).isEqualTo(1);
        assertThat(r.json().get("jobs").get(0).get("jobId").asString()).isEqualTo(id);
        assertThat(job(name, id).get("state").asString()).isEqualTo("inflight");
    }

    @Test
    void aLongPollingClaimReturnsWhenCapacityFrees() {
        String name = server.semaphore("longpollcap", "{'limit':1}");
        Res held = api.post("/v1/semaphores/" + name + "/permits");
        String id = enqueue(name, "{'payload':1}");
        CompletableFuture<Res> pending = api.sendAsync("POST", jobs(name) + "/claim", j("{'wait':'PT20S'}"));
        Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !pending.isDone());
        assertThat(api.delete("/v1/semaphores/" + name + "/permits/" + held.str("permitId")).status()).isEqualTo(204);
        Res r = pending.join();
        assertThat(r.json().get("jobs").get(0).get("jobId").asString()).isEqualTo(id);
    }

    /** A long-polling claim with a bad lease is refused at once, and spoils no other claim waiting on the semaphore. */
    @Test
    void aBadLongPollingClaimIsRefusedAtOnceAndSpoilsNoOther() {
        String name = server.semaphore("badpoll", "{'limit':2}");
        CompletableFuture<Res> good = api.sendAsync("POST", jobs(name) + "/claim", j("{'wait':'PT20S'}"));
        Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !good.isDone());
        long t0 = System.nanoTime();
        Res bad = api.post(jobs(name) + "/claim", j("{'wait':'PT20S','leaseTimeout':'PT0.1S'}"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.code()).isEqualTo("invalid_argument");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        String id = enqueue(name, "{'payload':1}");
        Res r = good.join();
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().get("jobs").get(0).get("jobId").asString()).isEqualTo(id);
    }

    @Test
    void aClaimWithWaitReturnsEmptyAfterTheWait() {
        String name = server.semaphore("claimempty", "{'limit':2}");
        long t0 = System.nanoTime();
        Res r = api.post(jobs(name) + "/claim", j("{'wait':'PT1S','max':3}"));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("jobs").isArray()).isTrue();
        assertThat(r.json().get("jobs").size()).isZero();
        assertThat(server.state(name).get("inUse").asInt()).isZero();
    }

    @Test
    void getJob() {
        String name = server.semaphore("getjob", "{'limit':0}");
        String id = enqueue(name, "{'payload':{'k':[true,null]},'channel':'c7','priority':3,'idempotencyKey':'g1'}");
        JsonNode v = job(name, id);
        assertThat(v.get("jobId").asString()).isEqualTo(id);
        assertThat(v.get("state").asString()).isEqualTo("waiting");
        assertThat(v.get("channel").asString()).isEqualTo("c7");
        assertThat(v.get("priority").asInt()).isEqualTo(3);
        assertThat(v.get("position").asInt()).isEqualTo(1);
        assertThat(v.get("attempts").asInt()).isZero();
        assertThat(v.get("idempotencyKey").asString()).isEqualTo("g1");
        assertThat(v.get("lastError").isNull()).isTrue();
        assertThat(v.get("createdAt").asString()).isNotBlank();
        assertThat(v.get("updatedAt").asString()).isNotBlank();
        assertThat(v.get("payload").toString()).isEqualTo("{\"k\":[true,null]}");

        Res missing = api.get(jobs(name) + "/j0000000000000000");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.code()).isEqualTo("not_found");
        assertThat(api.get(jobs(TestServer.name("nobody")) + "/" + id).status()).isEqualTo(404);
    }

    @Test
    void listByStateWithPaging() {
        String name = server.semaphore("listjobs", "{'limit':0}");
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            all.add(enqueue(name, "{'payload':" + i + "}"));
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Res r = api.get(jobs(name) + "?state=waiting&limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(r.status()).isEqualTo(200);
            JsonNode items = r.json().get("items");
            assertThat(items.size()).isBetween(1, 2);
            items.forEach(n -> {
                assertThat(n.get("state").asString()).isEqualTo("waiting");
                seen.add(n.get("jobId").asString());
            });
            JsonNode next = r.json().get("nextCursor");
            cursor = next.isNull() ? null : next.asString();
            pages++;
        } while (cursor != null && pages < 10);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).isEqualTo(all);
        assertThat(ids(name, "inflight")).isEmpty();
        assertThat(ids(name, "dead")).isEmpty();

        Res paged = api.get(jobs(name) + "?state=waiting");
        assertThat(paged.json().get("items").size()).isEqualTo(5);
        assertThat(paged.json().get("nextCursor").isNull()).isTrue();
    }

    @Test
    void completeIsIdempotent() {
        String name = server.semaphore("complete", "{'limit':1}");
        String id = enqueue(name, "{'payload':1}");
        JsonNode c = claim(name, "{}").getFirst();
        assertThat(ids(name, "inflight")).containsExactly(id);
        Res done = api.post(jobs(name) + "/" + id + "/complete");
        assertThat(done.status()).isEqualTo(204);
        assertThat(api.post(jobs(name) + "/" + id + "/complete").status()).isEqualTo(204);
        assertThat(api.post(jobs(name) + "/" + id + "/complete", j("{'permitId':'" + c.get("permitId").asString() + "'}")).status())
                .isEqualTo(204);
        assertThat(job(name, id).get("state").asString()).isEqualTo("completed");
        JsonNode state = server.state(name);
        assertThat(state.get("inUse").asInt()).isZero();
        assertThat(state.get("inflight").asInt()).isZero();
        assertThat(ids(name, "completed")).containsExactly(id);
        // the freed unit is there once
        assertThat(api.post("/v1/semaphores/" + name + "/permits").status()).isEqualTo(201);
        assertThat(api.post("/v1/semaphores/" + name + "/permits").status()).isEqualTo(429);
    }

    @Test
    void completeOfAWaitingJobIsAConflictAndOfAnUnknownOneIs404() {
        String name = server.semaphore("complete409", "{'limit':0}");
        String id = enqueue(name, "{'payload':1}");
        assertThat(api.post(jobs(name) + "/" + id + "/complete").status()).isEqualTo(409);
        assertThat(api.post(jobs(name) + "/j0000000000000000/complete").status()).isEqualTo(404);
        assertThat(api.post(jobs(name) + "/j0000000000000000/fail").status()).isEqualTo(404);
    }

    @Test
    void heartbeatExtendsAJobsLease() {
        String name = server.semaphore("jobhb", "{'limit':1}");
        String id = enqueue(name, "{'payload':1}");
        JsonNode c = claim(name, "{'leaseTimeout':'PT10S'}").getFirst();
        Instant before = Instant.parse(c.get("expiresAt").asString());
        Res hb = api.post(jobs(name) + "/" + id + "/heartbeat", j("{'leaseTimeout':'PT60S'}"));
        assertThat(hb.status()).isEqualTo(200);
        assertThat(Instant.parse(hb.str("expiresAt"))).isAfter(before.plusSeconds(40));
        assertThat(hb.str("permitId")).isEqualTo(c.get("permitId").asString());
    }

    @Test
    void anExpiredJobLeaseIsRetriedAndItsLateCompletionIsGone() {
        String name = server.semaphore("joblease", "{'limit':1,'retry':{'initialBackoff':'PT0S'}}");
        String id = enqueue(name, "{'payload':1}");
        assertThat(claim(name, "{'leaseTimeout':'PT1S'}")).hasSize(1);
        server.awaitState(name, "inUse", 0);
        JsonNode v = job(name, id);
        assertThat(v.get("state").asString()).isEqualTo("waiting");
        assertThat(v.get("attempts").asInt()).isEqualTo(1);
        assertThat(v.get("lastError").asString()).contains("lease");
        Res late = api.post(jobs(name) + "/" + id + "/complete");
        assertThat(late.status()).isEqualTo(410);
        assertThat(late.code()).isEqualTo("lease_expired");
        assertThat(api.post(jobs(name) + "/" + id + "/heartbeat").status()).isEqualTo(410);
        JsonNode again = claim(name, "{}").getFirst();
        assertThat(again.get("attempt").asInt()).isEqualTo(2);
    }

    @Test
    void anExpiredJobLeaseCanDeadLetter() {
        String name = server.semaphore("jobleasedl", "{'limit':1,'onLeaseExpired':'deadletter'}");
        String id = enqueue(name, "{'payload':1}");
        assertThat(claim(name, "{'leaseTimeout':'PT1S'}")).hasSize(1);
        server.awaitState(name, "dead", 1);
        assertThat(job(name, id).get("state").asString()).isEqualTo("dead");
        assertThat(server.state(name).get("inUse").asInt()).isZero();
    }

    @Test
    void aRetryableFailureWaitsOutItsBackoffThenIsClaimableAgain() {
        String name = server.semaphore("retry", "{'limit':1,'retry':{'maxAttempts':3,'initialBackoff':'PT0.3S','maxBackoff':'PT0.3S'}}");
        String id = enqueue(name, "{'payload':1}");
        String firstPermit = claim(name, "{}").getFirst().get("permitId").asString();
        Res failed = api.post(jobs(name) + "/" + id + "/fail", j("{'error':'partner said 503','retryable':true}"));
        assertThat(failed.status()).isEqualTo(204);
        JsonNode v = job(name, id);
        assertThat(v.get("state").asString()).isEqualTo("waiting");
        assertThat(v.get("attempts").asInt()).isEqualTo(1);
        assertThat(v.get("lastError").asString()).isEqualTo("partner said 503");
        assertThat(server.state(name).get("inUse").asInt()).isZero();

        Res r = api.post(jobs(name) + "/claim", j("{'wait':'PT10S'}"));
        assertThat(r.json().get("jobs").size()).isEqualTo(1);
        JsonNode again = r.json().get("jobs").get(0);
        assertThat(again.get("jobId").asString()).isEqualTo(id);
        assertThat(again.get("attempt").asInt()).isEqualTo(2);
        // the first attempt, named by its permit, is over; the second completes
        Res stale = api.post(jobs(name) + "/" + id + "/complete", j("{'permitId':'" + firstPermit + "'}"));
        assertThat(stale.status()).isEqualTo(410);
        assertThat(job(name, id).get("state").asString()).isEqualTo("inflight");
        assertThat(api.post(jobs(name) + "/" + id + "/complete").status()).isEqualTo(204);
    }

    @Test
    void exhaustedAttemptsGoToTheDeadLetters() {
        String name = server.semaphore("dead", "{'limit':1,'retry':{'maxAttempts':1}}");
        String id = enqueue(name, "{'payload':1}");
        claim(name, "{}");
        assertThat(api.post(jobs(name) + "/" + id + "/fail", j("{'error':'nope'}")).status()).isEqualTo(204);
        assertThat(job(name, id).get("state").asString()).isEqualTo("dead");
        assertThat(server.state(name).get("dead").asInt()).isEqualTo(1);
        assertThat(server.state(name).get("inUse").asInt()).isZero();
        assertThat(ids(name, "dead")).containsExactly(id);

        // not retryable: dead at once, whatever attempts are left
        String other = server.semaphore("dead2", "{'limit':1}");
        String id2 = enqueue(other, "{'payload':1}");
        claim(other, "{}");
        assertThat(api.post(jobs(other) + "/" + id2 + "/fail", j("{'error':'poison','retryable':false}")).status()).isEqualTo(204);
        assertThat(job(other, id2).get("state").asString()).isEqualTo("dead");
    }

    /** Makes the job dead: claims it (it must be the first eligible) and fails it. */
    private static void kill(String name, String id) {
        JsonNode c = claim(name, "{}").getFirst();
        assertThat(c.get("jobId").asString()).isEqualTo(id);
        assertThat(api.post(jobs(name) + "/" + id + "/fail", j("{'error':'x','retryable':false}")).status()).isEqualTo(204);
    }

    @Test
    void redriveAllSomeBackAndOriginal() {
        String name = server.semaphore("redrive", "{'limit':1}");
        String redrive = "/v1/semaphores/" + name + "/dead-letters/redrive";
        String a = enqueue(name, "{'payload':'a'}");
        kill(name, a);
        String b = enqueue(name, "{'payload':'b'}");
        kill(name, b);
        assertThat(ids(name, "dead")).containsExactly(a, b);

        Res all = api.post(redrive);
        assertThat(all.status()).isEqualTo(200);
        assertThat(all.num("redriven")).isEqualTo(2);
        assertThat(ids(name, "dead")).isEmpty();
        assertThat(ids(name, "waiting")).containsExactlyInAnyOrder(a, b);
        assertThat(server.state(name).get("dead").asInt()).isZero();
        assertThat(job(name, a).get("attempts").asInt()).isZero();

        // a, b and c wait; a dies again
        String c = enqueue(name, "{'payload':'c'}");
        kill(name, a);
        assertThat(ids(name, "waiting")).containsExactly(b, c);

        Res original = api.post(redrive, j("{'jobIds':['" + a + "','j0000000000000000','" + b + "'],'position':'original'}"));
        assertThat(original.status()).isEqualTo(200);
        assertThat(original.num("redriven")).isEqualTo(1);
        assertThat(job(name, a).get("position").asInt()).isEqualTo(1);

        kill(name, a);
        Res back = api.post(redrive, j("{'jobIds':['" + a + "'],'position':'back'}"));
        assertThat(back.num("redriven")).isEqualTo(1);
        assertThat(job(name, a).get("state").asString()).isEqualTo("waiting");
        assertThat(job(name, a).get("position").asInt()).isEqualTo(3);

        assertThat(api.post(redrive, j("{}")).num("redriven")).isZero();
    }

    @Test
    void requeueRescheduleAndCancel() {
        String name = server.semaphore("move", "{'limit':0}");
        String a = enqueue(name, "{'payload':'a'}");
        String b = enqueue(name, "{'payload':'b'}");
        String c = enqueue(name, "{'payload':'c'}");

        Res requeued = api.post(jobs(name) + "/" + a + "/requeue");
        assertThat(requeued.status()).isEqualTo(200);
        assertThat(requeued.str("state")).isEqualTo("waiting");
        assertThat(job(name, a).get("position").asInt()).isEqualTo(3);
        assertThat(job(name, b).get("position").asInt()).isEqualTo(1);

        Res rescheduled = api.post(jobs(name) + "/" + a + "/reschedule");
        assertThat(rescheduled.status()).isEqualTo(200);
        assertThat(job(name, a).get("position").asInt()).isEqualTo(1);

        Res cancelled = api.post(jobs(name) + "/" + c + "/cancel");
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.str("state")).isEqualTo("cancelled");
        assertThat(server.state(name).get("waiting").asInt()).isEqualTo(2);
        assertThat(ids(name, "cancelled")).containsExactly(c);

        for (String how : List.of("cancel", "requeue", "reschedule")) {
            Res r = api.post(jobs(name) + "/" + c + "/" + how);
            assertThat(r.status()).as(how).isEqualTo(409);
            assertThat(r.code()).isEqualTo("conflict");
            assertThat(api.post(jobs(name) + "/j0000000000000000/" + how).status()).isEqualTo(404);
        }
    }

    @Test
    void movingOrCancellingAnInflightJobFreesItsPermit() {
        String name = server.semaphore("moveinflight", "{'limit':1}");
        String a = enqueue(name, "{'payload':'a'}");
        String b = enqueue(name, "{'payload':'b'}");
        assertThat(claim(name, "{}").getFirst().get("jobId").asString()).isEqualTo(a);

        Res requeued = api.post(jobs(name) + "/" + a + "/requeue");
        assertThat(requeued.status()).isEqualTo(200);
        assertThat(server.state(name).get("inflight").asInt()).isZero();
        assertThat(claim(name, "{}").getFirst().get("jobId").asString()).isEqualTo(b);

        Res cancelled = api.post(jobs(name) + "/" + b + "/cancel");
        assertThat(cancelled.status()).isEqualTo(200);
        JsonNode state = server.state(name);
        assertThat(state.get("inUse").asInt()).isZero();
        assertThat(state.get("inflight").asInt()).isZero();
        assertThat(state.get("waiting").asInt()).isEqualTo(1);
        assertThat(api.post(jobs(name) + "/" + b + "/complete").status()).isEqualTo(409);

        // completed jobs cannot be moved
        assertThat(claim(name, "{}").getFirst().get("jobId").asString()).isEqualTo(a);
        assertThat(api.post(jobs(name) + "/" + a + "/complete").status()).isEqualTo(204);
        assertThat(api.post(jobs(name) + "/" + a + "/requeue").status()).isEqualTo(409);
        assertThat(api.post(jobs(name) + "/" + a + "/cancel").status()).isEqualTo(409);
    }

    @Test
    void purgeDeletesTheWaitingJobs() {
        String name = server.semaphore("purge", "{'limit':1}");
        String running = enqueue(name, "{'payload':0}");
        claim(name, "{}");
        for (int i = 0; i < 4; i++) {
            enqueue(name, "{'payload':" + i + "}");
        }
        Res r = api.delete(jobs(name) + "?state=waiting");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.num("deleted")).isEqualTo(4);
        assertThat(ids(name, "waiting")).isEmpty();
        assertThat(ids(name, "inflight")).containsExactly(running);
        assertThat(server.state(name).get("waiting").asInt()).isZero();
        assertThat(api.delete(jobs(name) + "?state=waiting").num("deleted")).isZero();
    }

    /** Batches: {@code POST …/jobs/batch} enqueues several jobs at once, {@code POST …/jobs/complete} completes several. */
    @Nested
    class Batches {
        private static List<JsonNode> elements(Res r, String field) {
            List<JsonNode> out = new ArrayList<>();
            r.json().get(field).forEach(out::add);
            return out;
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
            List<JsonNode> claimed = claim(name, "{'max':3}");
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
        void aBatchWithOneBadJobEnqueuesNoneAndNamesItByItsIndex() {
            String name = server.semaphore("batch-bad", "{'limit':0}");
            Res noPayload = api.post(jobs(name) + "/batch", j("{'jobs':[{'payload':1},{'payload':2},{'channel':'eu'}]}"));
            assertThat(noPayload.status()).isEqualTo(400);
            assertThat(noPayload.code()).isEqualTo("invalid_argument");
            assertThat(noPayload.json().get("detail").asString()).startsWith("jobs[2]: payload is required");
            assertThat(noPayload.json().get("index").asInt()).isEqualTo(2);
            Res badChannel = api.post(jobs(name) + "/batch", j("{'jobs':[{'payload':1},{'payload':2,'channel':'has space'}]}"));
            assertThat(badChannel.status()).isEqualTo(400);
            assertThat(badChannel.json().get("index").asInt()).isEqualTo(1);
            Res badPriority = api.post(jobs(name) + "/batch", j("{'jobs':[{'payload':1},{'payload':2,'priority':'high'}]}"));
            assertThat(badPriority.status()).isEqualTo(400);
            assertThat(badPriority.json().get("detail").asString()).as("a field's own check names the job too").startsWith("jobs[1]: priority");
            assertThat(badPriority.json().get("index").asInt()).isEqualTo(1);
            Res unknownField = api.post(jobs(name) + "/batch", j("{'jobs':[{'payload':1,'colour':'red'}]}"));
            assertThat(unknownField.status()).isEqualTo(400);
            assertThat(unknownField.json().get("index").asInt()).isZero();
            String big = "{\"jobs\":[{\"payload\":1},{\"payload\":\"" + "a".repeat(256 * 1024) + "\"}]}";
            Res tooLarge = api.post(jobs(name) + "/batch", big);
            assertThat(tooLarge.status()).isEqualTo(413);
            assertThat(tooLarge.code()).isEqualTo("payload_too_large");
            assertThat(tooLarge.json().get("index").asInt()).isEqualTo(1);
            Res notAList = api.post(jobs(name) + "/batch", "{\"jobs\":{}}");
            assertThat(notAList.status()).isEqualTo(400);
            assertThat(notAList.json().has("index")).as("a refusal of the whole request names no item").isFalse();
            assertThat(server.state(name).get("waiting").asInt()).as("no job of a refused batch is enqueued").isZero();

            Res badCompletion = api.post(jobs(name) + "/complete", j("{'jobs':[{'jobId':'j-1'},{'jobId':'not an id'}]}"));
            assertThat(badCompletion.status()).isEqualTo(400);
            assertThat(badCompletion.json().get("detail").asString()).startsWith("jobs[1]: jobId");
            assertThat(badCompletion.json().get("index").asInt()).isEqualTo(1);
            Res badRedrive = api.post("/v1/semaphores/" + name + "/dead-letters/redrive", j("{'jobIds':['j-1','j-2',7]}"));
            assertThat(badRedrive.status()).isEqualTo(400);
            assertThat(badRedrive.json().get("detail").asString()).startsWith("jobIds[2]: ");
            assertThat(badRedrive.json().get("index").asInt()).isEqualTo(2);
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
            List<JsonNode> claimed = claim(name, "{'max':3}");
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
            assertThat(claim(name, "{'max':3}")).as("the permits freed serve the next claim").hasSize(1);
        }

        @Test
        void aBatchCompletionWakesAWaitingClaim() throws Exception {
            String name = server.semaphore("batch-wake", "{'limit':1}");
            assertThat(api.post(jobs(name) + "/batch", batchOf(2)).status()).isEqualTo(202);
            JsonNode held = claim(name, "{'max':1}").getFirst();
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
            String id = claim(name, "{'max':1}").getFirst().get("jobId").asString();
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
}
