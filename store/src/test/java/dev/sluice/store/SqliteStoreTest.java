package dev.sluice.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Claimed;
import dev.sluice.core.Effects;
import dev.sluice.core.Ledger;
import dev.sluice.core.SemaphoreMachine;
import dev.sluice.core.SluiceException;
import dev.sluice.core.permit.PermitRecord;
import dev.sluice.core.semaphore.SemaphoreConfig;
import dev.sluice.store.sql.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded store's batches on a real SQLite file: operations that fail are undone alone
 * whether or not they wrote, the row cache never keeps what was undone, and the data directory
 * is one process's.
 */
class SqliteStoreTest {
    @TempDir
    Path dir;

    /** One generator for every run, as the server has: ids (of permits, jobs) are drawn from it. */
    private final Random random = new Random(7);

    private SemaphoreMachine machine(Ledger ledger) {
        return new SemaphoreMachine(ledger, "s", Instant.now(), random);
    }

    /** A try-acquire on the default channel, with a lease long enough never to end in a test. */
    private PermitRecord acquire(Ledger ledger) {
        return machine(ledger).tryAcquire("", Duration.ofMinutes(1));
    }

    private void create(SqliteStore store, int limit) {
        store.inTransaction("s", l -> machine(l).put(SemaphoreConfig.ofLimit(limit))).join();
    }

    private int inUse(SqliteStore store) {
        return store.inTransaction("s", l -> l.semaphore().orElseThrow().inUse()).join();
    }

    private long waiting(SqliteStore store) {
        return store.inTransaction("s", l -> l.semaphore().orElseThrow().waiting()).join();
    }

    /** Holds the writer inside a first operation, so that everything submitted meanwhile runs as one batch. */
    private static <T> List<CompletableFuture<T>> oneBatch(SqliteStore store, List<Function<Ledger, T>> operations) throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        CompletableFuture<Object> gate = store.inTransaction("s", l -> {
            inside.countDown();
            try {
                return go.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(inside.await(10, TimeUnit.SECONDS));
        List<CompletableFuture<T>> results = new ArrayList<>();
        for (Function<Ledger, T> op : operations) {
            results.add(store.inTransaction("s", op));
        }
        go.countDown();
        gate.join();
        return results;
    }

    @Test
    void anOperationThatFailsAfterWritingIsUndoneAloneAndTheOthersCommit() throws Exception {
        try (SqliteStore store = SqliteStore.open(dir)) {
            create(store, 10);
            AtomicInteger runs = new AtomicInteger();
            List<CompletableFuture<PermitRecord>> results = oneBatch(store, List.of(
                    this::acquire,
                    l -> {
                        runs.incrementAndGet();
                        acquire(l);   // a permit's row, held to the batch's end
                        machine(l).enqueue("{}", "", 0, null);   // a job's row, written at once; then a bug
                        throw new IllegalStateException("a bug after a write");
                    },
                    this::acquire));

            PermitRecord first = results.get(0).join();
            PermitRecord third = results.get(2).join();
            CompletionException failed = assertThrows(CompletionException.class, () -> results.get(1).join());
            assertEquals("a bug after a write", failed.getCause().getMessage());
            assertEquals(2, runs.get(), "run without savepoints, then again under one once it had written");
            assertEquals(2, inUse(store), "the failed operation's permit was undone, the two others kept");
            assertEquals(first.fencingToken() + 1, third.fencingToken(), "no token taken by the undone run");
            assertEquals(0, waiting(store), "nor its job");

            store.close();
            try (SqliteStore reopened = SqliteStore.open(dir)) {
                assertEquals(2, inUse(reopened), "and that is what was committed");
                assertEquals(0, waiting(reopened));
            }
        }
    }

    @Test
    void undoingAnOperationThatWroteTheBatchsHeldRowsKeepsTheEarlierOperations() throws Exception {
        try (SqliteStore store = SqliteStore.open(dir)) {
            create(store, 10);
            List<CompletableFuture<PermitRecord>> results = oneBatch(store, List.of(
                    this::acquire,   // its permit and the semaphore's row are held
                    l -> {
                        l.permitOfHolder("nobody");   // a query of the permits writes what the batch holds
                        machine(l).enqueue("{}", "", 0, null);
                        throw new IllegalStateException("a bug after a write");
                    }));

            PermitRecord first = results.get(0).join();
            assertThrows(CompletionException.class, () -> results.get(1).join());
            store.close();
            try (SqliteStore reopened = SqliteStore.open(dir)) {
                assertEquals(1, inUse(reopened), "the first operation's rows were written again before the failed one's savepoint");
                assertEquals(Optional.of(first.fencingToken()), reopened.inTransaction("s",
                        l -> l.permit(first.id()).map(PermitRecord::fencingToken)).join());
                assertEquals(0, waiting(reopened));
            }
        }
    }

    @Test
    void anOperationThatFailsAfterChangingOnlyHeldRowsRunsOnceAndTheBatchWritesTheOthers() throws Exception {
        try (SqliteStore store = SqliteStore.open(dir)) {
            create(store, 10);
            AtomicInteger runs = new AtomicInteger();
            AtomicReference<String> released = new AtomicReference<>();
            List<CompletableFuture<PermitRecord>> results = oneBatch(store, List.of(
                    this::acquire,
                    l -> {
                        runs.incrementAndGet();
                        acquire(l);   // the permit's and the semaphore's rows are held, not written yet
                        throw new IllegalStateException("a bug after a change");
                    },
                    l -> {
                        PermitRecord p = acquire(l);
                        machine(l).release(p.id());   // granted and released in the batch: never written
                        released.set(p.id());
                        return acquire(l);
                    }));

            PermitRecord first = results.get(0).join();
            PermitRecord last = results.get(2).join();
            assertThrows(CompletionException.class, () -> results.get(1).join());
            assertEquals(1, runs.get(), "nothing was written by it, so no savepoint was needed to undo it");
            assertEquals(2, inUse(store));
            assertEquals(first.fencingToken() + 2, last.fencingToken(), "the undone operation took no token");

            store.close();
            try (SqliteStore reopened = SqliteStore.open(dir)) {
                assertEquals(2, inUse(reopened), "the held rows were written before the commit");
                for (PermitRecord held : List.of(first, last)) {
                    assertEquals(Optional.of(held.fencingToken()), reopened.inTransaction("s",
                            l -> l.permit(held.id()).map(PermitRecord::fencingToken)).join());
                }
                assertEquals(Optional.empty(), reopened.inTransaction("s", l -> l.permit(released.get())).join(),
                        "the permit released within the batch left no row");
            }
        }
    }

    @Test
    void aCommitThatWroteIsHeardWithItsOperationsAndOneThatWroteNothingIsNot() throws Exception {
        try (SqliteStore store = SqliteStore.open(dir)) {
            create(store, 4);
            List<long[]> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
            store.onCommit((operations, nanos) -> heard.add(new long[] {operations, nanos}));

            store.inTransaction("s", this::acquire).join();
            oneBatch(store, List.<Function<Ledger, PermitRecord>>of(this::acquire, this::acquire, this::acquire))
                    .forEach(CompletableFuture::join);   // the batch that held the writer wrote nothing
            assertThrows(CompletionException.class, () -> store.inTransaction("s", this::acquire).join());   // limit reached
            store.query(q -> q.semaphores("", 10)).join();

            assertEquals(List.of(1L, 3L), heard.stream().map(h -> h[0]).toList(), "operations of each commit that wrote");
            assertTrue(heard.stream().allMatch(h -> h[1] > 0), "each commit took some time");

            store.onCommit((operations, nanos) -> {
                throw new IllegalStateException("a broken listener");
            });
            store.inTransaction("s", l -> machine(l).put(SemaphoreConfig.ofLimit(5))).join();
            PermitRecord fifth = store.inTransaction("s", this::acquire).join();   // a listener that throws fails nothing
            assertTrue(store.inTransaction("s", l -> l.permit(fifth.id())).join().isPresent());
        }
    }

    @Test
    void aRefusalThatWroteNothingRunsOnce() throws Exception {
        try (SqliteStore store = SqliteStore.open(dir)) {
            create(store, 1);
            AtomicInteger runs = new AtomicInteger();
            List<CompletableFuture<PermitRecord>> results = oneBatch(store, List.of(
                    this::acquire,
                    l -> {
                        runs.incrementAndGet();
                        return acquire(l);   // full: refused
                    }));
            results.get(0).join();
            CompletionException refused = assertThrows(CompletionException.class, () -> results.get(1).join());
            assertTrue(refused.getCause() instanceof SluiceException, refused.toString());
            assertEquals(1, runs.get());
            assertEquals(1, inUse(store));
        }
    }

    @Test
    void aDeletedSemaphoreMadeAgainStartsWithNothingHeld() {
        try (SqliteStore store = SqliteStore.open(dir)) {
            create(store, 3);
            store.inTransaction("s", l -> machine(l).tryAcquire("a", Duration.ofMinutes(1))).join();
            assertEquals(1, store.inTransaction("s", l -> l.channel("a").inUse()).join());
            store.inTransaction("s", l -> {
                machine(l).delete(true);
                return null;
            }).join();
            create(store, 3);
            assertEquals(0, store.inTransaction("s", l -> l.channel("a").inUse()).join());
            assertEquals(0, inUse(store));
        }
    }

    @Test
    void aWaiterQueuedByANodeWhoseClockIsAheadIsGrantedByTheNextRelease() {
        try (SqliteStore store = SqliteStore.open(dir)) {
            create(store, 1);
            PermitRecord held = store.inTransaction("s", this::acquire).join();
            Instant ahead = Instant.now().plusSeconds(5);
            store.inTransaction("s", l -> new SemaphoreMachine(l, "s", ahead, random)
                    .acquireOrWait("", null, ahead.plusSeconds(30))).join();

            List<String> granted = store.inTransaction("s", l -> {
                SemaphoreMachine m = machine(l);
                m.release(held.id());
                return m.effects().waiterGrants().stream().map(Effects.WaiterGrant::waiterId).toList();
            }).join();

            assertEquals(1, granted.size(), "the waiter is granted at once, not when this clock reaches the other's");
            assertEquals(0, waiting(store));
        }
    }

    @Test
    void permitsDeletedByHousekeepingAreNotRememberedByTheCache() {
        try (SqliteStore store = SqliteStore.open(dir)) {
            create(store, 3);
            PermitRecord permit = store.inTransaction("s", l -> machine(l).tryAcquire("", Duration.ofSeconds(1))).join();
            Instant later = Instant.now().plusSeconds(60);
            int expired = store.inTransaction("s", l -> new SemaphoreMachine(l, "s", later, random).tick()).join();
            assertEquals(1, expired);
            assertEquals(PermitRecord.State.EXPIRED, store.inTransaction("s", l -> l.permit(permit.id()).orElseThrow().state()).join());

            assertEquals(1, store.query(q -> q.deleteFinishedBefore(later)).join());
            assertTrue(store.inTransaction("s", l -> l.permit(permit.id())).join().isEmpty(), "the row is gone, so is the cached one");
        }
    }

    /**
     * The file is in WAL mode (read back from a second connection: the mode is the file's), and
     * the log is checkpointed only past 10,000 pages: ~21 MiB of payloads committed one job at a
     * time leave it that long, where SQLite's default (1,000 pages, 4 MiB) would have copied it into
     * the database and started it over every 4 MiB.
     */
    @Test
    void theLogIsCheckpointedOnlyPastTenThousandPages() throws Exception {
        try (SqliteStore store = SqliteStore.open(dir)) {
            create(store, 0);
            String payload = "\"" + "x".repeat(256 * 1024 - 2) + "\"";
            for (int i = 0; i < 80; i++) {
                store.inTransaction("s", l -> machine(l).enqueue(payload, "", 0, null)).join();
            }
            long log = Files.size(dir.resolve("sluice.db-wal"));
            assertTrue(log > 16L * 1024 * 1024, "the log is " + log + " bytes");
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("sluice.db"));
                 ResultSet rs = other.createStatement().executeQuery("PRAGMA journal_mode")) {
                assertTrue(rs.next());
                assertEquals("wal", rs.getString(1));
            }
        }
    }

    @Test
    void jobsComeBackWholeWhateverTheSizeOfTheirPayload() {
        try (SqliteStore store = SqliteStore.open(dir)) {
            create(store, 3);
            String small = "{\"n\":1}";
            String large = "{\"text\":\"" + "x".repeat(5000) + "\"}";   // too large for the row cache
            store.inTransaction("s", l -> machine(l).enqueue(small, "", 0, null)).join();
            store.inTransaction("s", l -> machine(l).enqueue(large, "", 0, null)).join();
            List<Claimed> claimed = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                claimed.addAll(store.inTransaction("s", l -> machine(l).claim(1, Duration.ofMinutes(1))).join());
            }
            assertEquals(List.of(small, large), claimed.stream().map(c -> c.job().payload()).toList());
            for (Claimed c : claimed) {
                store.inTransaction("s", l -> {
                    machine(l).complete(c.job().id(), c.permit().id());
                    return null;
                }).join();
                assertEquals(c.job().payload(), store.inTransaction("s", l -> l.job(c.job().id()).orElseThrow().payload()).join());
            }
            assertEquals(0, inUse(store));
        }
    }

    @Test
    void aDataDirectoryIsOneServers() {
        try (SqliteStore store = SqliteStore.open(dir)) {
            StoreException e = assertThrows(StoreException.class, () -> SqliteStore.open(dir));
            assertTrue(e.getMessage().contains("in use by another Sluice server"), e.getMessage());
            create(store, 1);
        }
        try (SqliteStore again = SqliteStore.open(dir)) {   // closing released it
            assertEquals(0, inUse(again));
        }
    }
}
