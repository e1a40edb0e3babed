package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.MachineDriver.Kind;
import dev.sluice.store.SqliteStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The core's property sequences ({@link MachineDriver}) run on the embedded store beside the
 * reference ledger: each step is one transaction of a real {@link SqliteStore} (its batches, its
 * row cache, its commit), and every read the machine makes must answer exactly what the reference
 * answers. At the end the store is reopened, so its cache is cold, and must hold the reference's state.
 */
class StoreLedgerPropertyTest {

    @Property(tries = 60)
    void everyOperationMixed(@ForAll long seed) throws Exception {
        runOn(seed, MachineDriver.MIXED, false);
    }

    @Property(tries = 40)
    void jobLifecycles(@ForAll long seed) throws Exception {
        runOn(seed, MachineDriver.JOBS, false);
    }

    @Property(tries = 40)
    void webhookDeliveries(@ForAll long seed) throws Exception {
        runOn(seed, MachineDriver.WEBHOOKS, true);
    }

    private static void runOn(long seed, Map<Kind, Integer> weights, boolean webhook) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        Path dir = Files.createTempDirectory("sluice-mirror");
        try {
            MachineDriver driver;
            try (SqliteStore store = SqliteStore.open(dir)) {
                driver = new MachineDriver(seed, new StoreMirror(store));
                driver.run(MachineDriver.randomConfig(r, webhook), MachineDriver.randomOps(weights, r, 60));
            }
            try (SqliteStore reopened = SqliteStore.open(dir)) {
                InMemoryLedger reference = driver.ledger;
                reopened.inTransaction(MachineDriver.NAME, l -> {
                    assertThat(l.semaphore()).isEqualTo(java.util.Optional.ofNullable(reference.semaphore));
                    reference.permits.forEach((id, p) -> assertThat(l.permit(id)).contains(p));
                    reference.jobs.forEach((id, j) -> assertThat(l.job(id)).contains(j));
                    reference.channels.forEach((name, c) -> assertThat(l.channel(name)).isEqualTo(c));
                    return null;
                }).get(10, TimeUnit.SECONDS);
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Holds the store's writer inside one transaction per step, lending its ledger to the driver's thread. */
    private static final class StoreMirror implements MachineDriver.Mirror {
        private final SqliteStore store;
        private SynchronousQueue<Boolean> outcome;
        private CompletableFuture<Object> transaction;

        StoreMirror(SqliteStore store) {
            this.store = store;
        }

        @Override
        public Ledger begin() {
            SynchronousQueue<Ledger> lent = new SynchronousQueue<>();
            SynchronousQueue<Boolean> ended = new SynchronousQueue<>();
            boolean[] ran = {false};
            outcome = ended;
            transaction = store.inTransaction(MachineDriver.NAME, l -> {
                if (ran[0]) {
                    throw new IllegalStateException("run again after a failed step");   // the store undoes it under a savepoint
                }
                ran[0] = true;
                try {
                    lent.put(l);
                    if (ended.take()) {
                        throw new SluiceException(ProblemCode.INVALID_ARGUMENT, "the step was refused or failed: undo it");
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return null;
            });
            try {
                Ledger ledger = lent.poll(10, TimeUnit.SECONDS);
                assertThat(ledger).as("the store's writer took the step's transaction").isNotNull();
                return ledger;
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void end(boolean undone) {
            try {
                assertThat(outcome.offer(undone, 10, TimeUnit.SECONDS)).isTrue();
                transaction.handle((v, failure) -> null).get(10, TimeUnit.SECONDS);
                assertThat(transaction.isCompletedExceptionally()).isEqualTo(undone);
            } catch (Exception e) {
                throw new AssertionError("the step's transaction did not end", e);
            }
        }
    }
}
