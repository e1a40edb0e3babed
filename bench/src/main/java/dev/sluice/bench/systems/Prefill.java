package dev.sluice.bench.systems;

import dev.sluice.core.SemaphoreMachine;
import dev.sluice.core.job.JobRecord;
import dev.sluice.core.semaphore.SemaphoreConfig;
import dev.sluice.core.semaphore.SemaphoreRecord;
import dev.sluice.store.SqliteStore;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Fills a data directory before a node starts on it, through the store itself, for the scaling
 * scenario: a million jobs through the API would take longer than the measurement.
 */
public final class Prefill {
    private static final int JOBS_PER_TRANSACTION = 10_000;

    private Prefill() {}

    /** Creates {@code count} semaphores {@code prefix + i}, through the core's rules. */
    public static void semaphores(Path dataDir, String prefix, int count, int limit) {
        SecureRandom random = new SecureRandom();
        try (SqliteStore store = SqliteStore.open(dataDir)) {
            List<CompletableFuture<Boolean>> pending = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String name = prefix + i;
                pending.add(store.inTransaction(name, ledger ->
                        new SemaphoreMachine(ledger, name, Instant.now(), random).put(SemaphoreConfig.ofLimit(limit))));
                if (pending.size() == 10_000) {
                    pending.forEach(CompletableFuture::join);
                    pending.clear();
                }
            }
            pending.forEach(CompletableFuture::join);
        }
    }

    /**
     * Creates the semaphore and puts {@code jobs} waiting jobs in its queue. The rows are those
     * {@code SemaphoreMachine.enqueue} writes; only the queue position it answers with is not
     * computed, since nobody reads it here.
     */
    public static void jobs(Path dataDir, String name, int limit, int jobs) {
        SecureRandom random = new SecureRandom();
        try (SqliteStore store = SqliteStore.open(dataDir)) {
            store.inTransaction(name, ledger ->
                    new SemaphoreMachine(ledger, name, Instant.now(), random).put(SemaphoreConfig.ofLimit(limit))).join();
            for (int done = 0; done < jobs; done += JOBS_PER_TRANSACTION) {
                int n = Math.min(JOBS_PER_TRANSACTION, jobs - done);
                store.inTransaction(name, ledger -> {
                    SemaphoreRecord s = ledger.semaphore().orElseThrow();
                    Instant now = Instant.now();
                    for (int i = 0; i < n; i++) {
                        s = s.withNextSeq().counted(1, 0, 0);
                        String id = "j" + HexFormat.of().toHexDigits(random.nextLong()) + HexFormat.of().toHexDigits(random.nextInt());
                        ledger.save(JobRecord.newJob(id, "default", 0, s.lastSeq(), "{\"order\":42}", null, now));
                    }
                    ledger.save(s);
                    return null;
                }).join();
            }
        }
    }
}
