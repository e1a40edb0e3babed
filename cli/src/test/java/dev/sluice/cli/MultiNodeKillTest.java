package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.cli.ServerProcess.Reply;
import dev.sluice.server.TestPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code sluice server} processes on one PostgreSQL, 48 clients spread across them on one
 * semaphore, and a {@code kill -9} of one node in the middle of the load. The other nodes go on;
 * the permits held by the dead node's clients are reclaimed when their leases end (not before:
 * an external count of holders, which keeps counting them until then, never exceeds the limit);
 * the waits that were queued on the dead node leave the queue once the others find it dead,
 * without being granted.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MultiNodeKillTest {
    private static final int SIGKILLED = 128 + 9;
    private static final int LIMIT = 6;
    private static final Duration LEASE = Duration.ofSeconds(4);

    @TempDir
    Path tmp;

    @Test
    void theOtherNodesGoOnAfterAKill9AndTheDeadNodesPermitsAreReclaimedAtLeaseEnd() throws Exception {
        String url = TestPostgres.url(tmp);
        List<ServerProcess> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                nodes.add(ServerProcess.start(tmp.resolve("data-" + i), tmp.resolve("node-" + i + ".log"), "--store", url));
            }
            ServerProcess doomed = nodes.get(2);
            nodes.getFirst().expect(201, "PUT", "/v1/semaphores/shared",
                    "{\"limit\": " + LIMIT + ", \"leaseTimeout\": \"PT" + LEASE.toSeconds() + "S\"}");

            AtomicInteger holders = new AtomicInteger();
            AtomicInteger most = new AtomicInteger();
            AtomicInteger grants = new AtomicInteger();
            AtomicInteger grantsAfterKill = new AtomicInteger();
            AtomicBoolean killed = new AtomicBoolean();
            AtomicBoolean stop = new AtomicBoolean();
            Set<Long> tokens = ConcurrentHashMap.newKeySet();
            Set<Long> duplicateTokens = ConcurrentHashMap.newKeySet();
            ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> clients = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int c = 0; c < 48; c++) {
                    int client = c;
                    ServerProcess node = nodes.get(client % 3);
                    clients.add(pool.submit(() -> {
                        go.await();
                        for (int i = 0; !stop.get(); i++) {
                            boolean waits = (client + i) % 2 == 0;
                            Reply r;
                            try {
                                r = node.call("POST", "/v1/semaphores/shared/permits", waits ? "{\"wait\": \"PT20S\"}" : "{}");
                            } catch (IOException e) {
                                return null;   // a client of the dead node: it dies with it
                            }
                            if (r.status() == 201) {
                                most.accumulateAndGet(holders.incrementAndGet(), Math::max);
                                grants.incrementAndGet();
                                if (killed.get()) {
                                    grantsAfterKill.incrementAndGet();
                                }
                                if (!tokens.add(r.body().get("fencingToken").asLong())) {
                                    duplicateTokens.add(r.body().get("fencingToken").asLong());
                                }
                                Thread.sleep(3);
                                holders.decrementAndGet();   // before the release is sent: the count never exceeds what is held
                                try {
                                    Reply released = node.call("DELETE", "/v1/semaphores/shared/permits/" + r.str("permitId"), null);
                                    if (released.status() != 204) {
                                        unexpected.add("release: " + released);
                                    }
                                } catch (IOException e) {
                                    return null;
                                }
                            } else if (r.status() != 429) {
                                unexpected.add("acquire: " + r);
                            }
                        }
                        return null;
                    }));
                }
                go.countDown();
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> grants.get() >= 150);

                // Two clients of the doomed node hold a permit each when it dies; they die with it.
                List<String> abandoned = new ArrayList<>();
                List<Instant> abandonedUntil = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    Reply p = doomed.call("POST", "/v1/semaphores/shared/permits", "{\"wait\": \"PT30S\"}");
                    assertThat(p.status()).as(p.toString()).isEqualTo(201);
                    most.accumulateAndGet(holders.incrementAndGet(), Math::max);
                    tokens.add(p.body().get("fencingToken").asLong());
                    abandoned.add(p.str("permitId"));
                    abandonedUntil.add(Instant.parse(p.str("expiresAt")));
                }
                // They count as holders until their leases end (less a margin for the two clocks' reading).
                for (Instant until : abandonedUntil) {
                    pool.submit(() -> {
                        Thread.sleep(Math.max(0, Duration.between(Instant.now(), until).toMillis() - 200));
                        holders.decrementAndGet();
                        return null;
                    });
                }

                // A wait of ten minutes queued on the doomed node: after the kill, only the sweep of dead nodes' waiters ends it.
                nodes.getFirst().expect(201, "PUT", "/v1/semaphores/closed", "{\"limit\": 0}");
                pool.submit(() -> doomed.call("POST", "/v1/semaphores/closed/permits", "{\"wait\": \"PT10M\"}"));
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> nodes.getFirst()
                        .expect(200, "GET", "/v1/semaphores/closed", null).body().get("state").get("waiting").asInt() == 1);

                assertThat(doomed.kill()).isEqualTo(SIGKILLED);
                killed.set(true);
                Instant allExpired = abandonedUntil.stream().max(Instant::compareTo).orElseThrow();
                Awaitility.await().atMost(Duration.ofSeconds(60))
                        .until(() -> grantsAfterKill.get() >= 150 && Instant.now().isAfter(allExpired.plusSeconds(1)));
                stop.set(true);
                for (Future<?> f : clients) {
                    f.get(60, TimeUnit.SECONDS);
                }

                assertThat(unexpected).as("answers other than 201, 204 and 429").isEmpty();
                assertThat(most.get()).as("most holders at once").isLessThanOrEqualTo(LIMIT);
                assertThat(duplicateTokens).as("fencing tokens granted twice").isEmpty();
                for (String permit : abandoned) {
                    Reply late = nodes.get(0).call("DELETE", "/v1/semaphores/shared/permits/" + permit, null);
                    assertThat(late.status()).as("an abandoned permit was reclaimed at lease end: " + late).isEqualTo(410);
                }
                // Whatever the dead node's requests left behind (grants nobody received, waits in the queue) goes too.
                Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                    Reply state = nodes.get(1).expect(200, "GET", "/v1/semaphores/shared", null);
                    assertThat(state.body().get("state").get("inUse").asInt()).isZero();
                    assertThat(state.body().get("state").get("waiting").asInt()).isZero();
                });
                Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> nodes.get(1)
                        .expect(200, "GET", "/v1/semaphores/closed", null).body().get("state").get("waiting").asInt() == 0);
                nodes.get(1).expect(200, "PATCH", "/v1/semaphores/closed", "{\"limit\": 1}");
                assertThat(nodes.get(0).expect(200, "GET", "/v1/semaphores/closed", null).body().get("state").get("inUse").asInt())
                        .as("the dead node's wait was not granted").isZero();
                Reply again = nodes.get(0).expect(201, "POST", "/v1/semaphores/shared/permits", "{}");
                assertThat(tokens).doesNotContain(again.body().get("fencingToken").asLong());
            }
        } finally {
            for (ServerProcess n : nodes) {
                n.close();
            }
        }
    }
}
