package dev.sluice.core;

import dev.sluice.core.job.JobState;
import dev.sluice.core.permit.PermitRecord;
import dev.sluice.core.semaphore.SemaphoreConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a committed operation means for parties outside its transaction: waiting acquires that
 * were granted, whether a pending claim might now succeed, whether webhook deliveries are owed,
 * whether a job set out for another semaphore. Acted on only after commit.
 *
 * <p>It also lists, in the order they happened, the {@linkplain #changes() changes} the operation
 * made: for metrics, the event stream and the audit log, which must count what committed and
 * nothing else.
 */
public final class Effects {
    /** A waiting acquire granted by someone else's operation. */
    public record WaiterGrant(String waiterId, PermitRecord permit) {}

    /** How a permit was asked for. */
    public enum AcquireMode {
        /** {@code try}: now or never. */
        TRY,
        /** A synchronous acquire that may wait in the queue. */
        WAIT,
        /** An async job, granted when delivered. */
        JOB;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** How one delivery attempt of a job ended. */
    public enum AttemptOutcome {
        COMPLETED, FAILED, LEASE_EXPIRED, CANCELLED,
        /** Requeued or rescheduled by an operator or a claim that timed out. */
        HANDED_BACK;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One change an operation made, as it will be committed. */
    public sealed interface Change {}

    /**
     * A permit was granted.
     *
     * @param entryId      the waiter or job granted, or null for an acquire granted at once
     * @param waitingSince when the granted entry became eligible (enqueued, redriven, backoff ended), or null
     * @param traceparent  the trace context of the job granted, or null
     */
    public record Granted(AcquireMode mode, PermitRecord permit, String entryId, Instant waitingSince, String traceparent)
            implements Change {}

    /**
     * An acquire was refused ({@link ProblemCode#LIMIT_REACHED} or {@link ProblemCode#PAUSED}).
     * A refused {@code try} throws, so its operation commits nothing: this change is then handed
     * to the engine's refusal listeners only. A wait that ends unserved does commit (it leaves the queue).
     */
    public record Rejected(AcquireMode mode, ProblemCode reason) implements Change {}

    /** An entry joined the queue: a job, or an acquire that waits. */
    public record Queued(AcquireMode mode, String entryId, String channel) implements Change {}

    /** A permit was handed back by its holder (release, complete, fail, cancel, requeue). */
    public record Released(PermitRecord permit, Instant at) implements Change {}

    /** A permit's lease ran out and the server reclaimed it; {@code jobId} held it, or null. */
    public record Expired(PermitRecord permit, String jobId, Instant at) implements Change {}

    /**
     * A delivery attempt of a job ended.
     *
     * @param permit      the permit the attempt held (its grant is when the attempt began), or null if unknown
     * @param traceparent the job's trace context, or null
     * @param at          when it ended
     */
    public record AttemptEnded(String jobId, AttemptOutcome outcome, PermitRecord permit, String traceparent, Instant at)
            implements Change {}

    /** A job went to the dead-letter list. */
    public record DeadLettered(String jobId, String error) implements Change {}

    /** Dead jobs went back to waiting. */
    public record Redriven(int count) implements Change {}

    /** Waiting jobs were deleted. */
    public record Purged(int count) implements Change {}

    /** Jobs that were over were deleted: {@code count} of them, all in {@code state} (dead, completed…). */
    public record JobsDeleted(JobState state, int count) implements Change {}

    /**
     * The webhook secret was replaced by another; the one before signs too until
     * {@code previousValidUntil}. Never the secrets themselves.
     */
    public record SecretRotated(Instant previousValidUntil) implements Change {}

    /** The config changed; {@code before} is null when the semaphore was created. */
    public record Reconfigured(SemaphoreConfig before, SemaphoreConfig after) implements Change {}

    /** A channel was paused or resumed on its own (by an operator, or by {@code onExhausted: suspend}). */
    public record ChannelPaused(String channel, boolean paused) implements Change {}

    /** The semaphore was deleted, with everything it held. */
    public record Deleted(SemaphoreConfig before) implements Change {}

    private final List<Change> changes = new ArrayList<>();

    private final List<WaiterGrant> waiterGrants = new ArrayList<>();
    private boolean claimable;
    private boolean deliveriesDue;
    private boolean forwarding;
    private Instant earliestDue;

    void changed(Change change) {
        changes.add(change);
    }

    /** The changes the operation made, in order. */
    public List<Change> changes() {
        return changes;
    }

    /**
     * Effects as another node announced them, for this node's listeners: the nodes of a shared
     * store tell each other what their commits mean (the server's {@code Announcements}).
     */
    public static Effects of(List<WaiterGrant> waiterGrants, boolean claimable, Instant earliestDue) {
        return of(waiterGrants, claimable, earliestDue, false, false);
    }

    /** As {@link #of(List, boolean, Instant)}, also saying whether webhook deliveries are owed and whether a forward began. */
    public static Effects of(List<WaiterGrant> waiterGrants, boolean claimable, Instant earliestDue,
                             boolean deliveriesDue, boolean forwarding) {
        Effects e = new Effects();
        e.waiterGrants.addAll(waiterGrants);
        e.claimable = claimable;
        e.earliestDue = earliestDue;
        e.deliveriesDue = deliveriesDue;
        e.forwarding = forwarding;
        return e;
    }

    void granted(String waiterId, PermitRecord permit) {
        waiterGrants.add(new WaiterGrant(waiterId, permit));
    }

    void due(Instant at) {
        if (at != null && (earliestDue == null || at.isBefore(earliestDue))) {
            earliestDue = at;
        }
    }

    /** The earliest instant at which something this operation created falls due (a lease end, a backoff end), or null. */
    public Instant earliestDue() {
        return earliestDue;
    }

    void markClaimable() {
        claimable = true;
    }

    void markDeliveriesDue() {
        deliveriesDue = true;
    }

    void markForwarding() {
        forwarding = true;
    }

    /** Jobs were granted for webhook delivery: the dispatcher should deliver what this semaphore owes. */
    public boolean deliveriesDue() {
        return deliveriesDue;
    }

    /** A job set out for another semaphore ({@code onExhausted: forward}): the forward should be carried out. */
    public boolean forwarding() {
        return forwarding;
    }

    public List<WaiterGrant> waiterGrants() {
        return waiterGrants;
    }

    /** Capacity freed or a job became available: pending claims on this semaphore should retry. */
    public boolean claimable() {
        return claimable;
    }
}
