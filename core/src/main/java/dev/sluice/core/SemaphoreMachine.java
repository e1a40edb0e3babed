package dev.sluice.core;

import dev.sluice.core.Effects.AcquireMode;
import dev.sluice.core.Effects.AttemptOutcome;
import dev.sluice.core.job.JobRecord;
import dev.sluice.core.job.JobState;
import dev.sluice.core.job.QueueEntry;
import dev.sluice.core.permit.PermitIds;
import dev.sluice.core.permit.PermitRecord;
import dev.sluice.core.semaphore.ChannelRecord;
import dev.sluice.core.semaphore.Delivery;
import dev.sluice.core.semaphore.Leases;
import dev.sluice.core.semaphore.RetryPolicy;
import dev.sluice.core.semaphore.SemaphoreConfig;
import dev.sluice.core.semaphore.SemaphoreRecord;
import dev.sluice.core.semaphore.WebhookSecrets;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;

/**
 * The rules of one semaphore, applied inside one transaction that holds its lock.
 *
 * <p>Every public method is one operation of the API. An operation first decides, from what the
 * {@link Ledger} holds, and throws {@link SluiceException} before writing anything if it refuses;
 * once it writes, it finishes and returns an outcome. Time and randomness come from outside, so
 * the same inputs always give the same result.
 *
 * <p>Invariants kept here (SPEC §2): held permits never exceed {@code limit}, nor
 * {@code channelLimit} per channel (G1); waiting entries are granted by priority then enqueue
 * order, and nothing is granted past an eligible waiting entry (G4); a permit is freed at most
 * once (G6). After every operation the queue is <em>dispatched</em>: each waiting acquire that
 * fits is granted, and capacity is set aside for each waiting job that fits, so a later
 * {@code try} cannot take it. On a semaphore that delivers by webhook, a waiting job that fits is
 * granted too, and owed a delivery ({@link #pendingDeliveries}) until the webhook's answer is
 * recorded ({@link #delivered}, {@link #deliveryFailed}): the permits bound the deliveries.
 *
 * <p>Not thread-safe: one instance per transaction.
 */
public final class SemaphoreMachine {
    private static final int PAGE = 128;
    /** Free capacity up to which dispatch reads the queue's entries rather than count them. */
    private static final int READ_RATHER_THAN_COUNT = 2;

    private final Ledger ledger;
    private final String name;
    private final Instant now;
    private final RandomGenerator random;
    private final Effects effects = new Effects();
    private SemaphoreRecord semaphore;
    private String generatedSecret;

    public SemaphoreMachine(Ledger ledger, String name, Instant now, RandomGenerator random) {
        this.ledger = ledger;
        this.name = name;
        this.now = now;
        this.random = random;
    }

    public Effects effects() {
        return effects;
    }

    /**
     * The semaphore as this operation last read or wrote it, or null if it never read it. Asked
     * after the operation, it is the state the operation commits, unless the operation deleted
     * the semaphore ({@link Effects.Deleted}).
     */
    public SemaphoreRecord lastKnown() {
        return semaphore;
    }

    // ---- semaphores -------------------------------------------------------------------------

    /** The semaphore as it is now. */
    public SemaphoreRecord view() {
        return current();
    }

    /**
     * Creates or replaces the config. Returns true when the semaphore was created. A webhook
     * delivery's {@code secret} is moved out of the config into the semaphore's secrets: a new
     * one rotates them, none keeps them (or generates the first, see {@link #generatedSecret}).
     */
    public boolean put(SemaphoreConfig config) {
        Optional<SemaphoreRecord> existing = ledger.semaphore();
        checkForwardTarget(config);
        if (existing.isEmpty()) {
            semaphore = SemaphoreRecord.create(name, config.withDelivery(config.delivery().withoutSecret()), now);
            keepSecret(config.delivery());
            ledger.save(semaphore);
            effects.changed(new Effects.Reconfigured(null, config));
            return true;
        }
        semaphore = existing.get();
        reconfigure(config);
        return false;
    }

    /** Applies a change to the config (a merge patch, pause, limit). */
    public SemaphoreRecord update(UnaryOperator<SemaphoreConfig> change) {
        SemaphoreConfig next = change.apply(current().config());
        checkForwardTarget(next);
        reconfigure(next);
        return semaphore;
    }

    private void reconfigure(SemaphoreConfig requested) {
        SemaphoreConfig next = requested.withDelivery(requested.delivery().withoutSecret());
        SemaphoreConfig before = semaphore.config();
        semaphore = semaphore.withConfig(next, now);
        keepSecret(requested.delivery());
        if (!before.equals(next)) {
            effects.changed(new Effects.Reconfigured(before, next));
        }
        if (before.delivery().isWebhook() && !next.delivery().isWebhook()) {
            handBackUndelivered();
        }
        dispatch(0, null);
        effects.markClaimable();
        ledger.save(semaphore);
    }

    /** Refuses a config that would forward this semaphore's exhausted jobs to itself, as {@link #put} does. */
    public void checkForwardTarget(SemaphoreConfig config) {
        if (name.equals(config.retry().forwardTo())) {
            throw SluiceException.invalid("retry.onExhausted cannot forward " + name + " to itself");
        }
    }

    /**
     * A webhook semaphore always has a secret: the one asked for (a rotation if it differs from
     * the current one), else the current one, else a new one, generated and shown once.
     */
    private void keepSecret(Delivery delivery) {
        if (!delivery.isWebhook()) {
            return;
        }
        Optional<WebhookSecrets> secrets = ledger.webhookSecrets();
        String asked = delivery.secret();
        if (asked == null) {
            if (secrets.isEmpty()) {
                generatedSecret = newSecret();
                ledger.save(WebhookSecrets.of(generatedSecret));
            }
        } else if (secrets.isEmpty()) {
            ledger.save(WebhookSecrets.of(asked));
        } else if (!secrets.get().current().equals(asked)) {
            Instant previousValidUntil = now.plus(Limits.WEBHOOK_SECRET_GRACE);
            ledger.save(secrets.get().rotatedTo(asked, previousValidUntil));
            effects.changed(new Effects.SecretRotated(previousValidUntil));
        }
    }

    /**
     * Whether {@code secret} is the one this semaphore's webhook deliveries are signed with now
     * (false when it has none). Writes nothing and tells nothing else about the secret; compared
     * in constant time. For a dry run of a config change: whether declaring {@code secret} would
     * rotate the secret.
     */
    public boolean isCurrentSecret(String secret) {
        current();
        return secret != null && ledger.webhookSecrets()
                .map(s -> MessageDigest.isEqual(s.current().getBytes(StandardCharsets.UTF_8), secret.getBytes(StandardCharsets.UTF_8)))
                .orElse(false);
    }

    /**
     * The signing secret this operation generated for a webhook semaphore that had none, to be
     * shown to the caller once and never again; null otherwise.
     */
    public String generatedSecret() {
        return generatedSecret;
    }

    private String newSecret() {
        StringBuilder secret = new StringBuilder("whsec_");
        for (int i = 0; i < 4; i++) {
            secret.append(HexFormat.of().toHexDigits(random.nextLong()));
        }
        return secret.toString();
    }

    /** A semaphore that stops delivering by webhook takes back the grants it has not delivered yet. */
    private void handBackUndelivered() {
        for (JobRecord job : awaitingDelivery()) {
            freeHeldPermitOf(job);
            ledger.save(job.undelivered(now));
            semaphore = semaphore.counted(1, -1, 0);
        }
    }

    private List<JobRecord> awaitingDelivery() {
        List<JobRecord> all = new ArrayList<>();
        long after = Long.MIN_VALUE;
        List<JobRecord> page;
        while (!(page = ledger.jobsAwaitingDelivery(after, PAGE)).isEmpty()) {
            all.addAll(page);
            after = page.getLast().seq();
        }
        return all;
    }

    /** Deletes the semaphore; refused while permits are held or entries wait, unless forced. */
    public void delete(boolean force) {
        SemaphoreRecord s = current();
        if (!force && (s.inUse() > 0 || s.waiting() > 0 || s.inflight() > 0)) {
            throw SluiceException.conflict("semaphore " + name + " has " + s.inUse() + " permits held and "
                    + s.waiting() + " entries waiting; release them first or delete with force=true");
        }
        if (!force && !ledger.jobsInState(JobState.FORWARDING, 0, 1).isEmpty()) {
            throw SluiceException.conflict("semaphore " + name + " is forwarding jobs to another semaphore; "
                    + "try again in a moment or delete with force=true");
        }
        ledger.deleteSemaphore();
        effects.changed(new Effects.Deleted(s.config()));
    }

    /** Stops granting on the whole semaphore ({@code channel == null}) or on one channel. */
    public SemaphoreRecord pause(String channel) {
        return setPaused(channel, true);
    }

    public SemaphoreRecord resume(String channel) {
        return setPaused(channel, false);
    }

    private SemaphoreRecord setPaused(String channel, boolean paused) {
        if (channel == null) {
            return update(c -> c.withPaused(paused));
        }
        current();
        ChannelRecord before = ledger.channel(channel);
        ledger.save(before.withPaused(paused));
        if (before.paused() != paused) {
            effects.changed(new Effects.ChannelPaused(channel, paused));
        }
        dispatch(0, null);
        effects.markClaimable();
        ledger.save(semaphore);
        return semaphore;
    }

    // ---- permits ----------------------------------------------------------------------------

    /** Grants a permit now or refuses now ({@code try}). */
    public PermitRecord tryAcquire(String channel, Duration lease) {
        Duration effectiveLease = Leases.effective(lease, current().config());
        // Jobs only have capacity set aside here, even for a webhook: a refusal must write nothing,
        // and jobs it would have granted are granted when the time that made them eligible is ticked.
        Dispatch d = dispatch(0, null, false);
        ProblemCode refusal = refusal(channel, d);
        if (refusal != null) {
            ledger.save(semaphore);
            effects.changed(new Effects.Rejected(AcquireMode.TRY, refusal));
            throw new SluiceException(refusal, refusalMessage(refusal, channel));
        }
        PermitRecord permit = grant(channel, effectiveLease, null);
        effects.changed(new Effects.Granted(AcquireMode.TRY, permit, null, null, null));
        if (semaphore.config().delivery().isWebhook() && d.reservedTotal() > 0) {
            dispatch(0, null);   // the capacity set aside for them is still free
        }
        ledger.save(semaphore);
        return permit;
    }

    /**
     * Grants a permit now if one fits, else puts a waiter in the queue, behind everything that
     * waits already, until {@code deadline}.
     */
    public AcquireOutcome acquireOrWait(String channel, Duration lease, Instant deadline) {
        return acquireOrWait(newId('w'), channel, lease, deadline);
    }

    /** As {@link #acquireOrWait(String, Duration, Instant)}, with the waiter's id chosen by the caller. */
    public AcquireOutcome acquireOrWait(String waiterId, String channel, Duration lease, Instant deadline) {
        Duration effectiveLease = Leases.effective(lease, current().config());
        Dispatch d = dispatch(0, null);
        AcquireOutcome outcome;
        if (refusal(channel, d) == null) {
            PermitRecord permit = grant(channel, effectiveLease, null);
            effects.changed(new Effects.Granted(AcquireMode.WAIT, permit, null, null, null));
            outcome = new AcquireOutcome.Granted(permit);
        } else {
            semaphore = semaphore.withNextSeq().counted(1, 0, 0);
            JobRecord waiter = JobRecord.newWaiter(waiterId, channel, semaphore.lastSeq(), lease, deadline, now);
            ledger.save(waiter);
            effects.changed(new Effects.Queued(AcquireMode.WAIT, waiter.id(), channel));
            outcome = new AcquireOutcome.Queued(waiter.id());
        }
        ledger.save(semaphore);
        return outcome;
    }

    /**
     * Ends a wait: returns the permit if the waiter was granted meanwhile, else takes the
     * waiter out of the queue and says why it was not granted.
     */
    public AcquireOutcome endWait(String waiterId) {
        SemaphoreRecord s = current();
        Optional<JobRecord> waiter = ledger.job(waiterId).filter(JobRecord::isWaiter);
        if (waiter.isPresent()) {
            JobRecord w = waiter.get();
            ledger.deleteJob(w.id());
            semaphore = s.counted(-1, 0, 0);
            ledger.save(semaphore);
            boolean paused = semaphore.config().paused() || ledger.channel(w.channel()).paused();
            ProblemCode reason = paused ? ProblemCode.PAUSED : ProblemCode.LIMIT_REACHED;
            effects.changed(new Effects.Rejected(AcquireMode.WAIT, reason));
            return new AcquireOutcome.Rejected(reason);
        }
        Optional<PermitRecord> granted = ledger.permitOfHolder(waiterId).filter(p -> p.state() == PermitRecord.State.HELD);
        if (granted.isPresent()) {
            return new AcquireOutcome.Granted(granted.get());
        }
        // the timekeeper took the waiter out at its deadline, a moment before this
        effects.changed(new Effects.Rejected(AcquireMode.WAIT, ProblemCode.LIMIT_REACHED));
        return new AcquireOutcome.Rejected(ProblemCode.LIMIT_REACHED);
    }

    /**
     * Gives up the wait of a client that has gone (its connection closed before an answer): takes
     * the waiter out of the queue, or, if it was granted meanwhile, releases that permit, which
     * nobody would hold. Unlike {@link #endWait} it records no refusal: the gate refused nothing.
     * Idempotent.
     *
     * @return true if a permit granted to the waiter was released
     */
    public boolean abandonWait(String waiterId) {
        SemaphoreRecord s = current();
        if (ledger.job(waiterId).filter(JobRecord::isWaiter).isPresent()) {
            ledger.deleteJob(waiterId);
            semaphore = s.counted(-1, 0, 0);
            ledger.save(semaphore);
            return false;
        }
        Optional<PermitRecord> granted = ledger.permitOfHolder(waiterId).filter(p -> p.state() == PermitRecord.State.HELD);
        if (granted.isPresent()) {
            release(granted.get().id());
            return true;
        }
        return false;
    }

    /** Extends a held permit's lease: by {@code lease}, else by the lease it was granted with. */
    public PermitRecord heartbeat(String permitId, Duration lease) {
        PermitRecord permit = heldPermit(permitId);
        Duration newLease = lease != null ? Leases.effective(lease, semaphore.config()) : permit.lease();
        PermitRecord extended = permit.extendedTo(newLease, Leases.expiry(now, newLease));
        ledger.save(extended);
        effects.due(extended.expiresAt());
        return extended;
    }

    private PermitRecord heldPermit(String permitId) {
        current();
        PermitRecord permit = ledger.permit(permitId)
                .orElseThrow(() -> SluiceException.notFound("no held permit " + permitId + " on " + name));
        if (permit.isExpiredAt(now)) {
            throw new SluiceException(ProblemCode.LEASE_EXPIRED, "the lease of permit " + permitId + " expired at "
                    + permit.expiresAt() + " and the permit was reclaimed");
        }
        return permit;
    }

    /**
     * Releases a permit. Idempotent: a permit already released is not freed again. A permit
     * held by a job is released through the job (complete, fail).
     */
    public ReleaseOutcome release(String permitId) {
        SemaphoreRecord s = current();
        Optional<PermitRecord> found = ledger.permit(permitId);
        if (found.isEmpty()) {
            if (issuedHere(permitId)) {
                return ReleaseOutcome.ALREADY_RELEASED;
            }
            throw SluiceException.notFound("no permit " + permitId + " on " + name);
        }
        PermitRecord permit = found.get();
        if (permit.state() == PermitRecord.State.EXPIRED) {
            return ReleaseOutcome.EXPIRED;
        }
        Optional<JobRecord> job = holdingJob(permit);
        if (job.isPresent()) {
            throw SluiceException.conflict("permit " + permitId + " is held by job " + job.get().id()
                    + "; complete or fail the job instead");
        }
        ReleaseOutcome outcome;
        if (permit.isExpiredAt(now)) {
            expire(permit);
            outcome = ReleaseOutcome.EXPIRED;
        } else {
            free(permit);
            outcome = ReleaseOutcome.DONE;
        }
        dispatch(0, null);
        ledger.save(semaphore);
        return outcome;
    }

    // ---- jobs -------------------------------------------------------------------------------

    /** Accepts a job into the queue; a repeated idempotency key returns the first job. */
    public Enqueued enqueue(String payload, String channel, int priority, String idempotencyKey) {
        return enqueue(payload, channel, priority, idempotencyKey, null);
    }

    /**
     * As {@link #enqueue(String, String, int, String)}, with the W3C {@code traceparent} of the
     * enqueuing request, kept with the job and handed on at each delivery (null for none).
     */
    public Enqueued enqueue(String payload, String channel, int priority, String idempotencyKey, String traceparent) {
        return enqueueEach(List.of(new NewJob(payload, channel, priority, idempotencyKey)), traceparent).getFirst();
    }

    /** A job to enqueue: its payload (JSON text), channel, priority and idempotency key (null for none). */
    public record NewJob(String payload, String channel, int priority, String idempotencyKey) {}

    /**
     * Enqueues each job in turn, in one operation, as {@link #enqueue} would one by one (a key
     * repeated within the list returns the job its first use made).
     *
     * @return what each enqueue answered, in order
     */
    public List<Enqueued> enqueueEach(List<NewJob> jobs, String traceparent) {
        current();
        List<Enqueued> enqueued = new ArrayList<>(jobs.size());
        for (NewJob j : jobs) {
            enqueued.add(admit(j, traceparent));
        }
        ledger.save(semaphore);
        return enqueued;
    }

    private Enqueued admit(NewJob j, String traceparent) {
        if (j.idempotencyKey() != null) {
            Optional<JobRecord> first = ledger.jobWithIdempotencyKey(j.idempotencyKey());
            if (first.isPresent()) {
                return new Enqueued(first.get(), false, positionOf(first.get()));
            }
        }
        semaphore = semaphore.withNextSeq().counted(1, 0, 0);
        JobRecord job = JobRecord.newJob(newId('j'), j.channel(), j.priority(), semaphore.lastSeq(), j.payload(),
                j.idempotencyKey(), traceparent, now);
        ledger.save(job);
        if (semaphore.config().delivery().isWebhook()) {
            dispatch(0, null);
            job = ledger.job(job.id()).orElseThrow();
        }
        effects.markClaimable();
        effects.changed(new Effects.Queued(AcquireMode.JOB, job.id(), j.channel()));
        return new Enqueued(job, true, positionOfNewest(job));
    }

    /** Grants up to {@code max} of the oldest eligible jobs to a claiming worker. */
    public List<Claimed> claim(int max, Duration lease) {
        if (current().config().delivery().isWebhook()) {
            throw SluiceException.conflict("semaphore " + name + " delivers its jobs by webhook; they are pushed, not claimed");
        }
        Duration effectiveLease = Leases.effective(lease, current().config());
        Dispatch d = dispatch(max, effectiveLease);
        ledger.save(semaphore);
        return d.claimed;
    }

    /** The job's attempt succeeded: its permit is freed. Idempotent for a completed job. */
    public void complete(String jobId, String permitId) {
        if (end(new Attempt(jobId, permitId))) {
            dispatch(0, null);
            ledger.save(semaphore);
        }
    }

    /** One attempt to end: the job, and the permit its holder was granted (null: whichever it holds). */
    public record Attempt(String jobId, String permitId) {}

    /**
     * {@link #complete} for each attempt in turn, in one operation; the permits freed are granted
     * once all are completed (so a job that waited until then is not one this list can complete).
     * A refused completion (its lease expired, an unknown job, one that is not inflight) writes
     * nothing, so it does not keep the others from completing: the refusal is returned in its place.
     *
     * @return for each attempt, in order, null when completed (or already completed), else why not
     * @throws SluiceException {@code not_found} when the semaphore does not exist (nothing is completed)
     */
    public List<SluiceException> completeEach(List<Attempt> attempts) {
        current();
        List<SluiceException> refusals = new ArrayList<>(attempts.size());
        boolean freed = false;
        for (Attempt a : attempts) {
            try {
                freed |= end(a);
                refusals.add(null);
            } catch (SluiceException refused) {
                refusals.add(refused);
            }
        }
        if (freed) {
            dispatch(0, null);   // once for all the permits freed, in queue order, as after the last of single completions
            ledger.save(semaphore);
        }
        return refusals;
    }

    /** Completes one attempt, short of granting the permit it frees; false if the job was already completed. */
    private boolean end(Attempt a) {
        JobRecord job = attemptOf(a.jobId(), a.permitId(), true);
        if (job == null) {
            return false;
        }
        PermitRecord permit = ledger.permit(job.permitId()).orElseThrow();
        if (permit.isExpiredAt(now)) {
            throw leaseExpired(a.jobId());   // the lease timer reclaims it; a refusal writes nothing
        }
        free(permit);
        effects.changed(new Effects.AttemptEnded(a.jobId(), AttemptOutcome.COMPLETED, permit, job.traceparent(), now));
        ledger.save(job.finished(JobState.COMPLETED, null, now));
        semaphore = semaphore.counted(0, -1, 0);
        return true;
    }

    /** The job's attempt failed: its permit is freed and the retry policy applies. */
    public void fail(String jobId, String permitId, String error, boolean retryable) {
        JobRecord job = attemptOf(jobId, permitId, false);
        PermitRecord permit = ledger.permit(job.permitId()).orElseThrow();
        if (permit.isExpiredAt(now)) {
            throw leaseExpired(jobId);   // the lease timer reclaims it; a refusal writes nothing
        }
        free(permit);
        effects.changed(new Effects.AttemptEnded(jobId, AttemptOutcome.FAILED, permit, job.traceparent(), now));
        attemptFailed(job, error, retryable);
        dispatch(0, null);
        ledger.save(semaphore);
    }

    /** Extends the lease of the permit an inflight job holds. */
    public PermitRecord heartbeatJob(String jobId, String permitId, Duration lease) {
        JobRecord job = attemptOf(jobId, permitId, false);
        PermitRecord permit = ledger.permit(job.permitId()).orElseThrow();
        if (permit.isExpiredAt(now)) {
            throw leaseExpired(jobId);   // the lease timer reclaims it; a refusal writes nothing
        }
        Duration newLease = lease != null ? Leases.effective(lease, semaphore.config()) : permit.lease();
        PermitRecord extended = permit.extendedTo(newLease, Leases.expiry(now, newLease));
        ledger.save(extended);
        effects.due(extended.expiresAt());
        return extended;
    }

    /**
     * The current attempt of an inflight job, checked against the caller's permit if it names
     * one. Returns null for a repeated completion of a completed job.
     */
    private JobRecord attemptOf(String jobId, String permitId, boolean completing) {
        current();
        JobRecord job = job(jobId);
        if (completing && job.state() == JobState.COMPLETED) {
            return null;
        }
        boolean stale = permitId != null && !permitId.equals(job.permitId());
        if (job.state() == JobState.INFLIGHT && !stale) {
            return job;
        }
        if (job.attempts() > 0 && job.state() != JobState.CANCELLED) {
            throw leaseExpired(jobId);
        }
        throw SluiceException.conflict("job " + jobId + " is " + job.state().wireName() + ", not inflight");
    }

    /** Whether the permit id names a grant this semaphore made (so its holder held a lease once). */
    private boolean issuedHere(String permitId) {
        var token = PermitIds.tokenOf(permitId);
        return token.isPresent() && token.getAsLong() <= semaphore.lastFencingToken();
    }

    private SluiceException leaseExpired(String jobId) {
        return new SluiceException(ProblemCode.LEASE_EXPIRED,
                "the attempt on job " + jobId + " is over: its lease expired or it was handed back");
    }

    /** Puts a waiting or inflight job at the back of the queue (an inflight job's permit is freed). */
    public JobRecord requeue(String jobId) {
        return moveBack(jobId, true);
    }

    /** Puts a waiting or inflight job back at its original position. */
    public JobRecord reschedule(String jobId) {
        return moveBack(jobId, false);
    }

    private JobRecord moveBack(String jobId, boolean toBack) {
        current();
        JobRecord job = job(jobId);
        if (job.state() != JobState.WAITING && job.state() != JobState.INFLIGHT) {
            throw SluiceException.conflict("job " + jobId + " is " + job.state().wireName()
                    + "; only waiting or inflight jobs can be moved" + (job.state() == JobState.DEAD ? " (redrive dead jobs)" : ""));
        }
        if (job.state() == JobState.INFLIGHT) {
            effects.changed(new Effects.AttemptEnded(jobId, AttemptOutcome.HANDED_BACK, freeHeldPermitOf(job), job.traceparent(), now));
            semaphore = semaphore.counted(1, -1, 0);
        }
        long seq = job.originalSeq();
        if (toBack) {
            semaphore = semaphore.withNextSeq();
            seq = semaphore.lastSeq();
        }
        JobRecord moved = job.waitingAgain(seq, now, job.lastError(), now);
        ledger.save(moved);
        dispatch(0, null);
        effects.markClaimable();
        ledger.save(semaphore);
        return ledger.job(jobId).orElseThrow();   // a webhook semaphore may have granted it again at once
    }

    /** Cancels a waiting, inflight or dead job; an inflight job's permit is freed. */
    public JobRecord cancel(String jobId) {
        current();
        JobRecord job = job(jobId);
        switch (job.state()) {
            case WAITING -> semaphore = semaphore.counted(-1, 0, 0);
            case INFLIGHT -> {
                effects.changed(new Effects.AttemptEnded(jobId, AttemptOutcome.CANCELLED, freeHeldPermitOf(job), job.traceparent(), now));
                semaphore = semaphore.counted(0, -1, 0);
            }
            case DEAD -> semaphore = semaphore.counted(0, 0, -1);
            default -> throw SluiceException.conflict("job " + jobId + " is already " + job.state().wireName());
        }
        JobRecord cancelled = job.finished(JobState.CANCELLED, job.lastError(), now);
        ledger.save(cancelled);
        dispatch(0, null);
        ledger.save(semaphore);
        return cancelled;
    }

    /**
     * Dead jobs back to waiting: those named, or all when {@code jobIds} is null; at the back
     * of the queue or at their original position. Ids of jobs that are not dead are skipped.
     */
    public int redrive(List<String> jobIds, boolean originalPosition) {
        current();
        List<JobRecord> dead = new ArrayList<>();
        if (jobIds == null) {
            long after = 0;
            List<JobRecord> page;
            while (!(page = ledger.jobsInState(JobState.DEAD, after, PAGE)).isEmpty()) {
                dead.addAll(page);
                after = page.getLast().seq();
            }
        } else {
            for (String id : new java.util.LinkedHashSet<>(jobIds)) {
                ledger.job(id).filter(j -> !j.isWaiter() && j.state() == JobState.DEAD).ifPresent(dead::add);
            }
        }
        for (JobRecord job : dead) {
            long seq = job.originalSeq();
            if (!originalPosition) {
                semaphore = semaphore.withNextSeq();
                seq = semaphore.lastSeq();
            }
            ledger.save(job.redriven(seq, now));
            semaphore = semaphore.counted(1, 0, -1);
        }
        if (!dead.isEmpty()) {
            effects.changed(new Effects.Redriven(dead.size()));
            effects.markClaimable();
            dispatch(0, null);
        }
        ledger.save(semaphore);
        return dead.size();
    }

    /** Deletes every waiting job (waiting acquires stay). */
    public int purge() {
        current();
        int deleted = ledger.deleteWaitingJobs();
        semaphore = semaphore.counted(-deleted, 0, 0);
        if (deleted > 0) {
            effects.changed(new Effects.Purged(deleted));
        }
        dispatch(0, null);
        ledger.save(semaphore);
        return deleted;
    }

    /** The job, with its place in the queue when it waits. */
    public Enqueued job(String jobId, boolean withPosition) {
        current();
        JobRecord job = job(jobId);
        return new Enqueued(job, false, withPosition ? positionOf(job) : 0);
    }

    /** Channels paused on their own. */
    public List<String> pausedChannels() {
        current();
        return ledger.pausedChannels();
    }

    /** A page of jobs in a state, by enqueue order, after {@code afterSeq}. */
    public List<JobRecord> jobs(JobState state, long afterSeq, int max) {
        current();
        return ledger.jobsInState(state, afterSeq, max);
    }

    /**
     * Deletes a job that is over: dead, completed, failed, cancelled or forwarded. A waiting or
     * inflight job is refused: cancel it first.
     */
    public void deleteJob(String jobId) {
        current();
        JobRecord job = job(jobId);
        switch (job.state()) {
            case DEAD -> semaphore = semaphore.counted(0, 0, -1);
            case COMPLETED, FAILED, CANCELLED, FORWARDED -> { }
            default -> throw SluiceException.conflict("job " + jobId + " is " + job.state().wireName()
                    + "; only a dead or finished job can be deleted (cancel it first)");
        }
        ledger.deleteJob(jobId);
        effects.changed(new Effects.JobsDeleted(job.state(), 1));
        ledger.save(semaphore);
    }

    /** Deletes every dead job: empties the dead-letter list. Says how many. */
    public int deleteDead() {
        current();
        int deleted = 0;
        List<JobRecord> page;
        while (!(page = ledger.jobsInState(JobState.DEAD, 0, PAGE)).isEmpty()) {
            for (JobRecord job : page) {
                ledger.deleteJob(job.id());
                deleted++;
            }
        }
        semaphore = semaphore.counted(0, 0, -deleted);
        if (deleted > 0) {
            effects.changed(new Effects.JobsDeleted(JobState.DEAD, deleted));
        }
        ledger.save(semaphore);
        return deleted;
    }

    // ---- webhook delivery -------------------------------------------------------------------

    /**
     * What the semaphore's webhook is owed: every inflight job granted for delivery whose
     * delivery has not been answered, in grant order (fencing token), with the permit it holds,
     * the delivery config and the secrets to sign with. Writes nothing. Nothing on a pull semaphore.
     */
    public PendingDeliveries pendingDeliveries() {
        SemaphoreRecord s = current();
        if (!s.config().delivery().isWebhook()) {
            return PendingDeliveries.NONE;
        }
        List<Claimed> owed = new ArrayList<>();
        for (JobRecord job : awaitingDelivery()) {
            ledger.permit(job.permitId()).filter(p -> p.state() == PermitRecord.State.HELD)
                    .ifPresent(p -> owed.add(new Claimed(job, p)));
        }
        owed.sort(Comparator.comparingLong(c -> c.permit().fencingToken()));
        List<String> secrets = ledger.webhookSecrets().map(w -> w.signingAt(now)).orElse(List.of());
        return new PendingDeliveries(s.config().delivery(), secrets, owed);
    }

    /**
     * The webhook answered 2xx to the delivery of the job's attempt under {@code permitId}: the job
     * stays inflight until completed or failed, or is completed now if the semaphore has
     * {@code releaseOnSuccess}. Returns false, writing nothing, when that attempt is over already
     * (completed, failed, expired, cancelled, or answered before).
     */
    public boolean delivered(String jobId, String permitId) {
        current();
        Optional<JobRecord> found = undeliveredAttempt(jobId, permitId);
        if (found.isEmpty()) {
            return false;
        }
        JobRecord job = found.get();
        if (semaphore.config().delivery().releaseOnSuccess()) {
            // held still, even if its lease ended a moment ago: nobody else can have its capacity yet
            PermitRecord permit = ledger.permit(permitId).orElseThrow();
            free(permit);
            effects.changed(new Effects.AttemptEnded(jobId, AttemptOutcome.COMPLETED, permit, job.traceparent(), now));
            ledger.save(job.delivered(now).finished(JobState.COMPLETED, null, now));
            semaphore = semaphore.counted(0, -1, 0);
            dispatch(0, null);
        } else {
            ledger.save(job.delivered(now));
        }
        ledger.save(semaphore);
        return true;
    }

    /**
     * The delivery of the job's attempt under {@code permitId} failed (an answer other than 2xx,
     * no answer within the timeout, no connection): its permit is freed and the retry policy
     * applies, as for a {@link #fail}. Returns false, writing nothing, when that attempt is over already.
     */
    public boolean deliveryFailed(String jobId, String permitId, String error) {
        current();
        Optional<JobRecord> found = undeliveredAttempt(jobId, permitId);
        if (found.isEmpty()) {
            return false;
        }
        PermitRecord permit = ledger.permit(permitId).orElseThrow();
        if (permit.isExpiredAt(now)) {
            ledger.save(permit.expired());   // its lease ran out meanwhile: kept to answer 410, as the timer would
            giveBack(permit);
            effects.changed(new Effects.Expired(permit, jobId, now));
        } else {
            free(permit);
        }
        effects.changed(new Effects.AttemptEnded(jobId, AttemptOutcome.FAILED, permit, found.get().traceparent(), now));
        attemptFailed(found.get(), error.length() > Limits.MAX_ERROR_LENGTH ? error.substring(0, Limits.MAX_ERROR_LENGTH) : error,
                true);
        dispatch(0, null);
        ledger.save(semaphore);
        return true;
    }

    private Optional<JobRecord> undeliveredAttempt(String jobId, String permitId) {
        return ledger.job(jobId)
                .filter(j -> !j.isWaiter() && j.state() == JobState.INFLIGHT && j.deliveredAt() == null)
                .filter(j -> j.permitId().equals(permitId))
                .filter(j -> ledger.permit(permitId).filter(p -> p.state() == PermitRecord.State.HELD).isPresent());
    }

    // ---- forwarding ---------------------------------------------------------------------------

    /**
     * Jobs on their way to another semaphore ({@link JobState#FORWARDING}): the first step of a
     * forward is done, the others are not. Writes nothing.
     */
    public List<JobRecord> pendingForwards() {
        current();
        List<JobRecord> all = new ArrayList<>();
        long after = 0;
        List<JobRecord> page;
        while (!(page = ledger.jobsInState(JobState.FORWARDING, after, PAGE)).isEmpty()) {
            all.addAll(page);
            after = page.getLast().seq();
        }
        return all;
    }

    /**
     * The second step of a forward, on the target: takes in a job forwarded from {@code source},
     * under the same id, at the back of the queue. Idempotent: a job this semaphore has already
     * taken in is not taken in again (returns false). Its idempotency key comes along unless a
     * job here has the same key.
     */
    public boolean acceptForward(JobRecord job, String source) {
        current();
        if (job.isWaiter() || job.state() != JobState.FORWARDING) {
            throw new IllegalArgumentException("only a forwarding job can be taken in, got " + job.state());
        }
        if (ledger.job(job.id()).isPresent()) {
            return false;
        }
        String key = job.idempotencyKey() != null && ledger.jobWithIdempotencyKey(job.idempotencyKey()).isEmpty()
                ? job.idempotencyKey() : null;
        semaphore = semaphore.withNextSeq().counted(1, 0, 0);
        ledger.save(job.arrivedFrom(source, semaphore.lastSeq(), key, now));
        effects.changed(new Effects.Queued(AcquireMode.JOB, job.id(), job.channel()));
        if (semaphore.config().delivery().isWebhook()) {
            dispatch(0, null);
        }
        effects.markClaimable();
        ledger.save(semaphore);
        return true;
    }

    /**
     * The last step of a forward, on the source: the job is {@link JobState#FORWARDED} once the
     * target has it ({@code failure} null), or dead here when the target cannot take it (the
     * reason in {@code failure}, e.g. the target does not exist). Idempotent: a job no longer
     * forwarding is left alone.
     */
    public void forwardDone(String jobId, String failure) {
        current();
        Optional<JobRecord> found = ledger.job(jobId).filter(j -> j.state() == JobState.FORWARDING);
        if (found.isEmpty()) {
            return;
        }
        JobRecord job = found.get();
        if (failure == null) {
            ledger.save(job.forwarded(now));
        } else {
            String error = "could not forward to " + job.forwardedTo() + ": " + failure
                    + (job.lastError() == null ? "" : "; last error: " + job.lastError());
            ledger.save(job.forwardFailed(error.length() > Limits.MAX_ERROR_LENGTH
                    ? error.substring(0, Limits.MAX_ERROR_LENGTH) : error, now));
            effects.changed(new Effects.DeadLettered(jobId, error));
            semaphore = semaphore.counted(0, 0, 1);
            ledger.save(semaphore);
        }
    }

    // ---- time -------------------------------------------------------------------------------

    /**
     * Does what time has made due: reclaims expired leases, drops waiters past their deadline,
     * and grants what now fits. Returns how many leases expired.
     */
    public int tick() {
        if (ledger.semaphore().isEmpty()) {
            return 0;
        }
        current();
        int expired = 0;
        List<PermitRecord> due;
        while (!(due = ledger.permitsExpiredBy(now, PAGE)).isEmpty()) {
            for (PermitRecord permit : due) {
                expire(permit);
                expired++;
            }
        }
        List<JobRecord> late;
        while (!(late = ledger.waitersPastDeadline(now, PAGE)).isEmpty()) {
            for (JobRecord waiter : late) {
                ledger.deleteJob(waiter.id());
                semaphore = semaphore.counted(-1, 0, 0);
            }
        }
        dispatch(0, null);
        effects.markClaimable();
        ledger.save(semaphore);
        return expired;
    }

    /**
     * Takes every waiting acquire out of the queue. For a node that starts again on its own
     * store: the requests those waiters stood for died with the previous process, and a permit
     * granted to one of them would be held by nobody.
     */
    public int abandonWaiters() {
        if (ledger.semaphore().isEmpty()) {
            return 0;
        }
        current();
        int dropped = 0;
        List<JobRecord> waiters;
        while (!(waiters = ledger.waitersPastDeadline(Instant.MAX, PAGE)).isEmpty()) {
            for (JobRecord waiter : waiters) {
                ledger.deleteJob(waiter.id());
                semaphore = semaphore.counted(-1, 0, 0);
                dropped++;
            }
        }
        ledger.save(semaphore);
        return dropped;
    }

    // ---- the rules --------------------------------------------------------------------------

    /**
     * The result of a pass over the queue.
     *
     * @param reserved      capacity set aside per channel for the entries read (entries counted, not
     *                      read, are in {@code reservedTotal} only: counting needs no channel limit,
     *                      the one reader of this map)
     * @param reservedTotal capacity set aside in all
     */
    private record Dispatch(int free, Map<String, Integer> reserved, int reservedTotal, List<Claimed> claimed) {
        int reservedIn(String channel) {
            return reserved.getOrDefault(channel, 0);
        }
    }

    private Dispatch dispatch(int claimMax, Duration claimLease) {
        return dispatch(claimMax, claimLease, true);
    }

    /**
     * One pass over the queue in grant order: grants each waiter that fits; on a webhook
     * semaphore grants each job that fits for delivery (unless {@code grantDeliveries} is false);
     * else grants up to {@code claimMax} jobs to a claimer; and sets capacity aside for each
     * further job that fits. Stops when the gate is full. Entries of a paused or full channel are
     * passed over, and so is everything behind them in that channel.
     *
     * <p>Entries are read only while one could still be granted. When all that is left of the
     * queue is jobs that can only have capacity set aside (no waiter behind, no claim left to
     * serve, no channel paused or limited, no job in a backoff) and more than a few permits are
     * free, they are counted, not read: the reservation is then {@code min(free, jobs left)},
     * whatever the queue's depth (the waiting counter less the waiters the ledger counts).
     */
    private Dispatch dispatch(int claimMax, Duration claimLease, boolean grantDeliveries) {
        SemaphoreConfig config = semaphore.config();
        boolean webhook = config.delivery().isWebhook();
        int free = config.limit() - semaphore.inUse();
        Map<String, Integer> reserved = new HashMap<>();
        List<Claimed> claimed = new ArrayList<>();
        if (semaphore.waiting() == 0 || config.paused() || free <= 0) {
            return new Dispatch(Math.max(free, 0), reserved, 0, claimed);
        }
        Set<String> paused = new HashSet<>(ledger.pausedChannels());
        boolean channelLimited = config.channelLimit() != null;
        // Counting is exact only when every job left would be set aside: none is granted (pull, or
        // deliveries held back), none passed over (no paused channel, no channel limit), none backing off.
        // It costs two queries, one of them over every waiter: reading a page of a row or two costs less,
        // which is all a small gate handing off one permit at a time needs.
        boolean countable = free > READ_RATHER_THAN_COUNT && (!webhook || !grantDeliveries) && !channelLimited
                && paused.isEmpty() && !ledger.anyBackingOff(now);
        long waitersLeft = countable ? ledger.countWaiters() : -1;
        long jobsLeft = countable ? semaphore.waiting() - waitersLeft : -1;
        int reservedTotal = 0;
        Map<String, Integer> channelInUse = new HashMap<>();
        int afterPriority = Integer.MAX_VALUE;
        long afterSeq = Long.MIN_VALUE;
        scan:
        while (free > 0) {
            int wanted = Math.min(PAGE, free);
            if (countable && waitersLeft == 0) {
                int claimsLeft = claimMax - claimed.size();
                if (claimsLeft <= 0) {
                    int set = (int) Math.max(0, Math.min(free, jobsLeft));
                    reservedTotal += set;
                    free -= set;
                    break;
                }
                wanted = Math.min(wanted, claimsLeft);
            }
            // No more entries than could still be granted or set aside: a small gate over a long queue
            // reads a row or two per operation, not a page (entries passed over fetch the next page).
            List<QueueEntry> page = ledger.queuePage(now, afterPriority, afterSeq, wanted);
            for (QueueEntry entry : page) {
                afterPriority = entry.priority();
                afterSeq = entry.seq();
                if (free <= 0) {
                    break scan;
                }
                if (entry.isWaiter()) {
                    waitersLeft--;
                } else {
                    jobsLeft--;
                }
                if (paused.contains(entry.channel())) {
                    continue;
                }
                if (entry.isWaiter() && entry.deadline() != null && !now.isBefore(entry.deadline())) {
                    // past its deadline: never granted, but removed only by tick or endWait, so that
                    // dispatch writes nothing but grants and a refused try leaves no trace
                    continue;
                }
                if (channelLimited && channelInUse.computeIfAbsent(entry.channel(), c -> ledger.channel(c).inUse())
                        + reserved.getOrDefault(entry.channel(), 0) >= config.channelLimit()) {
                    continue;
                }
                if (entry.isWaiter()) {
                    PermitRecord permit = grant(entry.channel(), Leases.effective(entry.lease(), config), entry.id());
                    effects.changed(new Effects.Granted(AcquireMode.WAIT, permit, entry.id(), entry.availableAt(), null));
                    ledger.deleteJob(entry.id());
                    semaphore = semaphore.counted(-1, 0, 0);
                    channelInUse.merge(entry.channel(), 1, Integer::sum);
                    effects.granted(entry.id(), permit);
                } else if (webhook && grantDeliveries) {
                    JobRecord job = fullRowOf(entry);
                    PermitRecord permit = grant(job.channel(), config.leaseTimeout(), job.id());
                    effects.changed(new Effects.Granted(AcquireMode.JOB, permit, job.id(), job.availableAt(), job.traceparent()));
                    ledger.save(job.grantedForDelivery(permit.id(), now));
                    semaphore = semaphore.counted(-1, 1, 0);
                    channelInUse.merge(job.channel(), 1, Integer::sum);
                    effects.markDeliveriesDue();
                } else if (!webhook && claimed.size() < claimMax) {
                    JobRecord job = fullRowOf(entry);
                    PermitRecord permit = grant(job.channel(), claimLease, job.id());
                    effects.changed(new Effects.Granted(AcquireMode.JOB, permit, job.id(), job.availableAt(), job.traceparent()));
                    JobRecord inflight = job.granted(permit.id(), now);
                    ledger.save(inflight);
                    semaphore = semaphore.counted(-1, 1, 0);
                    channelInUse.merge(job.channel(), 1, Integer::sum);
                    claimed.add(new Claimed(inflight, permit));
                } else {
                    reserved.merge(entry.channel(), 1, Integer::sum);
                    reservedTotal++;
                }
                free--;
            }
            if (page.size() < wanted) {
                break;
            }
        }
        return new Dispatch(free, reserved, reservedTotal, claimed);
    }

    /** The whole row of a job {@link Ledger#queuePage} gave as an entry, to grant it. */
    private JobRecord fullRowOf(QueueEntry entry) {
        return ledger.job(entry.id()).orElseThrow(() -> new IllegalStateException("queue entry " + entry.id() + " has no row"));
    }

    /** Why a new grant on {@code channel} is refused after the queue was dispatched, or null. */
    private ProblemCode refusal(String channel, Dispatch d) {
        SemaphoreConfig config = semaphore.config();
        ChannelRecord ch = ledger.channel(channel);
        if (config.paused() || ch.paused()) {
            return ProblemCode.PAUSED;
        }
        if (d.free() <= 0) {
            return ProblemCode.LIMIT_REACHED;
        }
        if (config.channelLimit() != null && ch.inUse() + d.reservedIn(channel) >= config.channelLimit()) {
            return ProblemCode.LIMIT_REACHED;
        }
        return null;
    }

    private String refusalMessage(ProblemCode refusal, String channel) {
        SemaphoreRecord s = semaphore;
        if (refusal == ProblemCode.PAUSED) {
            return s.config().paused() ? "semaphore " + name + " is paused" : "channel " + channel + " of " + name + " is paused";
        }
        return "semaphore " + name + " has no free permit (limit " + s.config().limit() + ", in use " + s.inUse()
                + ", waiting " + s.waiting() + ")";
    }

    /** Creates a held permit. The caller has checked that it fits. */
    private PermitRecord grant(String channel, Duration lease, String holderId) {
        semaphore = semaphore.granted();
        long token = semaphore.lastFencingToken();
        PermitRecord permit = new PermitRecord(PermitIds.newId(token, random), channel, token, now, lease,
                Leases.expiry(now, lease), holderId, PermitRecord.State.HELD);
        ledger.save(permit);
        ledger.save(ledger.channel(channel).plus(1));
        effects.due(permit.expiresAt());
        return permit;
    }

    /** Frees a held permit: the only place, with {@link #expire}, where capacity comes back. */
    private void free(PermitRecord permit) {
        ledger.deletePermit(permit.id());
        giveBack(permit);
        effects.changed(new Effects.Released(permit, now));
    }

    private void giveBack(PermitRecord permit) {
        semaphore = semaphore.released();
        ledger.save(ledger.channel(permit.channel()).plus(-1));
        effects.markClaimable();
    }

    /** Reclaims a permit whose lease ran out, and applies the lease-expiry policy to its job. */
    private void expire(PermitRecord permit) {
        ledger.save(permit.expired());
        giveBack(permit);
        Optional<JobRecord> job = holdingJob(permit);
        effects.changed(new Effects.Expired(permit, job.map(JobRecord::id).orElse(null), now));
        job.ifPresent(j -> effects.changed(
                new Effects.AttemptEnded(j.id(), AttemptOutcome.LEASE_EXPIRED, permit, j.traceparent(), now)));
        if (job.isPresent() && job.get().deliveredAt() == null) {
            // a webhook delivery never answered (a hung endpoint, a node that died): a failed attempt,
            // whatever onLeaseExpired says, for no processor has had the job
            attemptFailed(job.get(), "lease expired before the webhook answered", true);
        } else if (job.isPresent()) {
            switch (semaphore.config().onLeaseExpired()) {
                case RETRY -> attemptFailed(job.get(), "lease expired", true);
                case DEADLETTER -> {
                    ledger.save(job.get().finished(JobState.DEAD, "lease expired", now));
                    effects.changed(new Effects.DeadLettered(job.get().id(), "lease expired"));
                    semaphore = semaphore.counted(0, -1, 1);
                }
            }
        }
    }

    private Optional<JobRecord> holdingJob(PermitRecord permit) {
        if (permit.holderId() == null) {
            return Optional.empty();
        }
        return ledger.job(permit.holderId())
                .filter(j -> j.state() == JobState.INFLIGHT && permit.id().equals(j.permitId()));
    }

    /** Frees the permit an inflight job holds; answers it, or null if it held none. */
    private PermitRecord freeHeldPermitOf(JobRecord job) {
        Optional<PermitRecord> held = ledger.permit(job.permitId()).filter(p -> p.state() == PermitRecord.State.HELD);
        held.ifPresent(this::free);
        return held.orElse(null);
    }

    /** An inflight job's attempt ended in failure; its permit is already freed. */
    private void attemptFailed(JobRecord job, String error, boolean retryable) {
        RetryPolicy retry = semaphore.config().retry();
        if (retryable && retry.allowsAnotherAfter(job.attempts())) {
            Instant at = now.plus(retry.backoffAfter(job.attempts(), random));
            ledger.save(job.waitingAgain(job.originalSeq(), at, error, now));
            effects.due(at);
            semaphore = semaphore.counted(1, -1, 0);
            return;
        }
        RetryPolicy.OnExhausted action = retry.onExhausted();
        if (!retryable && action == RetryPolicy.OnExhausted.SUSPEND) {
            action = RetryPolicy.OnExhausted.DEADLETTER;   // pausing the channel cannot help a poison job
        }
        switch (action) {
            case DROP -> {
                ledger.save(job.finished(JobState.FAILED, error, now));
                semaphore = semaphore.counted(0, -1, 0);
            }
            case SUSPEND -> {
                ChannelRecord channel = ledger.channel(job.channel());
                if (!channel.paused()) {
                    effects.changed(new Effects.ChannelPaused(job.channel(), true));
                }
                ledger.save(channel.withPaused(true));
                ledger.save(job.waitingAgain(job.originalSeq(), now, error, now));
                semaphore = semaphore.counted(1, -1, 0);
            }
            case FORWARD -> {
                if (job.forwardedFrom() != null) {
                    // forwarded once already: one hop only, so that forwards can never go round in a circle
                    ledger.save(job.finished(JobState.DEAD, error, now));
                    effects.changed(new Effects.DeadLettered(job.id(), error));
                    semaphore = semaphore.counted(0, -1, 1);
                } else {
                    ledger.save(job.forwarding(retry.forwardTo(), error, now));
                    semaphore = semaphore.counted(0, -1, 0);
                    effects.markForwarding();
                }
            }
            case DEADLETTER -> {
                ledger.save(job.finished(JobState.DEAD, error, now));
                effects.changed(new Effects.DeadLettered(job.id(), error));
                semaphore = semaphore.counted(0, -1, 1);
            }
        }
    }

    /**
     * The place of the entry just enqueued, which has the highest seq of all: when nothing waits at
     * a lower priority, everything else that waits is ahead of it, which the waiting counter says
     * without a count over the queue (no priorities in use is the common case).
     */
    private long positionOfNewest(JobRecord job) {
        if (job.state() != JobState.WAITING) {
            return 0;
        }
        return ledger.anyWaitingBelow(job.priority()) ? positionOf(job) : semaphore.waiting();
    }

    private long positionOf(JobRecord job) {
        return job.state() == JobState.WAITING ? ledger.countAhead(job.priority(), job.seq()) + 1 : 0;
    }

    private SemaphoreRecord current() {
        if (semaphore == null) {
            semaphore = ledger.semaphore().orElseThrow(() -> SluiceException.notFound("no semaphore named " + name));
        }
        return semaphore;
    }

    private JobRecord job(String jobId) {
        return ledger.job(jobId)
                .filter(j -> !j.isWaiter())
                .orElseThrow(() -> SluiceException.notFound("no job " + jobId + " on " + name));
    }

    private String newId(char prefix) {
        return prefix + HexFormat.of().toHexDigits(random.nextLong()) + HexFormat.of().toHexDigits(random.nextInt());
    }

}
