package dev.sluice.core;

import dev.sluice.core.job.JobRecord;
import dev.sluice.core.permit.PermitRecord;
import dev.sluice.core.semaphore.ChannelRecord;
import dev.sluice.core.semaphore.SemaphoreRecord;
import dev.sluice.core.semaphore.WebhookSecrets;
import java.util.Map;
import java.util.TreeMap;

/**
 * A copy of everything an {@link InMemoryLedger} holds. The records are immutable, so copying the
 * maps is a full snapshot; two snapshots are equal exactly when the ledger did not change.
 */
record LedgerState(SemaphoreRecord semaphore, Map<String, ChannelRecord> channels,
                   Map<String, PermitRecord> permits, Map<String, JobRecord> jobs, WebhookSecrets secrets) {

    static final LedgerState EMPTY = new LedgerState(null, Map.of(), Map.of(), Map.of(), null);

    static LedgerState of(InMemoryLedger ledger) {
        return new LedgerState(ledger.semaphore, new TreeMap<>(ledger.channels), new TreeMap<>(ledger.permits),
                new TreeMap<>(ledger.jobs), ledger.secrets);
    }
}
