package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code kill -9} of the server again and again while producers enqueue, workers claim and
 * complete, and holders acquire and release on one semaphore of limit 3; the server restarts on
 * the same data directory each time and the clients carry on (retrying an enqueue with its
 * idempotency key when its answer was lost). Then:
 * <ul>
 *   <li>every accepted job completes, at least once, and exactly the accepted jobs exist;</li>
 *   <li>no permit was ever over the limit: neither by the server's own count, sampled throughout,
 *       nor by the clients' account of what they held (each grant from its lease start, derived
 *       from {@code expiresAt}, to the moment its release was sent or its lease ended);</li>
 *   <li>every grant had its own fencing token;</li>
 *   <li>the store file passes {@code PRAGMA integrity_check} after every kill.</li>
 * </ul>
 * The CI form kills 5 times; {@code -Dsluice.faults.kills=20} (or more) runs the long form.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class CrashLoopTest {
    private static final int KILLS = Integer.getInteger("sluice.faults.kills", 5);
    private static final int LIMIT = 3;
    private static final long LEASE_MS = 2000;
    private static final String S = "/v1/semaphores/crash";

    @TempDir
    Path tmp;

    private volatile String base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final AtomicBoolean producing = new AtomicBoolean(true);
    private final AtomicBoolean running = new AtomicBoolean(true);

    /** One grant as its holder saw it: from its lease start to when it let go (or its lease ended). */
    private record Held(long from, long to, long token) {}

    private final Map<Integer, String> accepted = new ConcurrentHashMap<>();
    private final Set<String> delivered = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Held> held = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    private final AtomicInteger completions = new AtomicInteger();

    private record Answer(int status, JsonNode body) {}

    /** One request to whichever server is up now; null when none answered. */
    private Answer call(String method, String path, String json, String idempotencyKey) {
        String b = base;
        if (b == null) {
            pause();
            return null;
        }
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(b + path)).timeout(Duration.ofSeconds(20))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            req.header("Content-Type", "application/json");
        }
        if (idempotencyKey != null) {
            req.header("Idempotency-Key", idempotencyKey);
        }
        try {
            HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body() == null || r.body().isBlank() ? null : ServerProcess.JSON.readTree(r.body()));
        } catch (IOException e) {
            pause();
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long leaseStart(JsonNode grant) {
        return Instant.parse(grant.get("expiresAt").asString()).toEpochMilli() - LEASE_MS;
    }

    private static long leaseEnd(JsonNode grant) {
        return Instant.parse(grant.get("expiresAt").asString()).toEpochMilli();
    }

    private void produce(int thread) {
        for (int n = 0; producing.get(); n++) {
            int job = thread * 1_000_000 + n;
            String body = "{\"payload\": {\"job\": " + job + "}}";
            while (running.get()) {
                Answer a = call("POST", S + "/jobs", body, "job-" + job);   // same key on every retry: no duplicate
                if (a != null && (a.status() == 202 || a.status() == 200)) {
                    accepted.put(job, a.body().get("jobId").asString());
                    break;
                }
                if (a != null) {
                    violations.add("enqueue answered " + a.status() + " " + a.body());
                    pause();
                }
            }
        }
    }

    private void work() {
        while (running.get()) {
            Answer a = call("POST", S + "/jobs/claim", "{\"max\": 1, \"wait\": \"1s\", \"leaseTimeout\": \"2s\"}", null);
            if (a == null || a.status() != 200) {
                continue;
            }
            for (JsonNode job : a.body().get("jobs")) {
                delivered.add(job.get("jobId").asString());
                sleepUpTo(15);
                long released = System.currentTimeMillis();
                held.add(new Held(leaseStart(job), Math.min(released, leaseEnd(job)), job.get("fencingToken").asLong()));
                Answer done = call("POST", S + "/jobs/" + job.get("jobId").asString() + "/complete",
                        "{\"permitId\": \"" + job.get("permitId").asString() + "\"}", null);
                if (done != null && done.status() == 204) {
                    completions.incrementAndGet();
                }
            }
        }
    }

    private void hold() {
        while (running.get()) {
            Answer a = call("POST", S + "/permits", "{\"leaseTimeout\": \"2s\"}", null);
            if (a == null || a.status() != 201) {
                sleepUpTo(10);
                continue;
            }
            sleepUpTo(10);
            long released = System.currentTimeMillis();
            held.add(new Held(leaseStart(a.body()), Math.min(released, leaseEnd(a.body())), a.body().get("fencingToken").asLong()));
            call("DELETE", S + "/permits/" + a.body().get("permitId").asString(), null, null);
        }
    }

    private void observe() {
        while (running.get()) {
            Answer a = call("GET", S, null, null);
            if (a != null && a.status() == 200) {
                int inUse = a.body().get("state").get("inUse").asInt();
                if (inUse < 0 || inUse > LIMIT) {
                    violations.add("the server counts " + inUse + " permits in use, limit " + LIMIT);
                }
            }
            sleepUpTo(20);
        }
    }

    private static void sleepUpTo(int ms) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextInt(ms + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void afterRepeatedKill9UnderLoadEveryAcceptedJobCompletesNoPermitWasOverTheLimitAndTheFileIsSound() throws Exception {
        Path data = tmp.resolve("data");
        ServerProcess server = ServerProcess.start(data, tmp.resolve("server-0.log"));
        server.expect(201, "PUT", S, "{\"limit\": " + LIMIT + ", \"leaseTimeout\": \"2s\", \"onLeaseExpired\": \"retry\", "
                + "\"retry\": {\"maxAttempts\": 1000, \"initialBackoff\": \"0s\", \"maxBackoff\": \"1s\"}}");
        base = server.baseUrl();
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        for (int t = 0; t < 2; t++) {
            int thread = t;
            pool.submit(() -> produce(thread));
        }
        for (int t = 0; t < 4; t++) {
            pool.submit(this::work);
        }
        for (int t = 0; t < 2; t++) {
            pool.submit(this::hold);
        }
        pool.submit(this::observe);
        try {
            for (int kill = 1; kill <= KILLS; kill++) {
                int acceptedBefore = accepted.size();
                int completedBefore = completions.get();
                Awaitility.await("progress before kill " + kill).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(10))
                        .until(() -> accepted.size() >= acceptedBefore + 15 && completions.get() >= completedBefore + 5);
                sleepUpTo(200);   // somewhere in the middle of things
                base = null;
                server.kill();
                assertThat(DataFiles.integrityCheck(data)).as("integrity after kill " + kill).isEqualTo("ok");
                server = ServerProcess.start(data, tmp.resolve("server-" + kill + ".log"));
                base = server.baseUrl();
            }
            producing.set(false);
            ServerProcess last = server;
            Awaitility.await("every accepted job completed").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        JsonNode st = last.expect(200, "GET", S, null).body().get("state");
                        return st.get("waiting").asInt() == 0 && st.get("inflight").asInt() == 0 && accepted.size() == completedCount(last);
                    });
        } finally {
            running.set(false);
            pool.shutdown();
            pool.awaitTermination(60, TimeUnit.SECONDS);
        }
        try {
            for (Map.Entry<Integer, String> job : accepted.entrySet()) {
                JsonNode view = server.expect(200, "GET", S + "/jobs/" + job.getValue(), null).body();
                assertThat(view.get("state").asString()).as("job " + job.getKey()).isEqualTo("completed");
                assertThat(view.get("payload").get("job").asInt()).isEqualTo(job.getKey());
                assertThat(delivered).as("delivered to a worker").contains(job.getValue());
            }
            assertThat(completedCount(server)).as("completed jobs, exactly the accepted ones").isEqualTo(accepted.size());
        } finally {
            server.close();
        }
        assertThat(DataFiles.integrityCheck(data)).isEqualTo("ok");
        assertThat(violations).isEmpty();
        assertThat(maxHeldAtOnce()).as("most permits held at once, by the clients' account").isBetween(1, LIMIT);
        List<Long> tokens = held.stream().map(Held::token).toList();
        assertThat(Set.copyOf(tokens)).as("one fencing token per grant").hasSize(tokens.size());
        assertThat(accepted.size()).as("jobs accepted over " + KILLS + " kills").isGreaterThanOrEqualTo(15 * KILLS);
    }

    private static int completedCount(ServerProcess server) throws IOException, InterruptedException {
        int n = 0;
        String cursor = null;
        do {
            JsonNode page = server.expect(200, "GET", S + "/jobs?state=completed&limit=1000" + (cursor == null ? "" : "&cursor=" + cursor), null).body();
            n += page.get("items").size();
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asString();
        } while (cursor != null);
        return n;
    }

    /** The most grants whose holding intervals overlap: ends before starts at the same instant. */
    private int maxHeldAtOnce() {
        List<long[]> events = new ArrayList<>();
        for (Held h : held) {
            if (h.to() > h.from()) {
                events.add(new long[] {h.from(), +1});
                events.add(new long[] {h.to(), -1});
            }
        }
        events.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        int now = 0;
        int max = 0;
        for (long[] e : events) {
            now += (int) e[1];
            max = Math.max(max, now);
        }
        return max;
    }
}
