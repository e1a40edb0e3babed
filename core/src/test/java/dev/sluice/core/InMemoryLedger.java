package dev.sluice.core;

import dev.sluice.core.job.JobRecord;
import dev.sluice.core.job.JobState;
import dev.sluice.core.job.QueueEntry;
import dev.sluice.core.permit.PermitRecord;
import dev.sluice.core.semaphore.ChannelRecord;
import dev.sluice.core.semaphore.SemaphoreRecord;
import dev.sluice.core.semaphore.WebhookSecrets;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/** A ledger of one semaphore in plain maps: the reference the property tests drive the machine on. */
final class InMemoryLedger implements Ledger {
    static final Comparator<JobRecord> GRANT_ORDER =
            Comparator.comparingInt(JobRecord::priority).reversed().thenComparingLong(JobRecord::seq);

    SemaphoreRecord semaphore;
    final Map<String, ChannelRecord> channels = new TreeMap<>();
    final Map<String, PermitRecord> permits = new LinkedHashMap<>();
    final Map<String, JobRecord> jobs = new LinkedHashMap<>();
    WebhookSecrets secrets;
    /** How many times dispatch counted the waiters instead of reading them (for the generators' coverage). */
    int waiterCounts;

    @Override public Optional<SemaphoreRecord> semaphore() { return Optional.ofNullable(semaphore); }
    @Override public void save(SemaphoreRecord s) { semaphore = s; }

    @Override
    public void deleteSemaphore() {
        semaphore = null;
        channels.clear();
        permits.clear();
        jobs.clear();
        secrets = null;
    }

    @Override public ChannelRecord channel(String name) { return channels.getOrDefault(name, ChannelRecord.empty(name)); }

    @Override
    public void save(ChannelRecord c) {
        if (c.isEmpty()) {
            channels.remove(c.name());
        } else {
            channels.put(c.name(), c);
        }
    }

    @Override
    public List<String> pausedChannels() {
        return channels.values().stream().filter(ChannelRecord::paused).map(ChannelRecord::name).toList();
    }

    @Override public Optional<WebhookSecrets> webhookSecrets() { return Optional.ofNullable(secrets); }
    @Override public void save(WebhookSecrets s) { secrets = s; }

    @Override public Optional<PermitRecord> permit(String id) { return Optional.ofNullable(permits.get(id)); }

    @Override
    public Optional<PermitRecord> permitOfHolder(String holderId) {
        return permits.values().stream().filter(p -> Objects.equals(p.holderId(), holderId)).findFirst();
    }

    @Override public void save(PermitRecord p) { permits.put(p.id(), p); }
    @Override public void deletePermit(String id) { permits.remove(id); }

    @Override
    public List<PermitRecord> permitsExpiredBy(Instant now, int max) {
        return permits.values().stream()
                .filter(p -> p.state() == PermitRecord.State.HELD && p.expiresAt() != null && !p.expiresAt().isAfter(now))
                .sorted(Comparator.comparing(PermitRecord::expiresAt)).limit(max).toList();
    }

    @Override public Optional<JobRecord> job(String id) { return Optional.ofNullable(jobs.get(id)); }

    @Override
    public Optional<JobRecord> jobWithIdempotencyKey(String key) {
        return jobs.values().stream().filter(j -> key.equals(j.idempotencyKey())).findFirst();
    }

    @Override public void save(JobRecord j) { jobs.put(j.id(), j); }
    @Override public void deleteJob(String id) { jobs.remove(id); }

    @Override
    public List<QueueEntry> queuePage(Instant now, int afterPriority, long afterSeq, int max) {
        return jobs.values().stream()
                .filter(j -> j.isEligibleAt(now))
                .filter(j -> j.priority() < afterPriority || (j.priority() == afterPriority && j.seq() > afterSeq))
                .sorted(GRANT_ORDER).limit(max)
                .map(QueueEntry::of)
                .toList();
    }

    @Override
    public long countWaiters() {
        waiterCounts++;
        return jobs.values().stream().filter(j -> j.isWaiter() && j.state() == JobState.WAITING).count();
    }

    @Override
    public boolean anyBackingOff(Instant now) {
        return jobs.values().stream().anyMatch(j -> j.state() == JobState.WAITING && j.availableAt().isAfter(now));
    }

    @Override
    public boolean anyWaitingBelow(int priority) {
        return jobs.values().stream().anyMatch(j -> j.state() == JobState.WAITING && j.priority() < priority);
    }

    @Override
    public List<JobRecord> waitersPastDeadline(Instant now, int max) {
        return jobs.values().stream()
                .filter(j -> j.isWaiter() && j.state() == JobState.WAITING && !j.deadline().isAfter(now))
                .limit(max).toList();
    }

    @Override
    public long countAhead(int priority, long seq) {
        return jobs.values().stream().filter(j -> j.state() == JobState.WAITING)
                .filter(j -> j.priority() > priority || (j.priority() == priority && j.seq() < seq)).count();
    }

    @Override
    public List<JobRecord> jobsInState(JobState state, long afterSeq, int max) {
        return jobs.values().stream().filter(j -> !j.isWaiter() && j.state() == state && j.seq() > afterSeq)
                .sorted(Comparator.comparingLong(JobRecord::seq)).limit(max).toList();
    }

    @Override
    public List<JobRecord> jobsAwaitingDelivery(long afterSeq, int max) {
        return jobs.values().stream()
                .filter(j -> !j.isWaiter() && j.state() == JobState.INFLIGHT && j.deliveredAt() == null && j.seq() > afterSeq)
                .sorted(Comparator.comparingLong(JobRecord::seq)).limit(max).toList();
    }

    @Override
    public int deleteWaitingJobs() {
        var doomed = jobs.values().stream().filter(j -> !j.isWaiter() && j.state() == JobState.WAITING).map(JobRecord::id).toList();
        doomed.forEach(jobs::remove);
        return doomed.size();
    }
}
