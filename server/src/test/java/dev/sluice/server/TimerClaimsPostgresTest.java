package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Limits;
import dev.sluice.store.Due;
import dev.sluice.store.json.ConfigCodec;
import dev.sluice.store.postgres.PostgresStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Timer work on a shared store is divided, not repeated: three nodes run their timer passes at
 * the same moment over 40 semaphores whose leases have all ended, and every semaphore is worked
 * through by exactly one of them, every lease expired exactly once.
 */
class TimerClaimsPostgresTest {
    @TempDir
    Path key;

    @Test
    void concurrentTimerPassesDivideTheDueSemaphoresBetweenNodes() throws Exception {
        String url = TestPostgres.url(key);
        int semaphores = 40;
        int permits = 3;
        List<PostgresStore> stores = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                stores.add(PostgresStore.open(url));
            }
            Engine now = new Engine(stores.getFirst(), Clock.systemUTC());
            var config = ConfigCodec.fromJson(Api.MAPPER.readTree(Api.j("{'limit':" + permits + ",'leaseTimeout':'PT1S'}")));
            for (int s = 0; s < semaphores; s++) {
                String name = "timers-" + s;
                now.apply(name, m -> m.put(config)).join();
                for (int p = 0; p < permits; p++) {
                    now.apply(name, m -> m.tryAcquire("default", Duration.ofSeconds(1))).join();
                }
            }

            // Three nodes whose clocks say the leases have ended, passing at once, again and again until nothing is due.
            Clock later = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(5));
            List<Engine> engines = stores.stream().map(st -> new Engine(st, later)).toList();
            Map<String, Integer> expiredBySemaphore = new HashMap<>();
            Map<String, Integer> passesBySemaphore = new HashMap<>();
            for (int round = 0; round < 20 && expiredBySemaphore.values().stream().mapToInt(Integer::intValue).sum()
                    < semaphores * permits; round++) {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Due<Integer>>> passes = new ArrayList<>();
                try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                    for (Engine e : engines) {
                        passes.add(pool.submit(() -> {
                            go.await();
                            Instant t = e.now();
                            return e.tickDue(t.minus(Limits.MAX_BACKOFF), t).get(60, TimeUnit.SECONDS);
                        }));
                    }
                    go.countDown();
                    for (Future<Due<Integer>> f : passes) {
                        f.get(90, TimeUnit.SECONDS).results().forEach((name, expired) -> {
                            expiredBySemaphore.merge(name, expired, Integer::sum);
                            passesBySemaphore.merge(name, 1, Integer::sum);
                        });
                    }
                }
            }
            assertThat(expiredBySemaphore).hasSize(semaphores);
            assertThat(expiredBySemaphore.values()).as("every lease expired once").containsOnly(permits);
            assertThat(passesBySemaphore.values()).as("each semaphore worked through by one node, once").containsOnly(1);
            for (int s = 0; s < semaphores; s++) {
                assertThat(now.apply("timers-" + s, m -> m.view().inUse()).join()).isZero();
            }
            CompletableFuture<Due<Integer>> idle = engines.get(1).tickDue(later.instant().minusSeconds(60), engines.get(1).now());
            assertThat(idle.get(30, TimeUnit.SECONDS).results()).as("nothing left to do").isEmpty();
        } finally {
            stores.forEach(PostgresStore::close);
        }
    }
}
