package dev.sluice.core;

import dev.sluice.core.job.JobRecord;
import dev.sluice.core.permit.PermitRecord;
import dev.sluice.core.semaphore.ChannelRecord;
import dev.sluice.core.semaphore.SemaphoreRecord;
import java.util.Map;
import java.util.TreeMap;

/**
 * A copy of everything an {@link InMemoryLedger} holds. The records are immutable, so copying the
 * maps is a full snapshot; two snapshots are equal exactly when the ledger did not change.
 */
record LedgerState(SemaphoreRecord semaphore, Map<String, ChannelRecord> channels,
                   Map<String, PermitRecord> permits, Map<String, JobRecord> jobs) {

    static LedgerState of(InMemoryLedger ledger) {
        return new LedgerState(ledger.semaphore, new TreeMap<>(ledger.channels), new TreeMap<>(ledger.permits),
                new TreeMap<>(ledger.jobs));
    }
}
