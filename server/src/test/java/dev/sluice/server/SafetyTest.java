package dev.sluice.server;

import static dev.sluice.server.Api.j;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.Api.Res;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** G1 (safety under many concurrent clients), fencing tokens, and G6 (no over-release). */
class SafetyTest {
    private static final int CLIENTS = 48;
    private static final int ITERATIONS = 16;

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

    private static String permits(String name) {
        return "/v1/semaphores/" + name + "/permits";
    }

    /** What the clients of one run saw. */
    private static final class Run {
        final AtomicInteger holders = new AtomicInteger();
        final AtomicInteger most = new AtomicInteger();
        final ConcurrentHashMap<String, AtomicInteger> holdersByChannel = new ConcurrentHashMap<>();
        final ConcurrentHashMap<String, AtomicInteger> mostByChannel = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<Long> tokens = new ConcurrentLinkedQueue<>();
        final AtomicInteger refused = new AtomicInteger();

        void enter(String channel) {
            int now = holders.incrementAndGet();
            most.accumulateAndGet(now, Math::max);
            int inChannel = holdersByChannel.computeIfAbsent(channel, c -> new AtomicInteger()).incrementAndGet();
            mostByChannel.computeIfAbsent(channel, c -> new AtomicInteger()).accumulateAndGet(inChannel, Math::max);
        }

        void leave(String channel) {
            holdersByChannel.get(channel).decrementAndGet();
            holders.decrementAndGet();
        }
    }

    /**
     * Every client acquires (alternately try and wait), holds a few milliseconds, releases. The
     * count of holders is incremented after a 201 and decremented before the release is sent,
     * so it never exceeds what the server holds.
     */
    private static Run hammer(String name, List<String> channels) throws Exception {
        Run run = new Run();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> clients = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                clients.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < ITERATIONS; i++) {
                        String channel = channels.get((client + i) % channels.size());
                        boolean waits = (client + i) % 2 == 0;
                        String body = "{'channel':'" + channel + "'" + (waits ? ",'wait':'PT20S'" : "") + "}";
                        Res r = api.post(permits(name), j(body));
                        if (r.status() == 201) {
                            run.enter(channel);
                            run.tokens.add(r.num("fencingToken"));
                            assertThat(r.str("channel")).isEqualTo(channel);
                            Thread.sleep(2);   // the work the permit guards
                            run.leave(channel);
                            Res released = api.delete(permits(name) + "/" + r.str("permitId"));
                            assertThat(released.status()).as(released.toString()).isEqualTo(204);
                        } else {
                            assertThat(r.status()).as(r.toString()).isEqualTo(429);
                            assertThat(r.code()).isEqualTo("limit_reached");
                            assertThat(waits).as("a wait of 20 s elapsed: %s", r).isFalse();
                            run.refused.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : clients) {
                f.get(90, TimeUnit.SECONDS);
            }
        }
        return run;
    }

    private static void assertTokensAreEveryGrantOnce(Run run) {
        List<Long> tokens = new ArrayList<>(run.tokens);
        assertThat(tokens).doesNotHaveDuplicates();
        // every grant reached its client: the tokens are exactly 1..n
        assertThat(tokens.stream().sorted().toList()).isEqualTo(LongStream.rangeClosed(1, tokens.size()).boxed().toList());
    }

    @Test
    void neverMoreHoldersThanTheLimit() throws Exception {
        String name = server.semaphore("g1", "{'limit':5}");
        Run run = hammer(name, List.of("default"));
        assertThat(run.most.get()).isBetween(2, 5);
        assertThat(run.tokens.size() + run.refused.get()).isEqualTo(CLIENTS * ITERATIONS);
        assertThat(run.tokens.size()).isGreaterThanOrEqualTo(CLIENTS * ITERATIONS / 2);   // every wait was granted
        assertTokensAreEveryGrantOnce(run);
        assertThat(server.state(name).get("inUse").asInt()).isZero();
        assertThat(server.state(name).get("waiting").asInt()).isZero();
    }

    @Test
    void neverMoreHoldersThanTheChannelLimit() throws Exception {
        String name = server.semaphore("g1ch", "{'limit':6,'channelLimit':2}");
        List<String> channels = List.of("c0", "c1", "c2", "c3");
        Run run = hammer(name, channels);
        assertThat(run.most.get()).isBetween(2, 6);
        for (String channel : channels) {
            assertThat(run.mostByChannel.get(channel).get()).as(channel).isBetween(1, 2);
        }
        assertTokensAreEveryGrantOnce(run);
        assertThat(server.state(name).get("inUse").asInt()).isZero();
        assertThat(server.state(name).get("waiting").asInt()).isZero();
    }

    /** Permits and jobs draw on the same capacity: workers claiming jobs count as holders too. */
    @Test
    void neverMoreHoldersThanTheLimitWithJobsToo() throws Exception {
        String name = server.semaphore("g1jobs", "{'limit':5}");
        String jobs = "/v1/semaphores/" + name + "/jobs";
        int total = 120;
        AtomicInteger completed = new AtomicInteger();
        Run run = new Run();
        List<Future<?>> tasks = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int p = 0; p < 4; p++) {
                int producer = p;
                tasks.add(pool.submit(() -> {
                    for (int i = 0; i < total / 4; i++) {
                        Res r = api.post(jobs, j("{'payload':{'p':" + producer + ",'i':" + i + "}}"));
                        assertThat(r.status()).as(r.toString()).isEqualTo(202);
                    }
                    return null;
                }));
            }
            for (int w = 0; w < 8; w++) {
                tasks.add(pool.submit(() -> {
                    while (completed.get() < total) {
                        Res r = api.post(jobs + "/claim", j("{'max':2,'wait':'PT1S'}"));
                        assertThat(r.status()).as(r.toString()).isEqualTo(200);
                        for (JsonNode job : r.json().get("jobs")) {
                            run.enter("default");
                            run.tokens.add(job.get("fencingToken").asLong());
                        }
                        Thread.sleep(2);
                        for (JsonNode job : r.json().get("jobs")) {
                            run.leave("default");
                            Res done = api.post(jobs + "/" + job.get("jobId").asString() + "/complete");
                            assertThat(done.status()).as(done.toString()).isEqualTo(204);
                            completed.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (int c = 0; c < 24; c++) {
                int client = c;
                tasks.add(pool.submit(() -> {
                    for (int i = 0; i < ITERATIONS / 2; i++) {
                        boolean waits = (client + i) % 2 == 0;
                        Res r = api.post(permits(name), waits ? j("{'wait':'PT20S'}") : null);
                        if (r.status() == 201) {
                            run.enter("default");
                            run.tokens.add(r.num("fencingToken"));
                            Thread.sleep(2);
                            run.leave("default");
                            assertThat(api.delete(permits(name) + "/" + r.str("permitId")).status()).isEqualTo(204);
                        } else {
                            assertThat(r.status()).as(r.toString()).isEqualTo(429);
                            assertThat(waits).as("a wait of 20 s elapsed: %s", r).isFalse();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : tasks) {
                f.get(90, TimeUnit.SECONDS);
            }
        }
        assertThat(completed.get()).isEqualTo(total);
        assertThat(run.most.get()).isBetween(2, 5);
        assertTokensAreEveryGrantOnce(run);
        JsonNode state = server.state(name);
        assertThat(state.get("inUse").asInt()).isZero();
        assertThat(state.get("waiting").asInt()).isZero();
        assertThat(state.get("inflight").asInt()).isZero();
    }

    @Test
    void fencingTokensIncreaseInGrantOrder() {
        String name = server.semaphore("fence", "{'limit':1}");
        String base = "/v1/semaphores/" + name;
        long last = 0;
        for (int i = 0; i < 12; i++) {
            long token;
            if (i % 3 == 2) {   // a job's grant draws from the same sequence
                Res job = api.post(base + "/jobs", j("{'payload':1}"));
                JsonNode claimed = api.post(base + "/jobs/claim").json().get("jobs").get(0);
                token = claimed.get("fencingToken").asLong();
                assertThat(api.post(base + "/jobs/" + job.str("jobId") + "/complete").status()).isEqualTo(204);
            } else {
                Res r = api.post(permits(name), i % 3 == 0 ? null : j("{'wait':'PT5S'}"));
                assertThat(r.status()).isEqualTo(201);
                token = r.num("fencingToken");
                api.delete(permits(name) + "/" + r.str("permitId"));
            }
            assertThat(token).isGreaterThan(last);
            last = token;
        }
    }

    /** G6: the same release from ten clients at once frees one unit, once. */
    @Test
    void concurrentDuplicateReleasesFreeOnePermit() throws Exception {
        String name = server.semaphore("g6", "{'limit':3}");
        List<String> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(api.post(permits(name)).str("permitId"));
        }
        for (String id : List.copyOf(held)) {
            List<Res> answers = releaseConcurrently(name, id, 10);
            assertThat(answers).extracting(Res::status).containsOnly(204);
            held.remove(id);
            assertThat(server.state(name).get("inUse").asInt()).isEqualTo(held.size());
        }
        // three were released, so exactly three come back
        for (int i = 0; i < 3; i++) {
            assertThat(api.post(permits(name)).status()).isEqualTo(201);
        }
        assertThat(api.post(permits(name)).status()).isEqualTo(429);
    }

    /** G6 with waiters: the freed unit goes to one waiter; the other keeps waiting. */
    @Test
    void concurrentDuplicateReleasesGrantOneWaiter() throws Exception {
        String name = server.semaphore("g6w", "{'limit':2}");
        String a = api.post(permits(name)).str("permitId");
        assertThat(api.post(permits(name)).status()).isEqualTo(201);
        var first = api.sendAsync("POST", permits(name), j("{'wait':'PT20S'}"));
        server.awaitState(name, "waiting", 1);
        var second = api.sendAsync("POST", permits(name), j("{'wait':'PT2S'}"));
        server.awaitState(name, "waiting", 2);

        List<Res> answers = releaseConcurrently(name, a, 10);
        assertThat(answers).extracting(Res::status).containsOnly(204);
        assertThat(first.get(10, TimeUnit.SECONDS).status()).isEqualTo(201);
        assertThat(server.state(name).get("inUse").asInt()).isEqualTo(2);
        Res late = second.get(10, TimeUnit.SECONDS);
        assertThat(late.status()).isEqualTo(429);
        assertThat(late.code()).isEqualTo("limit_reached");
        assertThat(server.state(name).get("waiting").asInt()).isZero();
    }

    private static List<Res> releaseConcurrently(String name, String permitId, int clients) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Res>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < clients; i++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return api.delete(permits(name) + "/" + permitId);
                }));
            }
            go.countDown();
            List<Res> out = new ArrayList<>();
            for (Future<Res> f : futures) {
                out.add(f.get(30, TimeUnit.SECONDS));
            }
            return out;
        }
    }
}
