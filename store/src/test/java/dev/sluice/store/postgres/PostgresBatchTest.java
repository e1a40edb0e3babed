package dev.sluice.store.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Ledger;
import dev.sluice.core.SemaphoreMachine;
import dev.sluice.core.permit.PermitRecord;
import dev.sluice.core.semaphore.SemaphoreConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL store's group commit, on a real PostgreSQL: operations queued together run in
 * one transaction, the semaphore's and channels' rows written once at its end, and each
 * operation that fails is undone alone, whether it wrote to the database before failing or only
 * changed rows the batch still held.
 */
class PostgresBatchTest {
    private static final Duration LEASE = Duration.ofMinutes(5);
    private static EmbeddedPostgres pg;
    private PostgresStore store;
    private String name;
    private static int semaphores;

    @BeforeAll
    static void startPostgres() throws Exception {
        pg = EmbeddedPostgres.builder().setServerConfig("fsync", "off").start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        pg.close();
    }

    @BeforeEach
    void open() {
        store = PostgresStore.open("postgresql://postgres@127.0.0.1:" + pg.getPort() + "/postgres");
        name = "batch-" + (++semaphores);
        run(ledger -> machine(ledger).put(SemaphoreConfig.ofLimit(10)));
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void anOperationThatFailsAfterItWroteIsUndoneAloneAndTheRestOfItsBatchCommits() throws Exception {
        AtomicInteger runsOfFirst = new AtomicInteger();
        List<CompletableFuture<?>> batch = inOneBatch(
                acquireCounting(runsOfFirst),
                ledger -> {
                    SemaphoreMachine machine = machine(ledger);
                    machine.tryAcquire("b", LEASE);                 // rows the batch holds
                    machine.enqueue("{}", "b", 0, null);            // and a job's row, written at once
                    throw new IllegalStateException("failed after writing");
                },
                ledger -> machine(ledger).tryAcquire("a", LEASE));

        PermitRecord first = (PermitRecord) batch.get(0).join();
        PermitRecord third = (PermitRecord) batch.get(2).join();
        CompletionException failed = assertThrows(CompletionException.class, () -> batch.get(1).join());
        assertInstanceOf(IllegalStateException.class, failed.getCause());
        assertEquals(2, runsOfFirst.get(), "a failure after a write is undone by running the batch again, under savepoints");

        assertEquals(2, (int) run(ledger -> ledger.semaphore().orElseThrow().inUse()));
        assertEquals(2, (int) run(ledger -> ledger.channel("a").inUse()));
        assertEquals(0, (int) run(ledger -> ledger.channel("b").inUse()));
        assertTrue(run(ledger -> ledger.permit(first.id())).isPresent());
        assertTrue(run(ledger -> ledger.permit(third.id())).isPresent());
        assertEquals(2, count("SELECT COUNT(*) FROM permits WHERE semaphore = '" + name + "'"));
        assertEquals(0, count("SELECT COUNT(*) FROM channels WHERE semaphore = '" + name + "' AND name = 'b'"));
        assertEquals(0, count("SELECT COUNT(*) FROM jobs WHERE semaphore = '" + name + "'"));
        assertEquals(0, (long) run(ledger -> ledger.semaphore().orElseThrow().waiting()));
    }

    @Test
    void anOperationThatFailsHavingChangedOnlyHeldRowsIsUndoneWithoutRunningTheBatchAgain() throws Exception {
        AtomicInteger runsOfFirst = new AtomicInteger();
        List<CompletableFuture<?>> batch = inOneBatch(
                acquireCounting(runsOfFirst),
                ledger -> {
                    ledger.save(ledger.semaphore().orElseThrow().withConfig(SemaphoreConfig.ofLimit(99), Instant.now()));
                    ledger.save(ledger.channel("a").withPaused(true));
                    throw new IllegalStateException("refused after changing rows the batch holds");
                },
                ledger -> ledger.semaphore().orElseThrow().config().limit());

        batch.get(0).join();
        assertThrows(CompletionException.class, () -> batch.get(1).join());
        assertEquals(Integer.valueOf(10), batch.get(2).join(), "the next operation of the batch sees the failed one undone");
        assertEquals(1, runsOfFirst.get());

        assertEquals(10, (int) run(ledger -> ledger.semaphore().orElseThrow().config().limit()));
        assertEquals(1, (int) run(ledger -> ledger.semaphore().orElseThrow().inUse()));
        assertFalse((boolean) run(ledger -> ledger.channel("a").paused()));
        assertEquals(1, count("SELECT in_use FROM semaphores WHERE name = '" + name + "'"));
    }

    @Test
    void pausedChannelsReadInABatchIncludeItsChangesNotWrittenYet() throws Exception {
        run(ledger -> {
            ledger.save(ledger.channel("y").withPaused(true));
            return null;
        });
        List<CompletableFuture<?>> batch = inOneBatch(
                ledger -> {
                    ledger.save(ledger.channel("x").withPaused(true));
                    return null;
                },
                ledger -> {
                    ledger.save(ledger.channel("y").withPaused(false));
                    return null;
                },
                Ledger::pausedChannels);

        assertEquals(List.of("x"), batch.get(2).join());
        assertEquals(List.of("x"), run(Ledger::pausedChannels));
        assertEquals(1, count("SELECT COUNT(*) FROM channels WHERE semaphore = '" + name + "'"),
                "y, unpaused and holding nothing, has no row");
    }

    @Test
    void aSemaphoreDeletedInABatchAfterChangesHeldForItsEndStaysDeleted() throws Exception {
        List<CompletableFuture<?>> batch = inOneBatch(
                ledger -> machine(ledger).tryAcquire("a", LEASE),
                ledger -> {
                    ledger.deleteSemaphore();
                    return null;
                },
                Ledger::semaphore);

        batch.get(0).join();
        batch.get(1).join();
        assertEquals(Optional.empty(), batch.get(2).join());
        assertEquals(Optional.empty(), run(Ledger::semaphore));
        for (String table : List.of("permits", "channels")) {
            assertEquals(0, count("SELECT COUNT(*) FROM " + table + " WHERE semaphore = '" + name + "'"), table);
        }
        assertEquals(0, count("SELECT COUNT(*) FROM semaphores WHERE name = '" + name + "'"));
    }

    @Test
    void permitQueriesInABatchSeeItsPermitWritesNotWrittenYet() throws Exception {
        Instant past = Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.MILLIS);   // the store keeps milliseconds
        PermitRecord held = new PermitRecord("p-held", "a", 1, past, Duration.ofSeconds(1), past.plusSeconds(1), "holder-1",
                PermitRecord.State.HELD);
        List<CompletableFuture<?>> batch = inOneBatch(
                ledger -> {
                    ledger.save(held);
                    return null;
                },
                ledger -> ledger.permitOfHolder("holder-1"),
                ledger -> ledger.permitsExpiredBy(Instant.now(), 10),
                ledger -> {
                    ledger.save(held.expired());
                    return null;
                },
                ledger -> ledger.permitsExpiredBy(Instant.now(), 10),
                ledger -> {
                    ledger.deletePermit(held.id());
                    return null;
                },
                ledger -> ledger.permitOfHolder("holder-1"));

        assertEquals(Optional.of(held), batch.get(1).join());
        assertEquals(List.of(held), batch.get(2).join());
        assertEquals(List.of(), batch.get(4).join(), "expired in the batch: a tick's loop over expired permits ends");
        assertEquals(Optional.empty(), batch.get(6).join());
        assertEquals(0, count("SELECT COUNT(*) FROM permits WHERE semaphore = '" + name + "'"));
    }

    @Test
    void anOperationThatFailsAfterItsQueryWroteTheBatchsPermitsUndoesOnlyItsOwn() throws Exception {
        List<CompletableFuture<?>> batch = inOneBatch(
                ledger -> machine(ledger).tryAcquire("a", LEASE),
                ledger -> {
                    PermitRecord mine = machine(ledger).tryAcquire("a", LEASE);
                    ledger.permitOfHolder("nobody");   // writes what the batch holds, this operation's permit too
                    throw new IllegalStateException("failed after " + mine.id() + " was written");
                },
                ledger -> machine(ledger).tryAcquire("a", LEASE));

        PermitRecord first = (PermitRecord) batch.get(0).join();
        assertThrows(CompletionException.class, () -> batch.get(1).join());
        PermitRecord third = (PermitRecord) batch.get(2).join();
        assertEquals(2, count("SELECT COUNT(*) FROM permits WHERE semaphore = '" + name + "'"));
        assertTrue(run(ledger -> ledger.permit(first.id())).isPresent(), "an earlier operation's permit outlives the undo");
        assertTrue(run(ledger -> ledger.permit(third.id())).isPresent());
        assertEquals(2, (int) run(ledger -> ledger.semaphore().orElseThrow().inUse()));
    }

    // ---- plumbing ---------------------------------------------------------------------------------

    private SemaphoreMachine machine(Ledger ledger) {
        return new SemaphoreMachine(ledger, name, Instant.now(), new Random());
    }

    /** A try-acquire on channel a that counts its runs. */
    private Function<Ledger, PermitRecord> acquireCounting(AtomicInteger runs) {
        return ledger -> {
            runs.incrementAndGet();
            return machine(ledger).tryAcquire("a", LEASE);
        };
    }

    @Test
    void aCommitThatWroteIsHeardWithItsOperationsAndOneThatWroteNothingIsNot() throws Exception {
        List<long[]> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        store.onCommit((operations, nanos) -> heard.add(new long[] {operations, nanos}));

        run(ledger -> machine(ledger).tryAcquire("a", LEASE));
        inOneBatch(ledger -> machine(ledger).tryAcquire("a", LEASE), ledger -> machine(ledger).tryAcquire("b", LEASE),
                ledger -> machine(ledger).tryAcquire("c", LEASE)).forEach(CompletableFuture::join);   // the lane's holder wrote nothing
        run(ledger -> ledger.semaphore().orElseThrow().inUse());
        assertThrows(CompletionException.class, () -> run(ledger -> {
            throw new IllegalStateException("refused before writing");
        }));

        assertEquals(List.of(1L, 3L), heard.stream().map(h -> h[0]).toList(), "operations of each commit that wrote");
        assertTrue(heard.stream().allMatch(h -> h[1] > 0), "each commit took some time");

        store.onCommit((operations, nanos) -> {
            throw new IllegalStateException("a broken listener");
        });
        PermitRecord granted = run(ledger -> machine(ledger).tryAcquire("a", LEASE));   // a listener that throws fails nothing
        assertTrue(run(ledger -> ledger.permit(granted.id())).isPresent());
    }

    private <T> T run(Function<Ledger, T> operation) {
        return store.inTransaction(name, operation).join();
    }

    /**
     * Queues the operations behind one that holds the semaphore's lane until they are all queued,
     * so they run in one batch, in order.
     */
    @SafeVarargs
    private List<CompletableFuture<?>> inOneBatch(Function<Ledger, ?>... operations) throws InterruptedException {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch queued = new CountDownLatch(1);
        CompletableFuture<Object> blocker = store.inTransaction(name, ledger -> {
            holding.countDown();
            await(queued);
            return null;
        });
        assertTrue(holding.await(10, TimeUnit.SECONDS));
        List<CompletableFuture<?>> futures = new java.util.ArrayList<>();
        for (Function<Ledger, ?> operation : operations) {
            futures.add(store.inTransaction(name, operation));
        }
        queued.countDown();
        blocker.join();
        return futures;
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long count(String query) throws Exception {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
