package dev.sluice.bench.jmh;

import dev.sluice.core.Claimed;
import dev.sluice.core.SemaphoreMachine;
import dev.sluice.core.permit.PermitRecord;
import dev.sluice.core.semaphore.SemaphoreConfig;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The core's rules alone: {@link SemaphoreMachine} over an in-memory ledger, one machine per
 * operation as the server builds them, with the server's {@link SecureRandom}. What an operation
 * costs before any SQL, JSON or HTTP. {@code waiting}: jobs already in the queue (limit 1000).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CoreBench {
    private static final String NAME = "bench";

    @Param({"0", "1000", "100000"})
    int waiting;

    private MapLedger ledger;
    private final SecureRandom random = new SecureRandom();
    private Instant now;

    @Setup(Level.Trial)
    public void setUp() {
        ledger = new MapLedger();
        now = Instant.parse("2026-01-01T00:00:00Z");
        machine().put(SemaphoreConfig.ofLimit(1000));
        // the rows enqueue writes, without the queue position it answers with (quadratic to fill 100,000)
        var s = ledger.semaphore().orElseThrow();
        for (int i = 0; i < waiting; i++) {
            s = s.withNextSeq().counted(1, 0, 0);
            ledger.save(dev.sluice.core.job.JobRecord.newJob("j" + i, "default", 0, s.lastSeq(), "{\"order\":42}", null, now));
        }
        ledger.save(s);
    }

    private SemaphoreMachine machine() {
        return new SemaphoreMachine(ledger, NAME, now, random);
    }

    /** try-acquire + release: two operations. With jobs waiting the try is refused (nothing jumps the queue). */
    @Benchmark
    public Object tryAcquireRelease() {
        try {
            PermitRecord p = machine().tryAcquire("default", null);
            return machine().release(p.id());
        } catch (dev.sluice.core.SluiceException refused) {
            return refused;
        }
    }

    /** enqueue → claim → complete: three operations; the queue keeps its depth. */
    @Benchmark
    public Object enqueueClaimComplete() {
        machine().enqueue("{\"order\":42}", "default", 0, null);
        List<Claimed> claimed = machine().claim(1, null);
        Claimed c = claimed.getFirst();
        machine().complete(c.job().id(), c.permit().id());
        return c;
    }
}
