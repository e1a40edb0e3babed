package dev.sluice.server;

import static dev.sluice.server.Api.j;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.Api.Res;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes on one PostgreSQL database (SPEC §4: nodes are stateless, any node serves any
 * request). Wake-ups cross nodes by LISTEN/NOTIFY; G1 holds across nodes; timers run on every
 * node and each expiry is processed once.
 */
class MultiNodeTest {
    @TempDir
    static Path key;
    static List<TestServer> nodes = new ArrayList<>();

    @BeforeAll
    static void start() {
        String url = TestPostgres.url(key);
        for (int i = 0; i < 3; i++) {
            nodes.add(TestServer.start(ServerSettings.defaults().withPort(0).withDataDir(key.resolve("unused-" + i))
                    .withStoreUrl(url)));
        }
    }

    @AfterAll
    static void stop() {
        nodes.forEach(TestServer::close);
    }

    static Api node(int i) {
        return nodes.get(Math.floorMod(i, nodes.size())).api();
    }

    /**
     * A wait held on node B is granted by a release on node A long before the wait would elapse:
     * the grant is announced, not found when B's wait times out (which would also return it).
     */
    @Test
    void aReleaseOnOneNodeGrantsAWaitHeldOnAnother() {
        String name = nodes.get(0).semaphore("cross-wait", "{'limit':1}");
        String held = node(0).post("/v1/semaphores/" + name + "/permits").str("permitId");
        CompletableFuture<Res> waiting = node(1).sendAsync("POST", "/v1/semaphores/" + name + "/permits", j("{'wait':'PT120S'}"));
        nodes.get(2).awaitState(name, "waiting", 1);

        assertThat(node(0).delete("/v1/semaphores/" + name + "/permits/" + held).status()).isEqualTo(204);

        Res granted = waiting.orTimeout(60, TimeUnit.SECONDS).join();
        assertThat(granted.status()).as(granted.toString()).isEqualTo(201);
        assertThat(granted.num("fencingToken")).isEqualTo(2);
        assertThat(nodes.get(2).state(name).get("inUse").asInt()).isEqualTo(1);
    }

    /** A long-polling claim on node C is served when a job is enqueued on node A. */
    @Test
    void aJobEnqueuedOnOneNodeServesAClaimPendingOnAnother() {
        String name = nodes.get(0).semaphore("cross-claim", "{'limit':2}");
        CompletableFuture<Res> claim = node(2).sendAsync("POST", "/v1/semaphores/" + name + "/jobs/claim",
                j("{'max':1,'wait':'PT120S'}"));
        Awaitility.await().pollDelay(Duration.ofMillis(200)).until(() -> true);   // let the claim reach the registry
        String jobId = node(0).post("/v1/semaphores/" + name + "/jobs", j("{'payload':{'n':1}}")).str("jobId");

        Res claimed = claim.orTimeout(60, TimeUnit.SECONDS).join();
        assertThat(claimed.status()).isEqualTo(200);
        assertThat(claimed.json().get("jobs")).hasSize(1);
        assertThat(claimed.json().get("jobs").get(0).get("jobId").asString()).isEqualTo(jobId);
    }

    /** A capacity raise on one node grants the waits queued on the others, in order. */
    @Test
    void aLimitRaiseOnOneNodeGrantsWaitsOnAllNodes() {
        String name = nodes.get(0).semaphore("cross-raise", "{'limit':0}");
        List<CompletableFuture<Res>> waits = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            waits.add(node(i).sendAsync("POST", "/v1/semaphores/" + name + "/permits", j("{'wait':'PT120S'}")));
            nodes.get(0).awaitState(name, "waiting", i + 1);
        }
        assertThat(node(1).patch("/v1/semaphores/" + name, j("{'limit':6}")).status()).isEqualTo(200);
        for (int i = 0; i < waits.size(); i++) {
            Res r = waits.get(i).orTimeout(60, TimeUnit.SECONDS).join();
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
            assertThat(r.num("fencingToken")).as("FIFO across nodes").isEqualTo(i + 1);
        }
    }

    /**
     * G1 across nodes: 48 clients spread over three nodes, each acquiring (try or wait), holding a
     * moment and releasing through a node of its own choosing; an external count of holders never
     * exceeds the limit, and every grant has its own fencing token.
     */
    @Test
    void fortyEightClientsOnThreeNodesNeverExceedTheLimit() throws Exception {
        int limit = 4;
        String name = nodes.get(0).semaphore("cross-safety", "{'limit':" + limit + "}");
        AtomicInteger holders = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        ConcurrentLinkedQueue<Long> tokens = new ConcurrentLinkedQueue<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> clients = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < 48; c++) {
                int client = c;
                clients.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < 8; i++) {
                        boolean waits = (client + i) % 2 == 0;
                        Res r = node(client).post("/v1/semaphores/" + name + "/permits", j(waits ? "{'wait':'PT60S'}" : "{}"));
                        if (r.status() == 201) {
                            most.accumulateAndGet(holders.incrementAndGet(), Math::max);
                            tokens.add(r.num("fencingToken"));
                            Thread.sleep(2);
                            holders.decrementAndGet();
                            Res released = node(client + i + 1).delete("/v1/semaphores/" + name + "/permits/" + r.str("permitId"));
                            assertThat(released.status()).as(released.toString()).isEqualTo(204);
                        } else {
                            assertThat(r.status()).as(r.toString()).isEqualTo(429);
                            assertThat(waits).as("a wait of 60 s elapsed: %s", r).isFalse();
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : clients) {
                f.get(180, TimeUnit.SECONDS);
            }
        }
        assertThat(most.get()).isLessThanOrEqualTo(limit).isPositive();
        assertThat(tokens).doesNotHaveDuplicates();
        assertThat(tokens).hasSizeGreaterThanOrEqualTo(48 * 4);   // every wait was granted: at least half the attempts
        assertThat(nodes.get(1).state(name).get("inUse").asInt()).isZero();
    }

    /**
     * Leases ending on many semaphores are reclaimed once each, by whichever node claims the
     * semaphore's timer work: the permits come back (in use drops to zero, never below), their
     * late holders are told 410 on any node, and waits queued behind them on other nodes are granted.
     */
    @Test
    void expiredLeasesAreReclaimedOnceWhateverNodeKeepsTime() {
        List<String> names = new ArrayList<>();
        List<String> held = new ArrayList<>();
        List<CompletableFuture<Res>> waits = new ArrayList<>();
        for (int s = 0; s < 6; s++) {
            String name = nodes.get(s % 3).semaphore("expiry", "{'limit':3,'leaseTimeout':'PT1S'}");
            names.add(name);
            for (int p = 0; p < 3; p++) {
                held.add(name + "/permits/" + node(s + p).post("/v1/semaphores/" + name + "/permits").str("permitId"));
            }
            waits.add(node(s + 1).sendAsync("POST", "/v1/semaphores/" + name + "/permits", j("{'wait':'PT60S','leaseTimeout':'PT60S'}")));
        }
        for (CompletableFuture<Res> w : waits) {
            Res r = w.orTimeout(60, TimeUnit.SECONDS).join();
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
        }
        for (String name : names) {
            nodes.get(0).awaitState(name, "inUse", 1);
        }
        for (int i = 0; i < held.size(); i++) {
            Res late = node(i).delete("/v1/semaphores/" + held.get(i));
            assertThat(late.status()).as(late.toString()).isEqualTo(410);
        }
        for (String name : names) {
            assertThat(nodes.get(2).state(name).get("inUse").asInt()).isEqualTo(1);
        }
    }

    /**
     * Each node's gauges show the committed state, whichever node committed it: read from the
     * store at each scrape. A semaphore deleted through one node loses its series on the others
     * by their second scrape after (the first may have begun before it was deleted).
     */
    @Test
    void everyNodesGaugesShowTheCommittedStateWhicheverNodeCommittedIt() {
        String name = nodes.get(0).semaphore("cross-gauges", "{'limit':2}");
        for (int i = 1; i <= 2; i++) {
            assertThat(node(i).post("/v1/semaphores/" + name + "/permits").status()).isEqualTo(201);
        }
        assertThat(node(2).post("/v1/semaphores/" + name + "/jobs", j("{'payload':{}}")).status()).isEqualTo(202);
        for (int i = 0; i < 3; i++) {
            Scrape scrape = Scrape.of(node(i));
            assertThat(scrape.value("sluice_permits_in_use", "semaphore", name)).as("in use, on node %d", i).isEqualTo(2);
            assertThat(scrape.value("sluice_permits_limit", "semaphore", name)).as("limit, on node %d", i).isEqualTo(2);
            assertThat(scrape.value("sluice_jobs_waiting", "semaphore", name)).as("waiting, on node %d", i).isEqualTo(1);
        }
        assertThat(node(1).patch("/v1/semaphores/" + name, j("{'limit':5}")).status()).isEqualTo(200);
        assertThat(Scrape.of(node(0)).value("sluice_permits_limit", "semaphore", name)).isEqualTo(5);

        assertThat(node(0).delete("/v1/semaphores/" + name + "?force=true").status()).isEqualTo(204);
        assertThat(Scrape.of(node(0)).has("sluice_permits_in_use", "semaphore", name)).as("on the node that deleted it").isFalse();
        for (int i = 1; i < 3; i++) {
            Scrape.of(node(i));
            assertThat(Scrape.of(node(i)).has("sluice_permits_in_use", "semaphore", name)).as("on node %d", i).isFalse();
        }
    }

    /**
     * G5 across nodes: 240 jobs enqueued through all three nodes (a repeated idempotency key on
     * another node returns the first job), claimed by long-polling workers on all three: each job
     * is completed, none is lost, and none is held by two workers at once.
     */
    @Test
    void jobsEnqueuedOnAllNodesAreEachCompletedOnceByWorkersOnAllNodes() throws Exception {
        int total = 240;
        String name = nodes.get(0).semaphore("cross-jobs", "{'limit':5,'leaseTimeout':'PT60S'}");
        String jobs = "/v1/semaphores/" + name + "/jobs";
        java.util.Map<String, Integer> completions = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.Set<String> inProgress = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.Set<String> twice = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<String> ids = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < 6; w++) {
                int worker = w;
                workers.add(pool.submit(() -> {
                    while (!done.get()) {
                        Res claimed = node(worker).post(jobs + "/claim", j("{'max':3,'wait':'PT1S'}"));
                        assertThat(claimed.status()).as(claimed.toString()).isEqualTo(200);
                        for (var job : claimed.json().get("jobs")) {
                            String id = job.get("jobId").asString();
                            if (!inProgress.add(id)) {
                                twice.add(id);
                            }
                            Thread.sleep(1);
                            inProgress.remove(id);
                            completions.merge(id, 1, Integer::sum);
                            Res completed = node(worker + 1).post(jobs + "/" + id + "/complete",
                                    j("{'permitId':'" + job.get("permitId").asString() + "'}"));
                            assertThat(completed.status()).as(completed.toString()).isEqualTo(204);
                        }
                    }
                    return null;
                }));
            }
            List<Future<?>> producers = new ArrayList<>();
            for (int p = 0; p < 6; p++) {
                int producer = p;
                producers.add(pool.submit(() -> {
                    for (int i = producer; i < total; i += 6) {
                        Res r = node(i).post(jobs, j("{'payload':{'n':" + i + "},'idempotencyKey':'k" + i + "'}"));
                        assertThat(r.status()).as(r.toString()).isEqualTo(202);
                        ids.add(r.str("jobId"));
                        if (i % 40 == 0) {
                            Res again = node(i + 1).post(jobs, j("{'payload':{'n':" + i + "},'idempotencyKey':'k" + i + "'}"));
                            assertThat(again.status()).isEqualTo(200);
                            assertThat(again.str("jobId")).isEqualTo(r.str("jobId"));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : producers) {
                f.get(120, TimeUnit.SECONDS);
            }
            Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> completions.size() == total);
            done.set(true);
            for (Future<?> f : workers) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
        assertThat(twice).as("jobs held by two workers at once").isEmpty();
        assertThat(ids).hasSize(total).doesNotHaveDuplicates();
        assertThat(completions.keySet()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(completions.values()).containsOnly(1);
        for (String id : ids) {
            assertThat(node(id.hashCode()).get(jobs + "/" + id).json().get("state").asString()).isEqualTo("completed");
        }
        assertThat(nodes.get(0).state(name).get("inUse").asInt()).isZero();
    }
}
