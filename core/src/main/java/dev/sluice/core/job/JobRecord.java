package dev.sluice.core.job;

import java.time.Duration;
import java.time.Instant;

/**
 * An entry of a semaphore's queue: an async job, or a synchronous acquire that waits
 * ({@link Kind#WAITER}) in the same FIFO. Immutable; each transition is a named method.
 *
 * @param seq         the position key: entries are granted by priority (higher first), then seq
 * @param originalSeq the seq given at enqueue, restored by reschedule and by retries
 * @param lease       the lease asked for at enqueue (waiters) or null for the semaphore's default
 * @param deadline    when a waiter gives up; null for jobs
 * @param availableAt not granted before this instant (retry backoff)
 * @param permitId    the permit held while inflight
 * @param traceparent the W3C trace context given at enqueue, handed on at each delivery; null when none was given
 */
public record JobRecord(String id, Kind kind, String channel, int priority, long seq, long originalSeq,
                        JobState state, String payload, String idempotencyKey, int attempts, Duration lease,
                        Instant deadline, Instant availableAt, String permitId, String lastError,
                        Instant createdAt, Instant updatedAt, String traceparent) {

    public enum Kind { JOB, WAITER }

    /** A record without trace context. */
    public JobRecord(String id, Kind kind, String channel, int priority, long seq, long originalSeq,
                     JobState state, String payload, String idempotencyKey, int attempts, Duration lease,
                     Instant deadline, Instant availableAt, String permitId, String lastError,
                     Instant createdAt, Instant updatedAt) {
        this(id, kind, channel, priority, seq, originalSeq, state, payload, idempotencyKey, attempts, lease, deadline,
                availableAt, permitId, lastError, createdAt, updatedAt, null);
    }

    public static JobRecord newJob(String id, String channel, int priority, long seq, String payload,
                                   String idempotencyKey, Instant now) {
        return newJob(id, channel, priority, seq, payload, idempotencyKey, null, now);
    }

    public static JobRecord newJob(String id, String channel, int priority, long seq, String payload,
                                   String idempotencyKey, String traceparent, Instant now) {
        return new JobRecord(id, Kind.JOB, channel, priority, seq, seq, JobState.WAITING, payload, idempotencyKey,
                0, null, null, now, null, null, now, now, traceparent);
    }

    public static JobRecord newWaiter(String id, String channel, long seq, Duration lease, Instant deadline, Instant now) {
        return new JobRecord(id, Kind.WAITER, channel, 0, seq, seq, JobState.WAITING, null, null,
                0, lease, deadline, now, null, null, now, now);
    }

    public boolean isWaiter() {
        return kind == Kind.WAITER;
    }

    public boolean isEligibleAt(Instant now) {
        return state == JobState.WAITING && !availableAt.isAfter(now);
    }

    public JobRecord granted(String newPermitId, Instant now) {
        return new JobRecord(id, kind, channel, priority, seq, originalSeq, JobState.INFLIGHT, payload, idempotencyKey,
                attempts + 1, lease, deadline, availableAt, newPermitId, lastError, createdAt, now, traceparent);
    }

    public JobRecord waitingAgain(long newSeq, Instant newAvailableAt, String error, Instant now) {
        return new JobRecord(id, kind, channel, priority, newSeq, originalSeq, JobState.WAITING, payload, idempotencyKey,
                attempts, lease, deadline, newAvailableAt, null, error, createdAt, now, traceparent);
    }

    public JobRecord finished(JobState finalState, String error, Instant now) {
        return new JobRecord(id, kind, channel, priority, seq, originalSeq, finalState, payload, idempotencyKey,
                attempts, lease, deadline, availableAt, null, error, createdAt, now, traceparent);
    }

    public JobRecord redriven(long newSeq, Instant now) {
        return new JobRecord(id, kind, channel, priority, newSeq, originalSeq, JobState.WAITING, payload, idempotencyKey,
                0, lease, deadline, now, null, lastError, createdAt, now, traceparent);
    }
}
