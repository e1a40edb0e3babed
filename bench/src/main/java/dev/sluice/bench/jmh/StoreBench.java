package dev.sluice.bench.jmh;

import dev.sluice.core.Claimed;
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
 * without HTTP; and the async cycle of ten jobs (enqueued, claimed and completed, three
 * transactions). Run with {@code -t 16} to see group commit share the fsync.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StoreBench {
    private static final String NAME = "bench";
    private static final List<NewJob> TEN_JOBS = Collections.nCopies(10, new NewJob("{\"n\":1}", "default", 0, null));
    private final SecureRandom random = new SecureRandom();
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
