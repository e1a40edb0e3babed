package dev.sluice.core;

import dev.sluice.core.job.JobRecord;
import dev.sluice.core.job.JobState;
import dev.sluice.core.job.QueueEntry;
import dev.sluice.core.permit.PermitRecord;
import dev.sluice.core.semaphore.ChannelRecord;
import dev.sluice.core.semaphore.SemaphoreRecord;
import dev.sluice.core.semaphore.WebhookSecrets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The durable state of one semaphore, as seen from inside a transaction that holds its lock.
 * The store implements it; {@link SemaphoreMachine} is the only caller. Reads see the
 * transaction's own writes. Nothing here decides anything: the rules live in the machine.
 */
public interface Ledger {

    /** The semaphore's row, or empty if it does not exist. */
    Optional<SemaphoreRecord> semaphore();

    /** Inserts or updates the semaphore's row. */
    void save(SemaphoreRecord semaphore);

    /** Deletes the semaphore and everything it owns: channels, permits, jobs, webhook secrets. */
    void deleteSemaphore();

    /** The channel's row, or {@link ChannelRecord#empty} when it has none. */
    ChannelRecord channel(String name);

    /** Saves the channel's row; an {@linkplain ChannelRecord#isEmpty() empty} one may be dropped. */
    void save(ChannelRecord channel);

    List<String> pausedChannels();

    /** The secrets webhook deliveries are signed with, or empty if the semaphore never had any. */
    Optional<WebhookSecrets> webhookSecrets();

    void save(WebhookSecrets secrets);

    Optional<PermitRecord> permit(String permitId);

    Optional<PermitRecord> permitOfHolder(String holderId);

    void save(PermitRecord permit);

    void deletePermit(String permitId);

    /** Held permits whose lease ended at or before {@code now}, oldest expiry first. */
    List<PermitRecord> permitsExpiredBy(Instant now, int max);

    Optional<JobRecord> job(String jobId);

    Optional<JobRecord> jobWithIdempotencyKey(String key);

    void save(JobRecord job);

    void deleteJob(String jobId);

    /**
     * Waiting entries eligible at {@code now} ({@link JobRecord#isEligibleAt}: every waiter, and the
     * jobs whose {@code availableAt} has come), in grant order (priority
     * descending, then seq ascending), strictly after the given position. Dispatch reads the
     * {@link #job} of a job it grants.
     */
    List<QueueEntry> queuePage(Instant now, int afterPriority, long afterSeq, int max);

    /** How many waiting acquires (entries of kind waiter) the queue holds. Cheap while there are few. */
    long countWaiters();

    /** Whether a waiting job is not available yet at {@code now} (a retry backoff). Cheap at any depth. */
    boolean anyBackingOff(Instant now);

    /** Whether an entry waits at a priority below {@code priority}. Cheap at any depth. */
    boolean anyWaitingBelow(int priority);

    /** Waiters whose deadline is at or before {@code now}. */
    List<JobRecord> waitersPastDeadline(Instant now, int max);

    /** How many waiting entries come before the position (priority, seq) in grant order. */
    long countAhead(int priority, long seq);

    /** Jobs (not waiters) in a state, by seq, strictly after {@code afterSeq}. */
    List<JobRecord> jobsInState(JobState state, long afterSeq, int max);

    /**
     * Inflight jobs granted for webhook delivery whose delivery has not been answered
     * ({@link JobRecord#deliveredAt()} null), by seq, strictly after {@code afterSeq}.
     */
    List<JobRecord> jobsAwaitingDelivery(long afterSeq, int max);

    /** Deletes every waiting job (not waiters) and says how many. */
    int deleteWaitingJobs();
}
