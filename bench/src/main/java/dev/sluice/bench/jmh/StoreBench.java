package dev.sluice.bench.jmh;

import dev.sluice.core.AcquireOutcome;
import dev.sluice.core.Claimed;
import dev.sluice.core.Effects;
import dev.sluice.core.SemaphoreMachine;
import dev.sluice.core.SemaphoreMachine.Attempt;
import dev.sluice.core.SemaphoreMachine.NewJob;
import dev.sluice.core.permit.PermitRecord;
import dev.sluice.core.semaphore.SemaphoreConfig;
import dev.sluice.store.SqliteStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The store's hot transactions, durable ({@code synchronous=FULL}): try-acquire then release on
 * {@link SqliteStore}, each a transaction through the writer thread, as the server runs them but
 * without HTTP; a hand-off (a waiter queued behind the one permit, then granted it by the
 * release); and the async cycle of ten jobs (enqueued, claimed and completed, three
 * transactions). Run with {@code -t 16} to see group commit share the fsync.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StoreBench {
    private static final String NAME = "bench";
    private static final List<NewJob> TEN_JOBS = Collections.nCopies(10, new NewJob("{\"n\":1}", "default", 0, null));
    private final SecureRandom random = new SecureRandom();
    private final AtomicInteger handOffSemaphores = new AtomicInteger();
    private Path dir;
    private SqliteStore store;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("sluice-storebench");
        store = SqliteStore.open(dir);
        store.inTransaction(NAME, l -> new SemaphoreMachine(l, NAME, Instant.now(), random)
                .put(SemaphoreConfig.ofLimit(1_000_000))).join();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        store.close();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Two durable transactions. */
    @Benchmark
    public Object tryAcquireRelease() {
        PermitRecord p = store.inTransaction(NAME, l -> new SemaphoreMachine(l, NAME, Instant.now(), random)
                .tryAcquire("default", null)).join();
        return store.inTransaction(NAME, l -> new SemaphoreMachine(l, NAME, Instant.now(), random).release(p.id())).join();
    }

    /** One thread's semaphore of limit 1 and the permit it holds, for {@link #handOff}. */
    @State(Scope.Thread)
    public static class HandOff {
        String name;
        PermitRecord held;

        @Setup(Level.Trial)
        public void setUp(StoreBench bench) {
            name = "handoff-" + bench.handOffSemaphores.incrementAndGet();
            held = bench.store.inTransaction(name, l -> {
                SemaphoreMachine m = new SemaphoreMachine(l, name, Instant.now(), bench.random);
                m.put(SemaphoreConfig.ofLimit(1));
                return m.tryAcquire("default", null);
            }).join();
        }
    }

    /**
     * Two durable transactions, as the server runs a {@code wait} that queues and the release that
     * grants it: a waiter joins the queue behind the held permit (a job row written), then the
     * release grants it the permit (the row deleted, a permit written), which it then holds.
     */
    @Benchmark
    public Object handOff(HandOff h) {
        AcquireOutcome queued = store.inTransaction(h.name, l -> new SemaphoreMachine(l, h.name, Instant.now(), random)
                .acquireOrWait("default", null, Instant.now().plusSeconds(60))).join();
        if (!(queued instanceof AcquireOutcome.Queued)) {
            throw new IllegalStateException("the waiter was not queued: " + queued);
        }
        List<Effects.WaiterGrant> grants = store.inTransaction(h.name, l -> {
            SemaphoreMachine m = new SemaphoreMachine(l, h.name, Instant.now(), random);
            m.release(h.held.id());
            return m.effects().waiterGrants();
        }).join();
        h.held = grants.getFirst().permit();
        return grants;
    }

    /** Three durable transactions: ten jobs enqueued, up to ten claimed (by any thread's cycle), those completed. */
    @Benchmark
    public Object tenJobsEnqueuedClaimedCompleted() {
        store.inTransaction(NAME, l -> new SemaphoreMachine(l, NAME, Instant.now(), random).enqueueEach(TEN_JOBS, null)).join();
        List<Claimed> claimed = store.inTransaction(NAME, l -> new SemaphoreMachine(l, NAME, Instant.now(), random)
                .claim(10, Duration.ofMinutes(1))).join();
        List<Attempt> attempts = claimed.stream().map(c -> new Attempt(c.job().id(), c.permit().id())).toList();
        return store.inTransaction(NAME, l -> new SemaphoreMachine(l, NAME, Instant.now(), random).completeEach(attempts)).join();
    }
}
