package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.job.JobRecord;
import dev.sluice.core.job.JobState;
import dev.sluice.core.job.QueueEntry;
import dev.sluice.core.permit.PermitRecord;
import dev.sluice.core.semaphore.ChannelRecord;
import dev.sluice.core.semaphore.SemaphoreRecord;
import dev.sluice.core.semaphore.WebhookSecrets;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Runs every call on the reference ledger and on a mirror (a store's ledger) and answers the
 * reference's result, after checking that the mirror answered the same. Writes go to both, so the
 * two stay in step; a mirror that remembers or reads anything wrongly fails the call that shows it.
 */
final class MirroredLedger implements Ledger {
    private final Ledger reference;
    private final Ledger mirror;

    MirroredLedger(Ledger reference, Ledger mirror) {
        this.reference = reference;
        this.mirror = mirror;
    }

    private <T> T same(String call, Function<Ledger, T> read) {
        T expected = read.apply(reference);
        assertThat(read.apply(mirror)).as("the store's answer to %s", call).isEqualTo(expected);
        return expected;
    }

    /** Lists whose order ties may leave open, and a limit may cut anywhere among ties: same entries when complete. */
    private <T> List<T> sameEntries(String call, Function<Ledger, List<T>> read, int max, Function<T, String> id) {
        List<T> expected = read.apply(reference);
        List<T> actual = read.apply(mirror);
        assertThat(actual).as("how many %s", call).hasSameSizeAs(expected);
        if (expected.size() < max) {
            assertThat(actual.stream().sorted(Comparator.comparing(id)).toList()).as("the store's answer to %s", call)
                    .isEqualTo(expected.stream().sorted(Comparator.comparing(id)).toList());
        }
        return expected;
    }

    @Override public Optional<SemaphoreRecord> semaphore() { return same("semaphore()", Ledger::semaphore); }

    @Override public void save(SemaphoreRecord s) { reference.save(s); mirror.save(s); }

    @Override public void deleteSemaphore() { reference.deleteSemaphore(); mirror.deleteSemaphore(); }

    @Override public ChannelRecord channel(String name) { return same("channel(" + name + ")", l -> l.channel(name)); }

    @Override public void save(ChannelRecord c) { reference.save(c); mirror.save(c); }

    @Override public List<String> pausedChannels() { return same("pausedChannels()", Ledger::pausedChannels); }

    @Override public Optional<WebhookSecrets> webhookSecrets() { return same("webhookSecrets()", Ledger::webhookSecrets); }

    @Override public void save(WebhookSecrets w) { reference.save(w); mirror.save(w); }

    @Override public Optional<PermitRecord> permit(String id) { return same("permit(" + id + ")", l -> l.permit(id)); }

    @Override public Optional<PermitRecord> permitOfHolder(String holder) {
        return same("permitOfHolder(" + holder + ")", l -> l.permitOfHolder(holder));
    }

    @Override public void save(PermitRecord p) { reference.save(p); mirror.save(p); }

    @Override public void deletePermit(String id) { reference.deletePermit(id); mirror.deletePermit(id); }

    @Override public List<PermitRecord> permitsExpiredBy(Instant now, int max) {
        return sameEntries("permitsExpiredBy(" + now + ")", l -> l.permitsExpiredBy(now, max), max, PermitRecord::id);
    }

    @Override public Optional<JobRecord> job(String id) { return same("job(" + id + ")", l -> l.job(id)); }

    @Override public Optional<JobRecord> jobWithIdempotencyKey(String key) {
        return same("jobWithIdempotencyKey(" + key + ")", l -> l.jobWithIdempotencyKey(key));
    }

    @Override public void save(JobRecord j) { reference.save(j); mirror.save(j); }

    @Override public void deleteJob(String id) { reference.deleteJob(id); mirror.deleteJob(id); }

    @Override public List<QueueEntry> queuePage(Instant now, int afterPriority, long afterSeq, int max) {
        return same("queuePage(" + now + ", " + afterPriority + ", " + afterSeq + ", " + max + ")",
                l -> l.queuePage(now, afterPriority, afterSeq, max));
    }

    @Override public long countWaiters() { return same("countWaiters()", Ledger::countWaiters); }

    @Override public boolean anyBackingOff(Instant now) { return same("anyBackingOff(" + now + ")", l -> l.anyBackingOff(now)); }

    @Override public boolean anyWaitingBelow(int priority) {
        return same("anyWaitingBelow(" + priority + ")", l -> l.anyWaitingBelow(priority));
    }

    @Override public List<JobRecord> waitersPastDeadline(Instant now, int max) {
        return sameEntries("waitersPastDeadline(" + now + ")", l -> l.waitersPastDeadline(now, max), max, JobRecord::id);
    }

    @Override public long countAhead(int priority, long seq) {
        return same("countAhead(" + priority + ", " + seq + ")", l -> l.countAhead(priority, seq));
    }

    @Override public List<JobRecord> jobsInState(JobState state, long afterSeq, int max) {
        return same("jobsInState(" + state + ")", l -> l.jobsInState(state, afterSeq, max));
    }

    @Override public List<JobRecord> jobsAwaitingDelivery(long afterSeq, int max) {
        return same("jobsAwaitingDelivery()", l -> l.jobsAwaitingDelivery(afterSeq, max));
    }

    @Override public int deleteWaitingJobs() { return same("deleteWaitingJobs()", Ledger::deleteWaitingJobs); }
}
