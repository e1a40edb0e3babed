package dev.sluice.core.job;

import java.time.Duration;
import java.time.Instant;

/**
 * A waiting entry as dispatch reads it from the queue: what the grant order, the checks that pass
 * an entry over and the grant of a waiter need. A job's whole row is read only when it is granted.
 *
 * @param lease       the lease a waiter asked for, or null for the semaphore's default
 * @param deadline    when a waiter gives up; null for jobs
 * @param availableAt not granted before this instant (retry backoff); the instant a waiter joined
 */
public record QueueEntry(String id, JobRecord.Kind kind, String channel, int priority, long seq, Duration lease,
                         Instant deadline, Instant availableAt) {

    public static QueueEntry of(JobRecord job) {
        return new QueueEntry(job.id(), job.kind(), job.channel(), job.priority(), job.seq(), job.lease(),
                job.deadline(), job.availableAt());
    }

    public boolean isWaiter() {
        return kind == JobRecord.Kind.WAITER;
    }
}
