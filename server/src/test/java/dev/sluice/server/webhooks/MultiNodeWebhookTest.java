package dev.sluice.server.webhooks;

import static dev.sluice.server.Api.j;
import static dev.sluice.server.webhooks.Hooks.jobs;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.Api;
import dev.sluice.server.Api.Res;
import dev.sluice.server.ServerSettings;
import dev.sluice.server.TestPostgres;
import dev.sluice.server.TestServer;
import dev.sluice.server.webhooks.Receiver.Delivery;
import dev.sluice.store.WorkClaim;
import dev.sluice.store.postgres.PostgresStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhook dispatch on three nodes over one PostgreSQL: every node hears of every job granted for
 * delivery, and only the node holding the semaphore's work claim delivers it. The processor
 * checks what matters to it: never more deliveries at once than the limit, never one attempt of a
 * job twice at once, FIFO, every job delivered (and, with nothing failing, exactly once).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class MultiNodeWebhookTest {
    @TempDir
    static Path key;
    static String url;
    static List<TestServer> nodes = new ArrayList<>();

    @BeforeAll
    static void start() {
        url = TestPostgres.url(key);
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

    static String webhook(String prefix, String receiverUrl, int limit, String more) {
        String name = TestServer.name(prefix);
        Res r = node(0).put("/v1/semaphores/" + name, j("{'limit':" + limit + ",'leaseTimeout':'PT120S'," + more
                + "'delivery':{'mode':'webhook','url':'" + receiverUrl + "','timeout':'PT60S','releaseOnSuccess':true}}"));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return name;
    }

    /** What the processor saw of one semaphore. */
    static final class Seen {
        final AtomicInteger open = new AtomicInteger();
        final AtomicInteger most = new AtomicInteger();
        final Set<String> attemptsOpen = ConcurrentHashMap.newKeySet();
        final Set<String> twiceAtOnce = ConcurrentHashMap.newKeySet();
    }

    @Test
    void threeNodesDeliverEveryJobOnceNeverTwiceAtOnceNeverAboveTheLimitInFifoOrder() throws Exception {
        int wideLimit = 4;
        Map<String, Seen> seen = new ConcurrentHashMap<>();
        CountDownLatch wideAtOnce = new CountDownLatch(wideLimit);
        String[] wideName = new String[1];
        try (Receiver receiver = Receiver.start(d -> {
            Seen s = seen.computeIfAbsent(d.semaphore(), k -> new Seen());
            s.most.accumulateAndGet(s.open.incrementAndGet(), Math::max);
            String attempt = d.jobId() + "#" + d.attempt();
            if (!s.attemptsOpen.add(attempt)) {
                s.twiceAtOnce.add(attempt);
            }
            try {
                if (d.semaphore().equals(wideName[0]) && wideAtOnce.getCount() > 0) {
                    // the first deliveries wait for each other: this goes on only if `limit` are delivered at once
                    wideAtOnce.countDown();
                    wideAtOnce.await(60, TimeUnit.SECONDS);
                }
                Thread.sleep(ThreadLocalRandom.current().nextInt(1, 6));
            } finally {
                s.attemptsOpen.remove(attempt);
                s.open.decrementAndGet();   // before the answer: its commit may grant the next delivery
            }
            return 200;
        })) {
            String fifo = webhook("mn-fifo", receiver.url(), 1, "");
            String wide = webhook("mn-wide", receiver.url(), wideLimit, "");
            wideName[0] = wide;

            List<String> fifoIds = Collections.synchronizedList(new ArrayList<>());
            List<List<String>> wideIds = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> producers = new ArrayList<>();
                // one producer on the FIFO semaphore, each job acknowledged before the next is sent, through each node in turn
                producers.add(pool.submit(() -> {
                    for (int i = 0; i < 60; i++) {
                        Res r = node(i).post(jobs(fifo), j("{'payload':{'n':" + i + "}}"));
                        assertThat(r.status()).as(r.toString()).isEqualTo(202);
                        fifoIds.add(r.str("jobId"));
                    }
                    return null;
                }));
                // six on the wide one, two per node
                for (int p = 0; p < 6; p++) {
                    int producer = p;
                    List<String> mine = Collections.synchronizedList(new ArrayList<>());
                    wideIds.add(mine);
                    producers.add(pool.submit(() -> {
                        for (int i = 0; i < 40; i++) {
                            Res r = node(producer + i).post(jobs(wide), j("{'payload':{'p':" + producer + ",'n':" + i + "}}"));
                            assertThat(r.status()).as(r.toString()).isEqualTo(202);
                            mine.add(r.str("jobId"));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : producers) {
                    f.get(120, TimeUnit.SECONDS);
                }
            }
            List<String> allWide = wideIds.stream().flatMap(List::stream).toList();
            Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() ->
                    receiver.deliveries(fifo).size() >= fifoIds.size() && receiver.deliveries(wide).size() >= allWide.size()
                            && idle(fifo) && idle(wide));

            for (String name : List.of(fifo, wide)) {
                Seen s = seen.get(name);
                assertThat(s.twiceAtOnce).as("job attempts delivered twice at once on %s", name).isEmpty();
                assertThat(s.most.get()).as("deliveries at once on %s", name).isLessThanOrEqualTo(name.equals(fifo) ? 1 : wideLimit);
                for (Delivery d : receiver.deliveries(name)) {
                    assertThat(d.attempt()).as("nothing failed: first attempts only").isEqualTo(1);
                }
            }
            assertThat(seen.get(wide).most.get()).as("the first deliveries were made %d at once", wideLimit).isEqualTo(wideLimit);
            assertThat(receiver.jobIds(fifo)).as("G4: FIFO at the processor, each job once").containsExactlyElementsOf(fifoIds);
            assertThat(receiver.jobIds(wide)).as("each job once").hasSize(allWide.size())
                    .containsExactlyInAnyOrderElementsOf(allWide);
            Map<String, Long> tokens = new ConcurrentHashMap<>();
            receiver.deliveries(wide).forEach(d -> tokens.put(d.jobId(), d.fencingToken()));
            for (List<String> mine : wideIds) {
                // one producer's jobs were each acknowledged before the next was sent: they are granted in that order
                assertThat(mine.stream().map(tokens::get).toList()).as("G4 across nodes").isSorted();
            }
            for (int i = 0; i < fifoIds.size(); i += 7) {
                assertThat(node(i).get(jobs(fifo) + "/" + fifoIds.get(i)).json().get("state").asString()).isEqualTo("completed");
            }
            for (int i = 0; i < allWide.size(); i += 7) {
                assertThat(node(i).get(jobs(wide) + "/" + allWide.get(i)).json().get("state").asString()).isEqualTo("completed");
            }
        }
    }

    /**
     * A node woken while another holds the claim leaves the work to it; a holder that dies (here:
     * a store of the test's own, which claims and then goes away without reading again) leaves
     * nothing undelivered: the other nodes look for owed deliveries nobody dispatches and take
     * them over.
     */
    @Test
    void aWakeUpWhileAnotherNodeHoldsTheClaimIsNotLostWhenThatNodeGoesAway() {
        try (Receiver receiver = Receiver.answering(200)) {
            String name = webhook("mn-held", receiver.url(), 2, "");
            PostgresStore holder = PostgresStore.open(url);
            try {
                WorkClaim claim = holder.tryClaim(WebhookDispatcher.CLAIM_PREFIX + name).orElseThrow();
                assertThat(claim.isHeld()).isTrue();
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    Res r = node(i).post(jobs(name), j("{'payload':{'n':" + i + "}}"));
                    assertThat(r.status()).as(r.toString()).isEqualTo(202);
                    ids.add(r.str("jobId"));
                }
                assertThat(nodes.getFirst().state(name).get("inUse").asInt()).as("two granted for delivery").isEqualTo(2);
                // Every node heard of the grants, none holds the claim: none delivers (for longer than a sweep).
                Awaitility.await().during(dev.sluice.server.ExclusivePasses.SWEEP.plusSeconds(1)).atMost(Duration.ofSeconds(30))
                        .until(() -> receiver.deliveries(name).isEmpty());
                for (TestServer n : nodes) {
                    assertThat(n.server().webhooks().dispatches(name)).isFalse();
                }

                holder.close();   // goes away holding it, as a node that dies: its connection ends
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                        .until(() -> receiver.jobIds(name).size() >= 3 && idle(name));
                List<String> got = receiver.jobIds(name);
                assertThat(got).as("each once").hasSize(3);
                assertThat(got.subList(0, 2)).as("the two granted at once, delivered at once").containsExactlyInAnyOrderElementsOf(ids.subList(0, 2));
                assertThat(got.get(2)).as("then the one behind them").isEqualTo(ids.get(2));
                for (String id : ids) {
                    assertThat(node(0).get(jobs(name) + "/" + id).json().get("state").asString()).isEqualTo("completed");
                }
            } finally {
                holder.close();
            }
        }
    }

    /** Forwards started on any node are carried out once: the target takes each job in once, the source marks it once. */
    @Test
    void forwardsFromJobsFailingOnAllNodesReachTheTargetOnce() {
        try (Receiver failing = Receiver.answering(500)) {
            String target = TestServer.name("mn-target");
            assertThat(node(1).put("/v1/semaphores/" + target, j("{'limit':0}")).status()).isEqualTo(201);
            String source = webhook("mn-source", failing.url(), 3,
                    "'retry':{'maxAttempts':1,'onExhausted':{'forward':'" + target + "'}},");
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                Res r = node(i).post(jobs(source), j("{'payload':{'n':" + i + "}}"));
                assertThat(r.status()).as(r.toString()).isEqualTo(202);
                ids.add(r.str("jobId"));
            }
            Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                    .until(() -> nodes.get(2).state(target).get("waiting").asInt() >= ids.size()
                            && ids(source, "forwarded").size() == ids.size());
            assertThat(ids(target, "waiting")).as("each job taken in once").containsExactlyInAnyOrderElementsOf(ids);
            assertThat(nodes.get(0).state(target).get("waiting").asInt()).isEqualTo(ids.size());
            assertThat(nodes.get(1).state(source).get("dead").asInt()).isZero();
            assertThat(failing.jobIds(source)).as("one attempt each").hasSize(ids.size()).doesNotHaveDuplicates();
        }
    }

    static List<String> ids(String name, String state) {
        Res r = node(0).get(jobs(name) + "?state=" + state + "&limit=1000");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        r.json().get("items").forEach(n -> out.add(n.get("jobId").asString()));
        return out;
    }

    /** Nothing in use and nothing waiting on the semaphore, as every node sees it. */
    static boolean idle(String name) {
        return nodes.stream().allMatch(n -> n.state(name).get("inUse").asInt() == 0 && n.state(name).get("waiting").asInt() == 0);
    }
}
