package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.sluice.cli.ServerProcess.Reply;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * G2 (SPEC §2): a {@code 201} permit or {@code 202} job is committed before the answer, so it
 * survives {@code kill -9} of the server. The server runs as a child JVM ({@code sluice server});
 * it is killed with SIGKILL while a concurrent load runs, restarted on the same data directory,
 * and everything that was acknowledged is checked.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DurabilityTest {
    private static final int SIGKILLED = 128 + 9;
    private static final List<String> CONFIG_FIELDS =
            List.of("limit", "channelLimit", "leaseTimeout", "paused", "delivery", "retry", "onLeaseExpired", "createdAt");

    @TempDir
    Path tmp;

    private record Acked(String semaphore, String jobId, int thread, int n) {}

    @Test
    void acknowledgedConfigPermitsAndJobsSurviveKill9DuringEnqueueLoad() throws Exception {
        Path data = tmp.resolve("data");
        ServerProcess s1 = ServerProcess.start(data, tmp.resolve("server-1.log"));
        Set<Long> tokensBefore = new HashSet<>();
        ObjectNode alphaBefore;
        ObjectNode gammaBefore;
        String p1;
        String p2;
        String jobDead;
        String jobInflight;
        String jobInflightPermit;
        String w1;
        String w2;
        String w3;
        ConcurrentLinkedQueue<Acked> acked = new ConcurrentLinkedQueue<>();
        try {
            // alpha: limit 3, channelLimit 2, custom retry policy (1 attempt), 10-minute leases
            s1.expect(201, "PUT", "/v1/semaphores/alpha", """
                    {"limit": 3, "channelLimit": 2, "leaseTimeout": "PT10M", "onLeaseExpired": "retry",
                     "retry": {"maxAttempts": 1, "initialBackoff": "PT2S", "maxBackoff": "PT1M", "onExhausted": "deadletter"}}""");
            // gamma: created, then paused (ingress goes on)
            s1.expect(201, "PUT", "/v1/semaphores/gamma", "{\"limit\": 5}");
            s1.expect(200, "POST", "/v1/semaphores/gamma/pause", "{}");
            s1.expect(200, "POST", "/v1/semaphores/alpha/pause", "{\"channel\": \"frozen\"}");

            // a job that fails on its only attempt: dead
            jobDead = s1.expect(202, "POST", "/v1/semaphores/alpha/jobs", "{\"payload\": {\"kind\": \"poison\"}, \"channel\": \"x\"}").str("jobId");
            JsonNode claimedDead = claimOne(s1, "alpha");
            assertThat(claimedDead.get("jobId").asString()).isEqualTo(jobDead);
            tokensBefore.add(claimedDead.get("fencingToken").asLong());
            s1.expect(204, "POST", "/v1/semaphores/alpha/jobs/" + jobDead + "/fail", "{\"error\": \"boom\"}");
            assertThat(s1.expect(200, "GET", "/v1/semaphores/alpha/jobs/" + jobDead, null).str("state")).isEqualTo("dead");

            // two permits held on channel a (its channelLimit)
            Reply r1 = s1.expect(201, "POST", "/v1/semaphores/alpha/permits", "{\"channel\": \"a\"}");
            Reply r2 = s1.expect(201, "POST", "/v1/semaphores/alpha/permits", "{\"channel\": \"a\"}");
            p1 = r1.str("permitId");
            p2 = r2.str("permitId");
            tokensBefore.add(r1.body().get("fencingToken").asLong());
            tokensBefore.add(r2.body().get("fencingToken").asLong());
            assertThat(s1.call("POST", "/v1/semaphores/alpha/permits", "{\"channel\": \"a\"}").status())
                    .as("channelLimit 2 on channel a").isEqualTo(429);

            // one job inflight on channel b: alpha is now full (3 of 3)
            jobInflight = s1.expect(202, "POST", "/v1/semaphores/alpha/jobs", "{\"payload\": {\"kind\": \"inflight\"}, \"channel\": \"b\"}").str("jobId");
            JsonNode claimedInflight = claimOne(s1, "alpha");
            assertThat(claimedInflight.get("jobId").asString()).isEqualTo(jobInflight);
            jobInflightPermit = claimedInflight.get("permitId").asString();
            tokensBefore.add(claimedInflight.get("fencingToken").asLong());

            // waiting jobs, with priorities and an idempotency key
            w1 = s1.expect(202, "POST", "/v1/semaphores/alpha/jobs", "{\"payload\": {\"w\": 1}, \"channel\": \"b\"}").str("jobId");
            w2 = s1.expect(202, "POST", "/v1/semaphores/alpha/jobs", "{\"payload\": {\"w\": 2}, \"channel\": \"c\", \"priority\": 5}").str("jobId");
            w3 = s1.expect(202, "POST", "/v1/semaphores/alpha/jobs",
                    "{\"payload\": {\"w\": 3}, \"priority\": -1, \"idempotencyKey\": \"order-42\"}").str("jobId");
            assertThat(s1.expect(200, "POST", "/v1/semaphores/alpha/jobs",
                    "{\"payload\": {\"w\": 3}, \"idempotencyKey\": \"order-42\"}").str("jobId")).isEqualTo(w3);

            alphaBefore = (ObjectNode) s1.expect(200, "GET", "/v1/semaphores/alpha", null).body();
            gammaBefore = (ObjectNode) s1.expect(200, "GET", "/v1/semaphores/gamma", null).body();
            assertThat(alphaBefore.get("state").get("inUse").asInt()).isEqualTo(3);
            assertThat(alphaBefore.get("state").get("inflight").asInt()).isEqualTo(1);
            assertThat(alphaBefore.get("state").get("dead").asInt()).isEqualTo(1);
            assertThat(gammaBefore.get("paused").asBoolean()).isTrue();

            // the load: concurrent enqueues from several threads, killed in the middle
            int threads = 8;
            AtomicInteger failures = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                workers.add(pool.submit(() -> {
                    for (int n = 0; ; n++) {
                        String sem = n % 3 == 0 ? "gamma" : "alpha";
                        String body = "{\"payload\": {\"t\": " + thread + ", \"n\": " + n + "}, \"channel\": \"load-" + (n % 4) + "\"}";
                        try {
                            Reply r = s1.call("POST", "/v1/semaphores/" + sem + "/jobs", body);
                            if (r.status() == 202) {
                                acked.add(new Acked(sem, r.str("jobId"), thread, n));
                            } else {
                                failures.incrementAndGet();
                                return;
                            }
                        } catch (IOException e) {
                            return;   // the server is gone
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (acked.size() < 300 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(acked.size()).as("enqueues acknowledged before the kill").isGreaterThanOrEqualTo(300);
            assertThat(workers).as("the load is still running at the kill").noneMatch(Future::isDone);
            assertThat(s1.kill()).as("exit code of a SIGKILLed process").isEqualTo(SIGKILLED);
            pool.shutdown();
            assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
            assertThat(failures.get()).as("non-202 answers during the load").isZero();
        } finally {
            s1.close();
        }

        long maxTokenBefore = tokensBefore.stream().mapToLong(Long::longValue).max().orElseThrow();
        try (ServerProcess s2 = ServerProcess.start(data, tmp.resolve("server-2.log"))) {
            // configs identical
            ObjectNode alphaAfter = (ObjectNode) s2.expect(200, "GET", "/v1/semaphores/alpha", null).body();
            ObjectNode gammaAfter = (ObjectNode) s2.expect(200, "GET", "/v1/semaphores/gamma", null).body();
            for (String f : CONFIG_FIELDS) {
                assertThat(alphaAfter.get(f)).as("alpha." + f).isEqualTo(alphaBefore.get(f));
                assertThat(gammaAfter.get(f)).as("gamma." + f).isEqualTo(gammaBefore.get(f));
            }
            assertThat(gammaAfter.get("paused").asBoolean()).as("gamma still paused").isTrue();
            assertThat(alphaAfter.get("state").get("pausedChannels").toString()).isEqualTo("[\"frozen\"]");
            JsonNode st = alphaAfter.get("state");
            assertThat(st.get("inUse").asInt()).as("alpha inUse").isEqualTo(3);
            assertThat(st.get("inflight").asInt()).isEqualTo(1);
            assertThat(st.get("dead").asInt()).isEqualTo(1);
            long ackedAlpha = acked.stream().filter(a -> a.semaphore().equals("alpha")).count();
            long ackedGamma = acked.size() - ackedAlpha;
            // an enqueue in flight at the kill may have committed without its answer: at least, never fewer
            assertThat(st.get("waiting").asLong()).as("alpha waiting").isBetween(3 + ackedAlpha, 3 + ackedAlpha + 8);
            assertThat(gammaAfter.get("state").get("waiting").asLong()).as("gamma waiting").isBetween(ackedGamma, ackedGamma + 8);
            Reply pausedTry = s2.call("POST", "/v1/semaphores/gamma/permits", "{}");
            assertThat(pausedTry.status()).isEqualTo(429);
            assertThat(pausedTry.str("code")).isEqualTo("paused");

            // every acknowledged job is there, waiting, with its payload
            checkAllPresent(s2, acked);

            // the jobs set up before the load, in their states
            assertThat(s2.expect(200, "GET", "/v1/semaphores/alpha/jobs/" + w1, null).str("state")).isEqualTo("waiting");
            Reply w2View = s2.expect(200, "GET", "/v1/semaphores/alpha/jobs/" + w2, null);
            assertThat(w2View.str("state")).isEqualTo("waiting");
            assertThat(w2View.body().get("priority").asInt()).isEqualTo(5);
            Reply w3View = s2.expect(200, "GET", "/v1/semaphores/alpha/jobs/" + w3, null);
            assertThat(w3View.str("idempotencyKey")).isEqualTo("order-42");
            assertThat(w3View.body().get("priority").asInt()).isEqualTo(-1);
            Reply inflight = s2.expect(200, "GET", "/v1/semaphores/alpha/jobs/" + jobInflight, null);
            assertThat(inflight.str("state")).isEqualTo("inflight");
            assertThat(inflight.str("permitId")).isEqualTo(jobInflightPermit);
            Reply dead = s2.expect(200, "GET", "/v1/semaphores/alpha/jobs?state=dead", null);
            assertThat(dead.body().get("items")).hasSize(1);
            assertThat(dead.body().get("items").get(0).get("jobId").asString()).isEqualTo(jobDead);
            assertThat(dead.body().get("items").get(0).get("lastError").asString()).isEqualTo("boom");

            // the idempotency key still deduplicates, in the body and in the header
            Reply again = s2.expect(200, "POST", "/v1/semaphores/alpha/jobs", "{\"payload\": {\"w\": 3}, \"idempotencyKey\": \"order-42\"}");
            assertThat(again.str("jobId")).isEqualTo(w3);
            Reply againHeader = s2.call("POST", "/v1/semaphores/alpha/jobs", "{\"payload\": {\"w\": 3}}", "order-42");
            assertThat(againHeader.status()).isEqualTo(200);
            assertThat(againHeader.str("jobId")).isEqualTo(w3);

            // held permits are still held: each release frees exactly one, and only once
            s2.expect(204, "DELETE", "/v1/semaphores/alpha/permits/" + p1, null);
            assertThat(inUse(s2, "alpha")).isEqualTo(2);
            s2.expect(204, "DELETE", "/v1/semaphores/alpha/permits/" + p1, null);
            assertThat(inUse(s2, "alpha")).as("a repeated release frees nothing").isEqualTo(2);
            s2.expect(204, "DELETE", "/v1/semaphores/alpha/permits/" + p2, null);
            assertThat(inUse(s2, "alpha")).isEqualTo(1);

            // the inflight job still holds its permit: its worker can heartbeat and complete it
            s2.expect(200, "POST", "/v1/semaphores/alpha/jobs/" + jobInflight + "/heartbeat", "{}");
            s2.expect(204, "POST", "/v1/semaphores/alpha/jobs/" + jobInflight + "/complete", "{\"permitId\": \"" + jobInflightPermit + "\"}");
            assertThat(inUse(s2, "alpha")).isEqualTo(0);

            // new grants: queue order kept (priority 5 first, then the oldest), tokens above every earlier one
            Reply claimed = s2.expect(200, "POST", "/v1/semaphores/alpha/jobs/claim", "{\"max\": 2}");
            JsonNode jobs = claimed.body().get("jobs");
            assertThat(jobs).hasSize(2);
            assertThat(jobs.get(0).get("jobId").asString()).isEqualTo(w2);
            assertThat(jobs.get(1).get("jobId").asString()).isEqualTo(w1);
            for (JsonNode j : jobs) {
                assertThat(j.get("fencingToken").asLong()).as("fencing token after restart").isGreaterThan(maxTokenBefore);
            }
            // a try does not jump the waiting queue: the free permit is set aside for the next waiting job
            assertThat(s2.call("POST", "/v1/semaphores/alpha/permits", "{\"channel\": \"a\"}").status()).isEqualTo(429);
            JsonNode third = claimOne(s2, "alpha");
            assertThat(third.get("fencingToken").asLong()).isGreaterThan(jobs.get(1).get("fencingToken").asLong());
            assertThat(inUse(s2, "alpha")).isEqualTo(3);
        }
    }

    @Test
    void inUseMatchesAcknowledgedPermitsAfterKill9DuringAcquireReleaseLoad() throws Exception {
        Path data = tmp.resolve("data");
        int threads = 8;
        // per permit: acknowledged 201 and not (yet) released
        Set<String> held = ConcurrentHashMap.newKeySet();
        // permits whose release was sent but got no answer: released or not, unknown
        Set<String> releaseUnknown = ConcurrentHashMap.newKeySet();
        Set<String> releasedIds = ConcurrentHashMap.newKeySet();
        AtomicInteger acquireUnknown = new AtomicInteger();
        AtomicInteger acquired = new AtomicInteger();
        AtomicInteger released = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        AtomicLong maxToken = new AtomicLong();
        Map<String, String> unexpected = new ConcurrentHashMap<>();

        try (ServerProcess s1 = ServerProcess.start(data, tmp.resolve("server-1.log"))) {
            s1.expect(201, "PUT", "/v1/semaphores/beta", "{\"limit\": 100000, \"leaseTimeout\": \"PT10M\"}");
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    List<String> mine = new ArrayList<>();
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    while (true) {
                        if (!mine.isEmpty() && rnd.nextInt(100) < 45) {
                            String id = mine.remove(rnd.nextInt(mine.size()));
                            held.remove(id);
                            try {
                                Reply r = s1.call("DELETE", "/v1/semaphores/beta/permits/" + id, null);
                                if (r.status() != 204) {
                                    unexpected.put(id, "release: " + r);
                                    failures.incrementAndGet();
                                    return;
                                }
                                released.incrementAndGet();
                                releasedIds.add(id);
                            } catch (IOException | InterruptedException e) {
                                releaseUnknown.add(id);
                                return;
                            }
                        } else {
                            try {
                                Reply r = s1.call("POST", "/v1/semaphores/beta/permits", "{\"channel\": \"ch-" + rnd.nextInt(4) + "\"}");
                                if (r.status() != 201) {
                                    unexpected.put("acquire-" + System.nanoTime(), r.toString());
                                    failures.incrementAndGet();
                                    return;
                                }
                                String id = r.str("permitId");
                                maxToken.accumulateAndGet(r.body().get("fencingToken").asLong(), Math::max);
                                mine.add(id);
                                held.add(id);
                                acquired.incrementAndGet();
                            } catch (IOException | InterruptedException e) {
                                acquireUnknown.incrementAndGet();
                                return;
                            }
                        }
                    }
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while ((acquired.get() < 400 || released.get() < 200) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(workers).as("the load is still running at the kill").noneMatch(Future::isDone);
            assertThat(s1.kill()).isEqualTo(SIGKILLED);
            pool.shutdown();
            assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
            assertThat(unexpected).isEmpty();
            assertThat(failures.get()).isZero();
            assertThat(acquired.get()).isGreaterThanOrEqualTo(400);
            assertThat(released.get()).isGreaterThanOrEqualTo(200);
        }

        try (ServerProcess s2 = ServerProcess.start(data, tmp.resolve("server-2.log"))) {
            int ackedHeld = held.size();
            List<String> resurrected = new ArrayList<>();
            for (String id : releasedIds) {
                Reply hb = s2.call("POST", "/v1/semaphores/beta/permits/" + id + "/heartbeat", "{}");
                if (hb.status() != 404) {
                    resurrected.add(id + " " + hb);
                }
            }
            assertThat(resurrected).as("permits whose release was acknowledged (204) but is held again after the restart").isEmpty();
            int inUse = inUse(s2, "beta");
            // Exactly the acknowledged, unreleased permits, plus whatever the requests cut off by the kill did
            // (at most one per thread, outcome unknown): a release that did not commit, an acquire that did.
            assertThat(releaseUnknown.size() + acquireUnknown.get()).isLessThanOrEqualTo(threads);
            assertThat(inUse).as("inUse after restart; acked held %d, release unknown %d, acquire unknown %d",
                            ackedHeld, releaseUnknown.size(), acquireUnknown.get())
                    .isBetween(ackedHeld, ackedHeld + releaseUnknown.size() + acquireUnknown.get());

            // settle the unknown releases: releasing is idempotent, so each answers 204 either way
            for (String id : releaseUnknown) {
                s2.expect(204, "DELETE", "/v1/semaphores/beta/permits/" + id, null);
            }
            int settled = inUse(s2, "beta");
            assertThat(settled).isBetween(ackedHeld, ackedHeld + acquireUnknown.get());
            int extra = settled - ackedHeld;   // acquires committed at the kill whose 201 never arrived

            // every acknowledged permit is held: each release answers 204 and frees exactly one
            int i = 0;
            for (String id : held) {
                s2.expect(204, "DELETE", "/v1/semaphores/beta/permits/" + id, null);
                i++;
                if (i <= 5) {
                    assertThat(inUse(s2, "beta")).isEqualTo(settled - i);
                }
            }
            assertThat(inUse(s2, "beta")).as("after releasing every acknowledged permit").isEqualTo(extra);

            Reply fresh = s2.expect(201, "POST", "/v1/semaphores/beta/permits", "{}");
            assertThat(fresh.body().get("fencingToken").asLong()).as("fencing token after restart").isGreaterThan(maxToken.get());
        }
    }

    private static JsonNode claimOne(ServerProcess s, String semaphore) throws IOException, InterruptedException {
        JsonNode jobs = s.expect(200, "POST", "/v1/semaphores/" + semaphore + "/jobs/claim", "{\"max\": 1}").body().get("jobs");
        assertThat(jobs).hasSize(1);
        return jobs.get(0);
    }

    private static int inUse(ServerProcess s, String semaphore) throws IOException, InterruptedException {
        return s.expect(200, "GET", "/v1/semaphores/" + semaphore, null).body().get("state").get("inUse").asInt();
    }

    /** GETs every acknowledged job (in parallel) and checks it is waiting with the payload it was sent with. */
    private static void checkAllPresent(ServerProcess s, ConcurrentLinkedQueue<Acked> acked) throws Exception {
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (Acked a : acked) {
                pool.submit(() -> {
                    try {
                        Reply r = s.call("GET", "/v1/semaphores/" + a.semaphore() + "/jobs/" + a.jobId(), null);
                        if (r.status() != 200) {
                            problems.add(a + ": " + r);
                        } else if (!"waiting".equals(r.str("state"))
                                || r.body().get("payload").get("t").asInt() != a.thread()
                                || r.body().get("payload").get("n").asInt() != a.n()) {
                            problems.add(a + ": " + r);
                        }
                    } catch (Exception e) {
                        problems.add(a + ": " + e);
                    }
                });
            }
        }
        if (!problems.isEmpty()) {
            fail(problems.size() + " of " + acked.size() + " acknowledged jobs lost or changed, e.g. " + problems.peek());
        }
    }
}
