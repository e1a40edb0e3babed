package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.semaphore.SemaphoreConfig;
import dev.sluice.store.Store;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's in-order listeners hear of each semaphore's commits in commit order, each once,
 * however the store's batches complete: the state they see never goes backwards.
 */
class EngineOrderTest {
    @TempDir
    Path dataDir;

    @Test
    void orderedListenersSeeEverySemaphoresCommitsInOrder() {
        try (Store store = TestServer.openStore(dataDir)) {
            Engine engine = new Engine(store, Clock.systemUTC());
            Map<String, List<long[]>> seen = new ConcurrentHashMap<>();
            engine.onCommitInOrder(c -> seen.computeIfAbsent(c.semaphore(), k -> new CopyOnWriteArrayList<>())
                    .add(new long[] {c.sequence(), c.state().lastFencingToken(), c.state().inUse()}));
            List<String> names = List.of("order-a", "order-b", "order-c");
            for (String name : names) {
                engine.apply(name, m -> m.put(SemaphoreConfig.ofLimit(1_000))).join();
            }
            int perSemaphore = 300;
            List<CompletableFuture<?>> all = new ArrayList<>();
            for (int i = 0; i < perSemaphore; i++) {
                for (String name : names) {
                    // submitted without waiting, so that batches pile up and complete on several threads
                    all.add(engine.apply(name, m -> m.tryAcquire("default", null))
                            .thenCompose(p -> engine.apply(name, m -> m.release(p.id()))));
                }
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
            for (String name : names) {
                List<long[]> events = seen.get(name);
                assertThat(events).hasSize(1 + 2 * perSemaphore);
                for (int i = 0; i < events.size(); i++) {
                    assertThat(events.get(i)[0]).as("sequence of commit %d on %s", i, name).isEqualTo(i + 1);
                    if (i > 0) {
                        assertThat(events.get(i)[1]).as("fencing tokens never go back").isGreaterThanOrEqualTo(events.get(i - 1)[1]);
                    }
                }
                assertThat(events.getLast()[2]).isZero();
                assertThat(events.getLast()[1]).isEqualTo(perSemaphore);
            }
        }
    }

    @Test
    void aRefusedOperationTakesNoNumberAndIsHeardByRefusalListeners() {
        try (Store store = TestServer.openStore(dataDir)) {
            Engine engine = new Engine(store, Clock.systemUTC());
            List<Long> sequences = new CopyOnWriteArrayList<>();
            List<String> refusals = new CopyOnWriteArrayList<>();
            engine.onCommitInOrder(c -> sequences.add(c.sequence()));
            engine.onRefusal(r -> refusals.add(r.rejection().mode().wireName() + ":" + r.rejection().reason().wireName()));
            engine.apply("refused", m -> m.put(SemaphoreConfig.ofLimit(1))).join();
            engine.apply("refused", m -> m.tryAcquire("default", null)).join();
            assertThatThrownBy(() -> engine.apply("refused", m -> m.tryAcquire("default", null)).join())
                    .hasCauseInstanceOf(dev.sluice.core.SluiceException.class);
            engine.apply("refused", m -> m.view()).join();
            assertThat(sequences).containsExactly(1L, 2L, 3L);
            assertThat(refusals).containsExactly("try:limit_reached");
            // an operation on a name that names nothing fails, and leaves no trace
            assertThatThrownBy(() -> engine.apply("nothing-here", m -> m.view()).join())
                    .hasCauseInstanceOf(dev.sluice.core.SluiceException.class);
            assertThat(sequences).hasSize(3);
        }
    }
}
