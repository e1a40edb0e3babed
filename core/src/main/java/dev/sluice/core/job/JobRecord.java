package dev.sluice.core.job;

import java.time.Duration;
import java.time.Instant;

/**
 * An entry of a semaphore's queue: an async job, or a synchronous acquire that waits
 * ({@link Kind#WAITER}) in the same FIFO. Immutable; each transition is a named method.
 *
 * @param seq           the position key: entries are granted by priority (higher first), then seq
 * @param originalSeq   the seq given at enqueue, restored by reschedule and by retries
 * @param attempts      how many times it was granted (the current attempt, while inflight)
 * @param lease         the lease asked for at enqueue (waiters) or null for the semaphore's default
 * @param deadline      when a waiter gives up; null for jobs
 * @param availableAt   not granted before this instant (retry backoff)
 * @param permitId      the permit held while inflight
 * @param deliveredAt   when the current (or last) attempt reached its processor: a claim, or a 2xx
 *                      answer to the webhook; null while an inflight job granted for webhook delivery
 *                      has not been answered yet
 * @param forwardedFrom the semaphore this job was forwarded from, or null
 * @param forwardedTo   the semaphore this job is being or was forwarded to, or null
 * @param traceparent   the W3C trace context given at enqueue, handed on at each delivery; null when none was given
 */
public record JobRecord(String id, Kind kind, String channel, int priority, long seq, long originalSeq,
                        JobState state, String payload, String idempotencyKey, int attempts, Duration lease,
                        Instant deadline, Instant availableAt, String permitId, String lastError,
                        Instant createdAt, Instant updatedAt, Instant deliveredAt, String forwardedFrom,
                        String forwardedTo, String traceparent) {

    public enum Kind { JOB, WAITER }

    public static JobRecord newJob(String id, String channel, int priority, long seq, String payload,
                                   String idempotencyKey, Instant now) {
        return newJob(id, channel, priority, seq, payload, idempotencyKey, null, now);
    }

    public static JobRecord newJob(String id, String channel, int priority, long seq, String payload,
                                   String idempotencyKey, String traceparent, Instant now) {
        return new JobRecord(id, Kind.JOB, channel, priority, seq, seq, JobState.WAITING, payload, idempotencyKey,
                0, null, null, now, null, null, now, now, null, null, null, traceparent);
    }

    public static JobRecord newWaiter(String id, String channel, long seq, Duration lease, Instant deadline, Instant now) {
        return new JobRecord(id, Kind.WAITER, channel, 0, seq, seq, JobState.WAITING, null, null,
                0, lease, deadline, now, null, null, now, now, null, null, null, null);
    }

    public boolean isWaiter() {
        return kind == Kind.WAITER;
    }

    public boolean isEligibleAt(Instant now) {
        // A waiter never backs off: its availableAt is when it joined by the clock of the node that
        // queued it, which may be ahead of this node's, and no backoff timer wakes dispatch for it.
        return state == JobState.WAITING && (kind == Kind.WAITER || !availableAt.isAfter(now));
    }

    /** Inflight and handed to its processor, which claimed it. */
    public JobRecord granted(String newPermitId, Instant now) {
        return inflight(newPermitId, now, now);
    }

    /** Inflight, to be pushed to the semaphore's webhook: delivered once the webhook answers 2xx. */
    public JobRecord grantedForDelivery(String newPermitId, Instant now) {
        return inflight(newPermitId, now, null);
    }

    private JobRecord inflight(String newPermitId, Instant now, Instant delivered) {
        return new JobRecord(id, kind, channel, priority, seq, originalSeq, JobState.INFLIGHT, payload, idempotencyKey,
                attempts + 1, lease, deadline, availableAt, newPermitId, lastError, createdAt, now, delivered,
                forwardedFrom, forwardedTo, traceparent);
    }

    /** The webhook accepted the current attempt. */
    public JobRecord delivered(Instant now) {
        return new JobRecord(id, kind, channel, priority, seq, originalSeq, state, payload, idempotencyKey,
                attempts, lease, deadline, availableAt, permitId, lastError, createdAt, now, now, forwardedFrom, forwardedTo, traceparent);
    }

    /** A grant for delivery taken back before any delivery was made: back where it was; the attempt does not count. */
    public JobRecord undelivered(Instant now) {
        return new JobRecord(id, kind, channel, priority, seq, originalSeq, JobState.WAITING, payload, idempotencyKey,
                Math.max(0, attempts - 1), lease, deadline, now, null, lastError, createdAt, now, null, forwardedFrom, forwardedTo, traceparent);
    }

    public JobRecord waitingAgain(long newSeq, Instant newAvailableAt, String error, Instant now) {
        return new JobRecord(id, kind, channel, priority, newSeq, originalSeq, JobState.WAITING, payload, idempotencyKey,
                attempts, lease, deadline, newAvailableAt, null, error, createdAt, now, null, forwardedFrom, forwardedTo, traceparent);
    }

    public JobRecord finished(JobState finalState, String error, Instant now) {
        return new JobRecord(id, kind, channel, priority, seq, originalSeq, finalState, payload, idempotencyKey,
                attempts, lease, deadline, availableAt, null, error, createdAt, now, deliveredAt, forwardedFrom, forwardedTo, traceparent);
    }

    public JobRecord redriven(long newSeq, Instant now) {
        return new JobRecord(id, kind, channel, priority, newSeq, originalSeq, JobState.WAITING, payload, idempotencyKey,
                0, lease, deadline, now, null, lastError, createdAt, now, null, forwardedFrom, null, traceparent);
    }

    /** Retries exhausted: on its way to {@code target}, the first step of a forward. */
    public JobRecord forwarding(String target, String error, Instant now) {
        return new JobRecord(id, kind, channel, priority, seq, originalSeq, JobState.FORWARDING, payload, idempotencyKey,
                attempts, lease, deadline, availableAt, null, error, createdAt, now, deliveredAt, forwardedFrom, target, traceparent);
    }

    /** The target semaphore has the job: the last step of a forward. */
    public JobRecord forwarded(Instant now) {
        return finished(JobState.FORWARDED, lastError, now);
    }

    /** The forward could not be made: the job is dead here, with the reason. */
    public JobRecord forwardFailed(String reason, Instant now) {
        return new JobRecord(id, kind, channel, priority, seq, originalSeq, JobState.DEAD, payload, idempotencyKey,
                attempts, lease, deadline, availableAt, null, reason, createdAt, now, deliveredAt, forwardedFrom, null, traceparent);
    }

    /**
     * The job as it arrives on the semaphore it was forwarded to: the same id, payload, channel,
     * priority, creation time and last error, at the back of its new queue, with that semaphore's
     * own retry budget ahead of it.
     */
    public JobRecord arrivedFrom(String source, long newSeq, String keptIdempotencyKey, Instant now) {
        return new JobRecord(id, Kind.JOB, channel, priority, newSeq, newSeq, JobState.WAITING, payload, keptIdempotencyKey,
                0, null, null, now, null, lastError, createdAt, now, null, source, null, traceparent);
    }
}
