package dev.sluice.bench.jmh;

import dev.sluice.core.Ledger;
import dev.sluice.core.job.JobRecord;
import dev.sluice.core.job.JobState;
import dev.sluice.core.job.QueueEntry;
import dev.sluice.core.permit.PermitRecord;
import dev.sluice.core.semaphore.ChannelRecord;
import dev.sluice.core.semaphore.SemaphoreRecord;
import dev.sluice.core.semaphore.WebhookSecrets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A ledger of one semaphore in memory, indexed like the store's tables (the queue in grant order,
 * permits by holder), so that a benchmark of the core measures the rules and not a scan of maps.
 * Core's own {@code InMemoryLedger} is a test reference that favours obviousness over speed.
 */
final class MapLedger implements Ledger {
    private static final Comparator<JobRecord> GRANT_ORDER =
            Comparator.comparingInt(JobRecord::priority).reversed().thenComparingLong(JobRecord::seq);

    private SemaphoreRecord semaphore;
    private final Map<String, ChannelRecord> channels = new HashMap<>();
    private final Map<String, PermitRecord> permits = new HashMap<>();
    private final Map<String, String> permitByHolder = new HashMap<>();
    private final Map<String, JobRecord> jobs = new HashMap<>();
    private final Map<String, JobRecord> byIdempotencyKey = new HashMap<>();
    private final NavigableSet<JobRecord> waiting = new TreeSet<>(GRANT_ORDER);
    /** When the waiting entries become available, counted per instant: the latest tells of a backoff. */
    private final NavigableMap<Instant, Integer> availableAt = new TreeMap<>();
    private long waiters;

    @Override public Optional<SemaphoreRecord> semaphore() { return Optional.ofNullable(semaphore); }
    @Override public void save(SemaphoreRecord s) { semaphore = s; }

    @Override
    public void deleteSemaphore() {
        semaphore = null;
        channels.clear();
        permits.clear();
        permitByHolder.clear();
        jobs.clear();
        byIdempotencyKey.clear();
        waiting.clear();
        availableAt.clear();
        waiters = 0;
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
        List<String> paused = new ArrayList<>();
        channels.values().forEach(c -> {
            if (c.paused()) {
                paused.add(c.name());
            }
        });
        paused.sort(null);
        return paused;
    }

    @Override public Optional<PermitRecord> permit(String id) { return Optional.ofNullable(permits.get(id)); }

    @Override
    public Optional<PermitRecord> permitOfHolder(String holderId) {
        String id = permitByHolder.get(holderId);
        return id == null ? Optional.empty() : permit(id);
    }

    @Override
    public void save(PermitRecord p) {
        permits.put(p.id(), p);
        if (p.holderId() != null) {
            permitByHolder.put(p.holderId(), p.id());
        }
    }

    @Override
    public void deletePermit(String id) {
        PermitRecord p = permits.remove(id);
        if (p != null && p.holderId() != null) {
            permitByHolder.remove(p.holderId(), id);
        }
    }

    @Override
    public List<PermitRecord> permitsExpiredBy(Instant now, int max) {
        return permits.values().stream()
                .filter(p -> p.state() == PermitRecord.State.HELD && p.expiresAt() != null && !p.expiresAt().isAfter(now))
                .sorted(Comparator.comparing(PermitRecord::expiresAt)).limit(max).toList();
    }

    @Override public Optional<JobRecord> job(String id) { return Optional.ofNullable(jobs.get(id)); }

    @Override
    public Optional<JobRecord> jobWithIdempotencyKey(String key) {
        return Optional.ofNullable(byIdempotencyKey.get(key));
    }

    @Override
    public void save(JobRecord j) {
        JobRecord old = jobs.put(j.id(), j);
        if (old != null && old.state() == JobState.WAITING) {
            leave(old);
        }
        if (j.state() == JobState.WAITING) {
            waiting.add(j);
            availableAt.merge(j.availableAt(), 1, Integer::sum);
            if (j.isWaiter()) {
                waiters++;
            }
        }
        if (j.idempotencyKey() != null) {
            byIdempotencyKey.put(j.idempotencyKey(), j);
        }
    }

    @Override
    public void deleteJob(String id) {
        JobRecord old = jobs.remove(id);
        if (old != null) {
            if (old.state() == JobState.WAITING) {
                leave(old);
            }
            if (old.idempotencyKey() != null) {
                byIdempotencyKey.remove(old.idempotencyKey());
            }
        }
    }

    @Override
    public List<QueueEntry> queuePage(Instant now, int afterPriority, long afterSeq, int max) {
        List<QueueEntry> page = new ArrayList<>(Math.min(max, 128));
        for (JobRecord j : waiting) {
            boolean after = j.priority() < afterPriority || (j.priority() == afterPriority && j.seq() > afterSeq);
            if (after && j.isEligibleAt(now)) {
                page.add(QueueEntry.of(j));
                if (page.size() == max) {
                    break;
                }
            }
        }
        return page;
    }

    private void leave(JobRecord old) {
        waiting.remove(old);
        availableAt.computeIfPresent(old.availableAt(), (t, n) -> n == 1 ? null : n - 1);
        if (old.isWaiter()) {
            waiters--;
        }
    }

    @Override
    public long countWaiters() {
        return waiters;
    }

    @Override
    public boolean anyBackingOff(Instant now) {
        return !availableAt.isEmpty() && availableAt.lastKey().isAfter(now);
    }

    @Override
    public boolean anyWaitingBelow(int priority) {
        return !waiting.isEmpty() && waiting.last().priority() < priority;
    }

    @Override
    public List<JobRecord> waitersPastDeadline(Instant now, int max) {
        return waiting.stream().filter(j -> j.isWaiter() && !j.deadline().isAfter(now)).limit(max).toList();
    }

    @Override
    public long countAhead(int priority, long seq) {
        return waiting.stream().filter(j -> j.priority() > priority || (j.priority() == priority && j.seq() < seq)).count();
    }

    @Override
    public List<JobRecord> jobsInState(JobState state, long afterSeq, int max) {
        return jobs.values().stream().filter(j -> !j.isWaiter() && j.state() == state && j.seq() > afterSeq)
                .sorted(Comparator.comparingLong(JobRecord::seq)).limit(max).toList();
    }

    @Override
    public int deleteWaitingJobs() {
        List<String> doomed = waiting.stream().filter(j -> !j.isWaiter()).map(JobRecord::id).toList();
        doomed.forEach(this::deleteJob);
        return doomed.size();
    }

    private WebhookSecrets secrets;

    @Override
    public Optional<WebhookSecrets> webhookSecrets() {
        return Optional.ofNullable(secrets);
    }

    @Override
    public void save(WebhookSecrets s) {
        secrets = s;
    }

    @Override
    public List<JobRecord> jobsAwaitingDelivery(long afterSeq, int max) {
        return jobs.values().stream()
                .filter(j -> !j.isWaiter() && j.state() == JobState.INFLIGHT && j.deliveredAt() == null && j.seq() > afterSeq)
                .sorted(java.util.Comparator.comparingLong(JobRecord::seq)).limit(max).toList();
    }
}
