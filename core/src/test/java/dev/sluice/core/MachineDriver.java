package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.sluice.core.job.JobRecord;
import dev.sluice.core.job.JobState;
import dev.sluice.core.permit.PermitIds;
import dev.sluice.core.permit.PermitRecord;
import dev.sluice.core.semaphore.ChannelRecord;
import dev.sluice.core.semaphore.Delivery;
import dev.sluice.core.semaphore.LeaseExpiryAction;
import dev.sluice.core.semaphore.Leases;
import dev.sluice.core.semaphore.RetryPolicy;
import dev.sluice.core.semaphore.SemaphoreConfig;
import dev.sluice.core.semaphore.SemaphoreRecord;
import dev.sluice.core.semaphore.WebhookSecrets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/**
 * Drives one {@link SemaphoreMachine} over one {@link InMemoryLedger} through a sequence of
 * operations, a fresh machine per operation as the store does, with the clock moving between
 * them, and checks the guarantees after every step:
 * <ul>
 * <li>the counters match the rows, permits and jobs point at each other (bookkeeping);</li>
 * <li>G1: a step that grants leaves in-use within {@code limit} and {@code channelLimit}, and
 *     nothing is granted while paused;</li>
 * <li>G3/G4: the grants of the step are exactly those {@link QueueModel} predicts from the
 *     state the step dispatched on; no waiting acquire that fits is left waiting; nothing is
 *     granted past an older eligible entry of its channel unless that entry is a job holding
 *     capacity set aside for it; a try succeeds only when capacity is free after that;</li>
 * <li>G6: fencing tokens strictly increase; a release frees at most one unit, once;</li>
 * <li>webhook delivery: jobs are granted for delivery in {@link QueueModel} order, never more
 *     than {@code limit} at once (G1, G4); after an operation that dispatched, no job that fits
 *     is left waiting (G3); {@link SemaphoreMachine#pendingDeliveries} owes exactly the unanswered
 *     grants, in grant order; a webhook semaphore always has a secret, and no config keeps one;</li>
 * <li>a refused operation ({@link SluiceException}) leaves the ledger exactly as it was.</li>
 * </ul>
 */
final class MachineDriver {
    static final String NAME = "s1";
    static final List<String> CHANNELS = List.of("default", "a", "b");
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    enum Kind {
        PUT, SET_LIMIT, SET_CHANNEL_LIMIT, PAUSE, RESUME, PAUSE_CHANNEL, RESUME_CHANNEL, DELETE,
        TRY, WAIT, END_WAIT, ABANDON_WAIT, HEARTBEAT, RELEASE,
        ENQUEUE, CLAIM, COMPLETE, COMPLETE_EACH, FAIL, HEARTBEAT_JOB, REQUEUE, RESCHEDULE, CANCEL, REDRIVE, PURGE,
        DELIVERED, DELIVERY_FAILED, DELETE_JOB, DELETE_DEAD, FORWARD_DONE, ACCEPT_FORWARD,
        TICK, ADVANCE
    }

    /** Operations after which the queue has been dispatched, when they changed anything. */
    private static final Set<Kind> DISPATCHING = Set.of(Kind.PUT, Kind.SET_LIMIT, Kind.SET_CHANNEL_LIMIT, Kind.PAUSE,
            Kind.RESUME, Kind.PAUSE_CHANNEL, Kind.RESUME_CHANNEL, Kind.TRY, Kind.WAIT, Kind.ABANDON_WAIT, Kind.RELEASE, Kind.ENQUEUE,
            Kind.COMPLETE, Kind.COMPLETE_EACH, Kind.FAIL, Kind.REQUEUE, Kind.RESCHEDULE, Kind.CANCEL, Kind.REDRIVE, Kind.PURGE, Kind.TICK,
            Kind.DELIVERY_FAILED, Kind.ACCEPT_FORWARD);

    /** Weights of a sequence that mixes every operation. */
    static final Map<Kind, Integer> MIXED = Map.ofEntries(
            Map.entry(Kind.PUT, 2),
            Map.entry(Kind.SET_LIMIT, 4),
            Map.entry(Kind.SET_CHANNEL_LIMIT, 2),
            Map.entry(Kind.PAUSE, 2),
            Map.entry(Kind.RESUME, 3),
            Map.entry(Kind.PAUSE_CHANNEL, 2),
            Map.entry(Kind.RESUME_CHANNEL, 3),
            Map.entry(Kind.DELETE, 1),
            Map.entry(Kind.TRY, 8),
            Map.entry(Kind.WAIT, 7),
            Map.entry(Kind.END_WAIT, 4),
            Map.entry(Kind.ABANDON_WAIT, 2),
            Map.entry(Kind.HEARTBEAT, 3),
            Map.entry(Kind.RELEASE, 8),
            Map.entry(Kind.ENQUEUE, 10),
            Map.entry(Kind.CLAIM, 8),
            Map.entry(Kind.COMPLETE, 6),
            Map.entry(Kind.COMPLETE_EACH, 3),
            Map.entry(Kind.FAIL, 6),
            Map.entry(Kind.HEARTBEAT_JOB, 3),
            Map.entry(Kind.REQUEUE, 2),
            Map.entry(Kind.RESCHEDULE, 2),
            Map.entry(Kind.CANCEL, 2),
            Map.entry(Kind.REDRIVE, 3),
            Map.entry(Kind.PURGE, 1),
            Map.entry(Kind.DELIVERED, 3),
            Map.entry(Kind.DELIVERY_FAILED, 3),
            Map.entry(Kind.DELETE_JOB, 1),
            Map.entry(Kind.DELETE_DEAD, 1),
            Map.entry(Kind.FORWARD_DONE, 1),
            Map.entry(Kind.ACCEPT_FORWARD, 1),
            Map.entry(Kind.TICK, 6),
            Map.entry(Kind.ADVANCE, 4));

    /** Weights of a sequence on a webhook semaphore: deliveries and their answers, among everything else. */
    static final Map<Kind, Integer> WEBHOOKS = Map.ofEntries(
            Map.entry(Kind.PUT, 1),
            Map.entry(Kind.SET_LIMIT, 3),
            Map.entry(Kind.SET_CHANNEL_LIMIT, 1),
            Map.entry(Kind.PAUSE, 1),
            Map.entry(Kind.RESUME, 2),
            Map.entry(Kind.PAUSE_CHANNEL, 1),
            Map.entry(Kind.RESUME_CHANNEL, 3),
            Map.entry(Kind.TRY, 4),
            Map.entry(Kind.WAIT, 3),
            Map.entry(Kind.RELEASE, 3),
            Map.entry(Kind.ENQUEUE, 14),
            Map.entry(Kind.CLAIM, 1),
            Map.entry(Kind.COMPLETE, 4),
            Map.entry(Kind.COMPLETE_EACH, 1),
            Map.entry(Kind.FAIL, 3),
            Map.entry(Kind.HEARTBEAT_JOB, 2),
            Map.entry(Kind.REQUEUE, 1),
            Map.entry(Kind.RESCHEDULE, 1),
            Map.entry(Kind.CANCEL, 2),
            Map.entry(Kind.REDRIVE, 6),
            Map.entry(Kind.DELIVERED, 10),
            Map.entry(Kind.DELIVERY_FAILED, 8),
            Map.entry(Kind.DELETE_JOB, 2),
            Map.entry(Kind.DELETE_DEAD, 1),
            Map.entry(Kind.FORWARD_DONE, 2),
            Map.entry(Kind.ACCEPT_FORWARD, 2),
            Map.entry(Kind.TICK, 6),
            Map.entry(Kind.ADVANCE, 4));

    /** Weights of a sequence of contended synchronous acquires. */
    static final Map<Kind, Integer> ACQUIRES = Map.ofEntries(
            Map.entry(Kind.SET_LIMIT, 4),
            Map.entry(Kind.SET_CHANNEL_LIMIT, 1),
            Map.entry(Kind.PAUSE, 1),
            Map.entry(Kind.RESUME, 2),
            Map.entry(Kind.PAUSE_CHANNEL, 1),
            Map.entry(Kind.RESUME_CHANNEL, 2),
            Map.entry(Kind.TRY, 10),
            Map.entry(Kind.WAIT, 10),
            Map.entry(Kind.END_WAIT, 5),
            Map.entry(Kind.ABANDON_WAIT, 4),
            Map.entry(Kind.HEARTBEAT, 4),
            Map.entry(Kind.RELEASE, 12),
            Map.entry(Kind.ENQUEUE, 3),
            Map.entry(Kind.CLAIM, 2),
            Map.entry(Kind.TICK, 6),
            Map.entry(Kind.ADVANCE, 4));

    /** Weights of a sequence of job lifecycles. */
    static final Map<Kind, Integer> JOBS = Map.ofEntries(
            Map.entry(Kind.PUT, 1),
            Map.entry(Kind.SET_LIMIT, 2),
            Map.entry(Kind.PAUSE_CHANNEL, 1),
            Map.entry(Kind.RESUME_CHANNEL, 3),
            Map.entry(Kind.TRY, 3),
            Map.entry(Kind.WAIT, 3),
            Map.entry(Kind.RELEASE, 3),
            Map.entry(Kind.ENQUEUE, 12),
            Map.entry(Kind.CLAIM, 10),
            Map.entry(Kind.COMPLETE, 7),
            Map.entry(Kind.COMPLETE_EACH, 4),
            Map.entry(Kind.FAIL, 8),
            Map.entry(Kind.HEARTBEAT_JOB, 4),
            Map.entry(Kind.REQUEUE, 3),
            Map.entry(Kind.RESCHEDULE, 3),
            Map.entry(Kind.CANCEL, 3),
            Map.entry(Kind.REDRIVE, 4),
            Map.entry(Kind.PURGE, 1),
            Map.entry(Kind.TICK, 6),
            Map.entry(Kind.ADVANCE, 4));

    /** A random sequence of up to {@code maxSize} ops, distributed as the properties draw them. */
    static List<Op> randomOps(Map<Kind, Integer> weights, RandomGenerator r, int maxSize) {
        Map<Kind, Integer> ordered = new EnumMap<>(weights);
        int total = ordered.values().stream().mapToInt(Integer::intValue).sum();
        List<Op> ops = new ArrayList<>();
        int size = 1 + r.nextInt(maxSize);
        for (int i = 0; i < size; i++) {
            int pick = r.nextInt(total);
            Kind kind = null;
            for (var e : ordered.entrySet()) {
                pick -= e.getValue();
                if (pick < 0) {
                    kind = e.getKey();
                    break;
                }
            }
            int k = r.nextInt(10);
            long advance = k < 5 ? 0 : k < 9 ? 1 + r.nextInt(800) : 800 + r.nextInt(5201);
            ops.add(new Op(kind, r.nextLong(), advance));
        }
        return ops;
    }

    /** One step: what to do, a seed for its arguments, and how far the clock moves first. */
    record Op(Kind kind, long seed, long advanceMillis) {
        @Override
        public String toString() {
            return kind + "(" + seed + ", +" + advanceMillis + "ms)";
        }
    }

    /** What a step did, as far as the generic checks need to know. */
    private static final class Step {
        final Kind kind;
        ProblemCode refused;
        int claimMax;
        String acquireChannel;      // TRY and WAIT
        PermitRecord immediate;     // TRY or WAIT granted at once
        String newWaiter;           // WAIT queued
        List<Claimed> claimed = List.of();
        String note = "";
        JobRecord arrived;          // ENQUEUE or ACCEPT_FORWARD: the new job as it entered the queue

        Step(Kind kind) {
            this.kind = kind;
        }
    }

    final InMemoryLedger ledger = new InMemoryLedger();
    private final RandomGenerator random;
    private Instant now = T0;
    private final List<String> permitIds = new ArrayList<>();
    private final List<String> jobIds = new ArrayList<>();
    private final List<String> waiterIds = new ArrayList<>();
    private final List<String> trace = new ArrayList<>();
    private long lastTokenSeen;

    // per step
    private SplittableRandom args;
    private LedgerState pre;
    private LedgerState post;
    private SemaphoreMachine machine;
    private Step step;

    /** What the sequence exercised: operation outcomes and notable situations, with counts. */
    final Map<String, Integer> seen = new HashMap<>();

    private void event(String name) {
        seen.merge(name, 1, Integer::sum);
    }

    /**
     * A second ledger every step also runs on (a store's): each step is one of its transactions,
     * and every answer it gives must equal the reference's ({@link MirroredLedger}).
     */
    interface Mirror {
        /** Opens the step's transaction and gives its ledger. */
        Ledger begin();

        /** Ends the step's transaction: undone when the step was refused (it wrote nothing) or failed, else committed. */
        void end(boolean undone);
    }

    private final Mirror mirror;

    MachineDriver(long seed) {
        this(seed, null);
    }

    MachineDriver(long seed, Mirror mirror) {
        this.random = new SplittableRandom(seed);
        this.mirror = mirror;
    }

    /** The ledger a step's machine runs on: the reference, and the mirror beside it if there is one. */
    private Ledger stepLedger() {
        return mirror == null ? ledger : new MirroredLedger(ledger, mirror.begin());
    }

    private void endStep(boolean undone) {
        if (mirror != null) {
            mirror.end(undone);
        }
    }

    /** Creates the semaphore, then runs the ops; a failure names every step that led to it. */
    void run(SemaphoreConfig initial, List<Op> ops) {
        SemaphoreMachine m = new SemaphoreMachine(stepLedger(), NAME, now, random);
        assertThat(m.put(initial)).isTrue();
        endStep(false);
        trace.add("put " + initial);
        for (Op op : ops) {
            try {
                apply(op);
            } catch (AssertionError | RuntimeException e) {
                trace.add(op + (step == null ? "" : " -> " + (step.refused != null ? "refused " + step.refused : "ok")
                        + " " + step.note) + "  <-- failed here");
                throw new AssertionError("after the steps:\n  " + String.join("\n  ", trace) + "\n" + e.getMessage(), e);
            }
        }
    }

    private void apply(Op op) {
        now = now.plusMillis(op.advanceMillis());
        args = new SplittableRandom(op.seed());
        pre = LedgerState.of(ledger);
        int waiterCounts = ledger.waiterCounts;
        machine = new SemaphoreMachine(stepLedger(), NAME, now, random);
        step = new Step(op.kind());
        boolean stepped = false;
        try {
            runStep(op);
            stepped = true;
        } finally {
            endStep(!stepped || step.refused != null);
        }
        post = LedgerState.of(ledger);
        checkStep();
        trace.add(op + " -> " + (step.refused != null ? "refused " + step.refused : "ok") + " " + step.note);
        event(op.kind() + (step.refused != null ? ":" + step.refused : ""));
        if (ledger.waiterCounts > waiterCounts) {
            event("dispatch:counted-not-read");
        }
        step = null;
    }

    private void runStep(Op op) {
        switch (op.kind()) {
            case PUT -> put();
            case SET_LIMIT -> setLimit();
            case SET_CHANNEL_LIMIT -> setChannelLimit();
            case PAUSE, RESUME -> pause(op.kind() == Kind.PAUSE);
            case PAUSE_CHANNEL, RESUME_CHANNEL -> pauseChannel(op.kind() == Kind.PAUSE_CHANNEL);
            case DELETE -> delete();
            case TRY -> tryAcquire();
            case WAIT -> acquireOrWait();
            case END_WAIT -> endWait();
            case ABANDON_WAIT -> abandonWait();
            case HEARTBEAT -> heartbeat();
            case RELEASE -> release();
            case ENQUEUE -> enqueue();
            case CLAIM -> claim();
            case COMPLETE -> complete();
            case COMPLETE_EACH -> completeEach();
            case FAIL -> failJob();
            case HEARTBEAT_JOB -> heartbeatJob();
            case REQUEUE, RESCHEDULE -> moveBack(op.kind() == Kind.REQUEUE);
            case CANCEL -> cancel();
            case REDRIVE -> redrive();
            case PURGE -> purge();
            case DELIVERED -> delivered();
            case DELIVERY_FAILED -> deliveryFailed();
            case DELETE_JOB -> deleteJob();
            case DELETE_DEAD -> deleteDead();
            case FORWARD_DONE -> forwardDone();
            case ACCEPT_FORWARD -> acceptForward();
            case TICK -> tick();
            case ADVANCE -> step.note = "now " + now;
        }
    }

    // ---- calling the machine ------------------------------------------------------------------

    /** Calls the machine; a refusal is recorded and must have written nothing. */
    private <T> T call(Supplier<T> operation) {
        try {
            return operation.get();
        } catch (SluiceException e) {
            step.refused = e.code();
            step.note = e.getMessage();
            assertThat(LedgerState.of(ledger)).as("a refused %s (%s) leaves the ledger unchanged", step.kind, e.getMessage())
                    .isEqualTo(pre);
            return null;
        }
    }

    private void callVoid(Runnable operation) {
        call(() -> {
            operation.run();
            return Boolean.TRUE;
        });
    }

    private void expectRefused(ProblemCode code) {
        assertThat(step.refused).as("%s refusal", step.kind).isEqualTo(code);
    }

    private void expectDone() {
        assertThat(step.refused).as("%s refused: %s", step.kind, step.note).isNull();
    }

    private boolean exists() {
        return pre.semaphore() != null;
    }

    /** Whether the semaphore delivers by webhook now (after the step's own change, if any). */
    private boolean webhook() {
        return ledger.semaphore != null && ledger.semaphore.config().delivery().isWebhook();
    }

    private LedgerState post() {
        return LedgerState.of(ledger);
    }

    // ---- arguments ----------------------------------------------------------------------------

    /** Mostly pull, sometimes webhook. */
    static SemaphoreConfig randomConfig(RandomGenerator r) {
        return randomConfig(r, r.nextInt(6) == 0);
    }

    /** A webhook semaphore, as the webhook property starts with. */
    static SemaphoreConfig randomWebhookConfig(RandomGenerator r) {
        return randomConfig(r, true);
    }

    static SemaphoreConfig randomConfig(RandomGenerator r, boolean webhook) {
        int limit = r.nextInt(10) == 0 ? 0 : 1 + r.nextInt(4);
        Integer channelLimit = r.nextBoolean() ? null : 1 + r.nextInt(3);
        Duration lease = r.nextInt(8) == 0 ? null : Duration.ofMillis(1000 + r.nextInt(4001));
        boolean paused = r.nextInt(10) == 0;
        Duration initial = webhook && r.nextInt(4) == 0 ? Duration.ZERO : Duration.ofMillis(r.nextInt(1500));
        Duration max = initial.plusMillis(r.nextInt(2500));
        RetryPolicy.OnExhausted onExhausted = switch (r.nextInt(4)) {
            case 0 -> RetryPolicy.OnExhausted.DEADLETTER;
            case 1 -> RetryPolicy.OnExhausted.SUSPEND;
            case 2 -> RetryPolicy.OnExhausted.FORWARD;
            default -> RetryPolicy.OnExhausted.DROP;
        };
        String forwardTo = onExhausted == RetryPolicy.OnExhausted.FORWARD ? "s2" : null;
        RetryPolicy retry = new RetryPolicy(1 + r.nextInt(3), initial, max, onExhausted, forwardTo);
        LeaseExpiryAction onLeaseExpired = r.nextBoolean() ? LeaseExpiryAction.RETRY : LeaseExpiryAction.DEADLETTER;
        Delivery delivery = !webhook ? Delivery.PULL
                : new Delivery(Delivery.Mode.WEBHOOK, "https://hooks.example/" + r.nextInt(3), Duration.ofSeconds(1),
                        r.nextBoolean(), r.nextInt(3) == 0 ? "secret-" + HexFormat.of().toHexDigits(r.nextLong()) : null);
        return new SemaphoreConfig(limit, channelLimit, lease, paused, delivery, retry, onLeaseExpired);
    }

    private String channel() {
        return CHANNELS.get(args.nextInt(CHANNELS.size()));
    }

    /** Null (the semaphore's default) mostly; sometimes 1–5 s; rarely an invalid 0.5 s. */
    private Duration requestedLease() {
        int k = args.nextInt(20);
        if (k == 0) {
            return Duration.ofMillis(500);
        }
        return k < 12 ? null : Duration.ofMillis(1000 + args.nextInt(4001));
    }

    private static boolean invalid(Duration lease) {
        return lease != null && lease.compareTo(Limits.MIN_LEASE) < 0;
    }

    private String permitId() {
        if (!permitIds.isEmpty() && args.nextInt(10) != 0) {
            // recent ones more often, so duplicates and live permits both come up
            int n = permitIds.size();
            return permitIds.get(args.nextBoolean() ? n - 1 - args.nextInt(Math.min(n, 4)) : args.nextInt(n));
        }
        return switch (args.nextInt(3)) {
            case 0 -> "nonsense";
            case 1 -> "p" + (lastTokenSeen + 1 + args.nextInt(5)) + "." + HexFormat.of().toHexDigits(args.nextLong());
            default -> "p12.short";
        };
    }

    private String jobId() {
        if (!jobIds.isEmpty() && args.nextInt(12) != 0) {
            int n = jobIds.size();
            return jobIds.get(args.nextBoolean() ? n - 1 - args.nextInt(Math.min(n, 3)) : args.nextInt(n));
        }
        return args.nextBoolean() ? "j-unknown" : (waiterIds.isEmpty() ? "j-unknown" : waiterIds.getLast());
    }

    /** A job whose attempt is under way, mostly; any job otherwise. */
    private String attemptJobId() {
        List<String> inflight = pre.jobs().values().stream().filter(j -> j.state() == JobState.INFLIGHT)
                .map(JobRecord::id).toList();
        if (!inflight.isEmpty() && args.nextInt(10) < 7) {
            return inflight.get(args.nextInt(inflight.size()));
        }
        return jobId();
    }

    /** The permit a job's caller would name: its own mostly, none sometimes, a stale one rarely. */
    private String permitOfJob(String jobId) {
        JobRecord job = pre.jobs().get(jobId);
        int k = args.nextInt(10);
        if (k < 6 && job != null && job.permitId() != null) {
            return job.permitId();
        }
        if (k < 8 || permitIds.isEmpty()) {
            return null;
        }
        return permitIds.get(args.nextInt(permitIds.size()));
    }

    // ---- semaphores ---------------------------------------------------------------------------

    private void put() {
        boolean toItself = args.nextInt(20) == 0;
        SemaphoreConfig config = toItself
                ? new SemaphoreConfig(2, null, Duration.ofSeconds(2), false, null,
                        new RetryPolicy(1, Duration.ZERO, Duration.ZERO, RetryPolicy.OnExhausted.FORWARD, NAME), null)
                : randomConfig(args, pre.semaphore() != null && pre.semaphore().config().delivery().isWebhook()
                        ? args.nextInt(4) != 0 : args.nextInt(4) == 0);
        step.note = config.toString();
        Boolean created = call(() -> machine.put(config));
        if (toItself) {
            expectRefused(ProblemCode.INVALID_ARGUMENT);
            return;
        }
        expectDone();
        assertThat(created).isEqualTo(!exists());
        assertThat(ledger.semaphore.config()).as("a config is kept without its secret")
                .isEqualTo(config.withDelivery(config.delivery().withoutSecret()));
        checkSecrets(config.delivery());
        boolean toPull = exists() && pre.semaphore().config().delivery().isWebhook() && !config.delivery().isWebhook();
        if (toPull) {
            for (JobRecord j : pre.jobs().values()) {
                if (j.state() == JobState.INFLIGHT && j.deliveredAt() == null) {
                    event("put:webhook-to-pull-hands-back");
                    JobRecord after = ledger.jobs.get(j.id());
                    assertThat(after.state()).as("an undelivered grant goes back to waiting").isEqualTo(JobState.WAITING);
                    assertThat(after.attempts()).as("and its attempt does not count").isEqualTo(j.attempts() - 1);
                    assertThat(ledger.permits).doesNotContainKey(j.permitId());
                }
            }
        }
        if (!created) {
            assertRevokesNothing(toPull);
        }
    }

    /** A webhook semaphore has secrets: the one asked for, else those it had, else one generated now and shown once. */
    private void checkSecrets(Delivery asked) {
        WebhookSecrets before = pre.secrets();
        WebhookSecrets after = ledger.secrets;
        String generated = machine.generatedSecret();
        if (!asked.isWebhook()) {
            assertThat(after).isEqualTo(before);
            assertThat(generated).isNull();
            return;
        }
        if (asked.secret() != null) {
            assertThat(generated).isNull();
            assertThat(after.current()).isEqualTo(asked.secret());
            if (before == null || before.current().equals(asked.secret())) {
                assertThat(after).isEqualTo(before == null ? WebhookSecrets.of(asked.secret()) : before);
            } else {
                event("secret:rotated");
                assertThat(after.previous()).as("the previous secret signs during the grace").isEqualTo(before.current());
                assertThat(after.signingAt(now)).containsExactly(asked.secret(), before.current());
                assertThat(after.signingAt(now.plus(Limits.WEBHOOK_SECRET_GRACE))).containsExactly(asked.secret());
            }
        } else if (before == null) {
            event("secret:generated");
            assertThat(generated).startsWith("whsec_").hasSize(6 + 64);
            assertThat(after).isEqualTo(WebhookSecrets.of(generated));
        } else {
            assertThat(generated).isNull();
            assertThat(after).isEqualTo(before);
        }
    }

    private void setLimit() {
        int limit = args.nextInt(15) == 0 ? -1 : args.nextInt(6);
        step.note = "limit " + limit;
        call(() -> machine.update(c -> c.withLimit(limit)));
        if (!exists()) {
            expectRefused(ProblemCode.NOT_FOUND);
        } else if (limit < 0) {
            expectRefused(ProblemCode.INVALID_ARGUMENT);
        } else {
            expectDone();
            assertThat(ledger.semaphore.config().limit()).isEqualTo(limit);
            assertRevokesNothing(false);
        }
    }

    private void setChannelLimit() {
        Integer channelLimit = args.nextInt(3) == 0 ? null : 1 + args.nextInt(3);
        step.note = "channelLimit " + channelLimit;
        call(() -> machine.update(c -> new SemaphoreConfig(c.limit(), channelLimit, c.leaseTimeout(), c.paused(),
                c.delivery(), c.retry(), c.onLeaseExpired())));
        if (!exists()) {
            expectRefused(ProblemCode.NOT_FOUND);
            return;
        }
        expectDone();
        assertThat(ledger.semaphore.config().channelLimit()).isEqualTo(channelLimit);
        assertRevokesNothing(false);
    }

    private void pause(boolean paused) {
        call(() -> paused ? machine.pause(null) : machine.resume(null));
        if (!exists()) {
            expectRefused(ProblemCode.NOT_FOUND);
            return;
        }
        expectDone();
        assertThat(ledger.semaphore.config().paused()).isEqualTo(paused);
        assertRevokesNothing(false);
    }

    private void pauseChannel(boolean paused) {
        String channel = channel();
        step.note = channel;
        call(() -> paused ? machine.pause(channel) : machine.resume(channel));
        if (!exists()) {
            expectRefused(ProblemCode.NOT_FOUND);
            return;
        }
        expectDone();
        assertThat(ledger.channel(channel).paused()).isEqualTo(paused);
        assertRevokesNothing(false);
    }

    /**
     * Held permits that were held before are still held: changing the config revokes nothing,
     * except the grants a webhook semaphore had not delivered yet when it turns to pull ({@code toPull}).
     */
    private void assertRevokesNothing(boolean toPull) {
        for (PermitRecord p : pre.permits().values()) {
            JobRecord holder = p.holderId() == null ? null : pre.jobs().get(p.holderId());
            boolean undelivered = holder != null && holder.state() == JobState.INFLIGHT && holder.deliveredAt() == null
                    && p.id().equals(holder.permitId());
            if (p.state() == PermitRecord.State.HELD && !(toPull && undelivered)) {
                assertThat(ledger.permits.get(p.id())).as("permit %s after a config change", p.id()).isEqualTo(p);
            }
        }
    }

    private void delete() {
        boolean force = args.nextInt(4) == 0;
        step.note = force ? "force" : "";
        callVoid(() -> machine.delete(force));
        if (!exists()) {
            expectRefused(ProblemCode.NOT_FOUND);
            return;
        }
        SemaphoreRecord s = pre.semaphore();
        if (!force && (s.inUse() > 0 || s.waiting() > 0 || s.inflight() > 0)) {
            expectRefused(ProblemCode.CONFLICT);
            return;
        }
        // a job on its way to another semaphore would be lost: refused until the forward is done,
        // whatever the config says now (a PUT may have stopped forwarding since the job left)
        if (!force && pre.jobs().values().stream().anyMatch(j -> j.state() == JobState.FORWARDING)) {
            expectRefused(ProblemCode.CONFLICT);
            return;
        }
        expectDone();
        assertThat(LedgerState.of(ledger)).isEqualTo(LedgerState.EMPTY);
    }

    // ---- permits ------------------------------------------------------------------------------

    private void tryAcquire() {
        String channel = channel();
        Duration lease = requestedLease();
        step.acquireChannel = channel;
        step.note = channel + " lease " + lease;
        PermitRecord permit = call(() -> machine.tryAcquire(channel, lease));
        if (!exists()) {
            expectRefused(ProblemCode.NOT_FOUND);
        } else if (invalid(lease)) {
            expectRefused(ProblemCode.INVALID_ARGUMENT);
        } else if (permit == null) {
            assertThat(step.refused).isIn(ProblemCode.LIMIT_REACHED, ProblemCode.PAUSED);
        } else {
            granted(permit, channel, lease);
            step.immediate = permit;
        }
    }

    private void acquireOrWait() {
        String channel = channel();
        Duration lease = requestedLease();
        Instant deadline = now.plusMillis(args.nextInt(8000));
        step.acquireChannel = channel;
        step.note = channel + " lease " + lease + " until " + deadline;
        AcquireOutcome outcome = call(() -> machine.acquireOrWait(channel, lease, deadline));
        if (!exists()) {
            expectRefused(ProblemCode.NOT_FOUND);
            return;
        }
        if (invalid(lease)) {
            expectRefused(ProblemCode.INVALID_ARGUMENT);
            return;
        }
        expectDone();
        switch (outcome) {
            case AcquireOutcome.Granted g -> {
                granted(g.permit(), channel, lease);
                step.immediate = g.permit();
            }
            case AcquireOutcome.Queued q -> {
                JobRecord waiter = ledger.jobs.get(q.waiterId());
                assertThat(waiter).isNotNull();
                assertThat(waiter.isWaiter()).isTrue();
                assertThat(waiter.state()).isEqualTo(JobState.WAITING);
                assertThat(waiter.channel()).isEqualTo(channel);
                assertThat(waiter.deadline()).isEqualTo(deadline);
                assertThat(waiter.seq()).isEqualTo(ledger.semaphore.lastSeq()).isEqualTo(pre.semaphore().lastSeq() + 1);
                step.newWaiter = q.waiterId();
                waiterIds.add(q.waiterId());
            }
            case AcquireOutcome.Rejected r -> fail("acquireOrWait never rejects, got " + r);
        }
    }

    private void granted(PermitRecord permit, String channel, Duration requested) {
        Duration lease = requested != null ? requested : ledger.semaphore.config().leaseTimeout();
        assertThat(permit.state()).isEqualTo(PermitRecord.State.HELD);
        assertThat(permit.channel()).isEqualTo(channel);
        assertThat(permit.holderId()).isNull();
        assertThat(permit.lease()).isEqualTo(lease);
        assertThat(permit.expiresAt()).isEqualTo(Leases.expiry(now, lease));
        assertThat(ledger.permits.get(permit.id())).isEqualTo(permit);
        permitIds.add(permit.id());
    }

    private void endWait() {
        String waiterId = waiterIds.isEmpty() || args.nextInt(10) == 0 ? "w-unknown" : waiterIds.get(args.nextInt(waiterIds.size()));
        step.note = waiterId;
        AcquireOutcome outcome = call(() -> machine.endWait(waiterId));
        if (!exists()) {
            expectRefused(ProblemCode.NOT_FOUND);
            return;
        }
        expectDone();
        JobRecord waiter = pre.jobs().get(waiterId);
        if (waiter != null) {
            boolean paused = pre.semaphore().config().paused()
                    || pre.channels().getOrDefault(waiter.channel(), ChannelRecord.empty(waiter.channel())).paused();
            assertThat(outcome).isEqualTo(new AcquireOutcome.Rejected(paused ? ProblemCode.PAUSED : ProblemCode.LIMIT_REACHED));
            assertThat(ledger.jobs).doesNotContainKey(waiterId);
            assertThat(ledger.semaphore.waiting()).isEqualTo(pre.semaphore().waiting() - 1);
            return;
        }
        var held = pre.permits().values().stream()
                .filter(p -> waiterId.equals(p.holderId()) && p.state() == PermitRecord.State.HELD).findFirst();
        event(held.isPresent() ? "endWait:granted" : "endWait:gone");
        assertThat(outcome).isEqualTo(held.<AcquireOutcome>map(AcquireOutcome.Granted::new)
                .orElse(new AcquireOutcome.Rejected(ProblemCode.LIMIT_REACHED)));
        assertThat(LedgerState.of(ledger)).isEqualTo(pre);
    }

    private void abandonWait() {
        String waiterId = waiterIds.isEmpty() || args.nextInt(10) == 0 ? "w-unknown" : waiterIds.get(args.nextInt(waiterIds.size()));
        step.note = waiterId;
        Boolean released = call(() -> machine.abandonWait(waiterId));
        if (!exists()) {
            expectRefused(ProblemCode.NOT_FOUND);
            return;
        }
        expectDone();
        assertThat(machine.effects().changes()).as("an abandoned wait is no refusal")
                .noneMatch(c -> c instanceof Effects.Rejected);
        if (pre.jobs().containsKey(waiterId)) {
            event("abandonWait:queued");
            assertThat(released).isFalse();
            assertThat(ledger.jobs).doesNotContainKey(waiterId);
            assertThat(ledger.semaphore.waiting()).isEqualTo(pre.semaphore().waiting() - 1);
            assertThat(ledger.semaphore.inUse()).isEqualTo(pre.semaphore().inUse());
            return;
        }
        var held = pre.permits().values().stream()
                .filter(p -> waiterId.equals(p.holderId()) && p.state() == PermitRecord.State.HELD).findFirst();
        assertThat(released).isEqualTo(held.isPresent());
        if (held.isPresent()) {
            event("abandonWait:granted");
            assertThat(ledger.permits.values()).as("nobody holds the permit of a client that has gone")
                    .noneMatch(p -> waiterId.equals(p.holderId()) && p.state() == PermitRecord.State.HELD);
        } else {
            assertThat(LedgerState.of(ledger)).isEqualTo(pre);
        }
    }

    private void heartbeat() {
        String permitId = permitId();
        Duration lease = requestedLease();
        step.note = permitId + " lease " + lease;
        PermitRecord extended = call(() -> machine.heartbeat(permitId, lease));
        if (!exists()) {
            expectRefused(ProblemCode.NOT_FOUND);
            return;
        }
        PermitRecord before = pre.permits().get(permitId);
        if (before == null) {
            expectRefused(ProblemCode.NOT_FOUND);
        } else if (before.isExpiredAt(now)) {
            expectRefused(ProblemCode.LEASE_EXPIRED);
        } else if (invalid(lease)) {
            expectRefused(ProblemCode.INVALID_ARGUMENT);
        } else {
            expectDone();
            Duration newLease = lease != null ? lease : before.lease();
            assertThat(extended).isEqualTo(before.extendedTo(newLease, Leases.expiry(now, newLease)));
            assertThat(ledger.permits.get(permitId)).isEqualTo(extended);
        }
    }

    private void release() {
        String permitId = permitId();
        step.note = permitId;
        ReleaseOutcome outcome = call(() -> machine.release(permitId));
        if (!exists()) {
            expectRefused(ProblemCode.NOT_FOUND);
            return;
        }
        step.note += " -> " + outcome;
        if (outcome != null) {
            event("release:" + outcome);
        }
        SemaphoreRecord s = pre.semaphore();
        PermitRecord before = pre.permits().get(permitId);
        if (before == null) {
            var token = PermitIds.tokenOf(permitId);
            if (token.isPresent() && token.getAsLong() >= 1 && token.getAsLong() <= s.lastFencingToken()) {
                assertThat(outcome).isEqualTo(ReleaseOutcome.ALREADY_RELEASED);
                assertThat(LedgerState.of(ledger)).as("a second release frees nothing").isEqualTo(pre);
            } else {
                expectRefused(ProblemCode.NOT_FOUND);
            }
            return;
        }
        if (before.state() == PermitRecord.State.EXPIRED) {
            assertThat(outcome).isEqualTo(ReleaseOutcome.EXPIRED);
            assertThat(LedgerState.of(ledger)).as("releasing a reclaimed permit frees nothing").isEqualTo(pre);
            return;
        }
        JobRecord holder = before.holderId() == null ? null : pre.jobs().get(before.holderId());
        if (holder != null && holder.state() == JobState.INFLIGHT && permitId.equals(holder.permitId())) {
            expectRefused(ProblemCode.CONFLICT);
            return;
        }
        expectDone();
        int grants = (int) (ledger.semaphore.lastFencingToken() - s.lastFencingToken());
        assertThat(ledger.semaphore.inUse()).as("a release frees exactly one unit").isEqualTo(s.inUse() - 1 + grants);
        if (before.isExpiredAt(now)) {
            assertThat(outcome).isEqualTo(ReleaseOutcome.EXPIRED);
            assertThat(ledger.permits.get(permitId)).isEqualTo(before.expired());
        } else {
            assertThat(outcome).isEqualTo(ReleaseOutcome.DONE);
            assertThat(ledger.permits).doesNotContainKey(permitId);
        }
    }

    // ---- jobs ---------------------------------------------------------------------------------

    private void enqueue() {
        String channel = channel();
        int priority = args.nextInt(5) == 0 ? 1 + args.nextInt(3) : 0;
        String key = args.nextBoolean() ? null : "k" + args.nextInt(5);
        String payload = "{\"n\":" + args.nextInt(1000) + "}";
        step.note = channel + " prio " + priority + " key " + key;
        Enqueued enqueued = call(() -> machine.enqueue(payload, channel, priority, key));
        if (!exists()) {
            expectRefused(ProblemCode.NOT_FOUND);
            return;
        }
        expectDone();
        JobRecord first = key == null ? null
                : pre.jobs().values().stream().filter(j -> key.equals(j.idempotencyKey())).findFirst().orElse(null);
        if (first != null) {
            event("enqueue:repeated-key");
            assertThat(enqueued.created()).isFalse();
            assertThat(enqueued.job()).isEqualTo(first);
            assertThat(LedgerState.of(ledger)).as("a repeated idempotency key writes nothing").isEqualTo(pre);
            return;
        }
        assertThat(enqueued.created()).isTrue();
        JobRecord job = enqueued.job();
        assertThat(ledger.jobs.get(job.id())).isEqualTo(job);
        jobIds.add(job.id());
        step.arrived = JobRecord.newJob(job.id(), channel, priority, pre.semaphore().lastSeq() + 1, payload, key, now);
        if (webhook() && job.state() == JobState.INFLIGHT) {
            event("enqueue:granted-for-delivery-at-once");
            assertThat(job.deliveredAt()).isNull();
            assertThat(enqueued.position()).isZero();
            return;
        }
        assertThat(job.state()).isEqualTo(JobState.WAITING);
        assertThat(job.seq()).isEqualTo(job.originalSeq()).isEqualTo(pre.semaphore().lastSeq() + 1);
        long ahead = post().jobs().values().stream().filter(j -> j.state() == JobState.WAITING)
                .filter(j -> InMemoryLedger.GRANT_ORDER.compare(j, job) < 0).count();
        assertThat(enqueued.position()).isEqualTo(ahead + 1);
    }

    private void claim() {
        int max = 1 + args.nextInt(5);
        Duration lease = requestedLease();
        step.claimMax = max;
        step.note = "max " + max + " lease " + lease;
        List<Claimed> claimed = call(() -> machine.claim(max, lease));
        if (!exists()) {
            expectRefused(ProblemCode.NOT_FOUND);
            return;
        }
        if (pre.semaphore().config().delivery().isWebhook()) {
            expectRefused(ProblemCode.CONFLICT);   // a webhook semaphore pushes its jobs
            return;
        }
        if (invalid(lease)) {
            expectRefused(ProblemCode.INVALID_ARGUMENT);
            return;
        }
        expectDone();
        step.claimed = claimed;
        step.note += " -> " + claimed.size();
        Duration effective = lease != null ? lease : ledger.semaphore.config().leaseTimeout();
        for (Claimed c : claimed) {
            JobRecord before = pre.jobs().get(c.job().id());
            assertThat(c.job()).isEqualTo(before.granted(c.permit().id(), now));
            assertThat(ledger.jobs.get(c.job().id())).isEqualTo(c.job());
            assertThat(c.permit().holderId()).isEqualTo(c.job().id());
            assertThat(c.permit().channel()).isEqualTo(c.job().channel());
            assertThat(c.permit().lease()).isEqualTo(effective);
            assertThat(c.permit().expiresAt()).isEqualTo(Leases.expiry(now, effective));
            permitIds.add(c.permit().id());
        }
    }

    /**
     * The refusal an operation on the current attempt of a job gets, or null when it may go on.
     * Completing a completed job is a no-op, reported as {@link ProblemCode#INTERNAL} here.
     */
    private ProblemCode attemptRefusal(String jobId, String permitId, boolean completing) {
        JobRecord job = pre.jobs().get(jobId);
        if (!exists() || job == null || job.isWaiter()) {
            return ProblemCode.NOT_FOUND;
        }
        if (completing && job.state() == JobState.COMPLETED) {
            return ProblemCode.INTERNAL;
        }
        boolean stale = permitId != null && !permitId.equals(job.permitId());
        if (job.state() == JobState.INFLIGHT && !stale) {
            return pre.permits().get(job.permitId()).isExpiredAt(now) ? ProblemCode.LEASE_EXPIRED : null;
        }
        return job.attempts() > 0 && job.state() != JobState.CANCELLED ? ProblemCode.LEASE_EXPIRED : ProblemCode.CONFLICT;
    }

    private void complete() {
        String jobId = attemptJobId();
        String permitId = permitOfJob(jobId);
        step.note = jobId + " " + permitId;
        callVoid(() -> machine.complete(jobId, permitId));
        ProblemCode expected = attemptRefusal(jobId, permitId, true);
        if (expected == ProblemCode.INTERNAL) {
            expectDone();
            assertThat(LedgerState.of(ledger)).as("completing a completed job again writes nothing").isEqualTo(pre);
            return;
        }
        if (expected != null) {
            expectRefused(expected);
            return;
        }
        expectDone();
        JobRecord before = pre.jobs().get(jobId);
        assertThat(ledger.jobs.get(jobId)).isEqualTo(before.finished(JobState.COMPLETED, null, now));
        assertThat(ledger.permits).doesNotContainKey(before.permitId());
    }

    /**
     * Up to three completions in one operation, the same job perhaps more than once: each is
     * refused as its own complete would be before the step, or completes; a job completed earlier
     * in the list completes again as a no-op.
     */
    private void completeEach() {
        List<SemaphoreMachine.Attempt> attempts = new ArrayList<>();
        for (int i = 1 + args.nextInt(3); i > 0; i--) {
            String jobId = attemptJobId();
            attempts.add(new SemaphoreMachine.Attempt(jobId, permitOfJob(jobId)));
        }
        step.note = attempts.toString();
        List<SluiceException> refusals = call(() -> machine.completeEach(attempts));
        if (!exists()) {
            expectRefused(ProblemCode.NOT_FOUND);
            return;
        }
        expectDone();
        assertThat(refusals).hasSameSizeAs(attempts);
        Set<String> completed = new java.util.HashSet<>();
        for (int i = 0; i < attempts.size(); i++) {
            SemaphoreMachine.Attempt a = attempts.get(i);
            ProblemCode expected = completed.contains(a.jobId()) ? null : attemptRefusal(a.jobId(), a.permitId(), true);
            if (expected == ProblemCode.INTERNAL) {
                expected = null;   // completed before the step: a no-op
            }
            SluiceException refused = refusals.get(i);
            assertThat(refused == null ? null : refused.code()).as("completion %d of %s", i, attempts).isEqualTo(expected);
            if (expected == null) {
                completed.add(a.jobId());
                JobRecord before = pre.jobs().get(a.jobId());
                assertThat(ledger.jobs.get(a.jobId()).state()).isEqualTo(JobState.COMPLETED);
                if (before.permitId() != null) {
                    assertThat(ledger.permits).doesNotContainKey(before.permitId());
                }
            }
        }
        if (completed.size() > 1) {
            event("complete-each:several-completed");
        }
        if (completed.size() < attempts.size()) {
            event("complete-each:some-refused");
        }
    }

    private void failJob() {
        String jobId = attemptJobId();
        String permitId = permitOfJob(jobId);
        boolean retryable = args.nextInt(4) != 0;
        step.note = jobId + " " + permitId + (retryable ? " retryable" : " fatal");
        callVoid(() -> machine.fail(jobId, permitId, "boom", retryable));
        ProblemCode expected = attemptRefusal(jobId, permitId, false);
        if (expected != null) {
            expectRefused(expected);
            return;
        }
        expectDone();
        JobRecord before = pre.jobs().get(jobId);
        assertThat(ledger.permits).doesNotContainKey(before.permitId());
        checkFailedAttempt(before, "boom", retryable, "fail");
    }

    /**
     * The retry policy applied to an attempt of {@code before} that failed with {@code error}:
     * a backoff at its original position, else {@code onExhausted}.
     */
    private void checkFailedAttempt(JobRecord before, String error, boolean retryable, String what) {
        JobRecord after = ledger.jobs.get(before.id());
        RetryPolicy retry = pre.semaphore().config().retry();
        if (after.state() == JobState.INFLIGHT && webhook()) {
            // a webhook semaphore granted it again at once: its backoff was zero
            assertThat(after.attempts()).isEqualTo(before.attempts() + 1);
            assertThat(retryable && before.attempts() < retry.maxAttempts()).as("only a retry is granted again").isTrue();
            assertThat(after.lastError()).isEqualTo(error);
            event(what + ":retry-granted-again-at-once");
            return;
        }
        if (retryable && before.attempts() < retry.maxAttempts()) {
            long cap = Math.min((long) (retry.initialBackoff().toMillis() * Math.pow(2, before.attempts() - 1)),
                    retry.maxBackoff().toMillis());
            assertThat(after.state()).isEqualTo(JobState.WAITING);
            assertThat(after.seq()).as("a retry waits at its original position").isEqualTo(before.originalSeq());
            assertThat(after.availableAt()).isBetween(now, now.plusMillis(cap));
            assertThat(after.lastError()).isEqualTo(error);
            assertThat(after.attempts()).isEqualTo(before.attempts());
            step.note += " retry at " + after.availableAt();
            event(after.availableAt().isAfter(now) ? what + ":retry-with-backoff" : what + ":retry-now");
            return;
        }
        RetryPolicy.OnExhausted action = retry.onExhausted();
        if (!retryable && action == RetryPolicy.OnExhausted.SUSPEND) {
            action = RetryPolicy.OnExhausted.DEADLETTER;
        }
        if (action == RetryPolicy.OnExhausted.FORWARD && before.forwardedFrom() != null) {
            action = RetryPolicy.OnExhausted.DEADLETTER;   // one hop only
            event("exhausted:forwarded-job-not-forwarded-again");
        }
        step.note += " " + action;
        event(what + ":" + action);
        switch (action) {
            case DROP -> assertThat(after.state()).isEqualTo(JobState.FAILED);
            case DEADLETTER -> assertThat(after.state()).isEqualTo(JobState.DEAD);
            case SUSPEND -> {
                assertThat(after.state()).isEqualTo(JobState.WAITING);
                assertThat(after.seq()).isEqualTo(before.originalSeq());
                assertThat(after.availableAt()).isEqualTo(now);
                assertThat(ledger.channel(after.channel()).paused()).as("suspend pauses the channel").isTrue();
            }
            case FORWARD -> {
                assertThat(after.state()).isEqualTo(JobState.FORWARDING);
                assertThat(after.forwardedTo()).isEqualTo(retry.forwardTo());
                assertThat(after.lastError()).isEqualTo(error);
                assertThat(machine.effects().forwarding()).as("the forward is announced").isTrue();
            }
        }
    }

    private void heartbeatJob() {
        String jobId = attemptJobId();
        String permitId = permitOfJob(jobId);
        Duration lease = requestedLease();
        step.note = jobId + " " + permitId + " lease " + lease;
        PermitRecord extended = call(() -> machine.heartbeatJob(jobId, permitId, lease));
        ProblemCode expected = attemptRefusal(jobId, permitId, false);
        if (expected == null && invalid(lease)) {
            expected = ProblemCode.INVALID_ARGUMENT;
        }
        if (expected != null) {
            expectRefused(expected);
            return;
        }
        expectDone();
        PermitRecord before = pre.permits().get(pre.jobs().get(jobId).permitId());
        Duration newLease = lease != null ? lease : before.lease();
        assertThat(extended).isEqualTo(before.extendedTo(newLease, Leases.expiry(now, newLease)));
    }

    private void moveBack(boolean toBack) {
        String jobId = jobId();
        step.note = jobId;
        JobRecord moved = call(() -> toBack ? machine.requeue(jobId) : machine.reschedule(jobId));
        JobRecord before = pre.jobs().get(jobId);
        if (!exists() || before == null || before.isWaiter()) {
            expectRefused(ProblemCode.NOT_FOUND);
            return;
        }
        if (before.state() != JobState.WAITING && before.state() != JobState.INFLIGHT) {
            expectRefused(ProblemCode.CONFLICT);
            return;
        }
        expectDone();
        assertThat(ledger.jobs.get(jobId)).isEqualTo(moved);
        if (webhook() && moved.state() == JobState.INFLIGHT) {
            event("move:granted-again-at-once");
            assertThat(moved.permitId()).isNotEqualTo(before.permitId());
            return;
        }
        assertThat(moved.state()).isEqualTo(JobState.WAITING);
        assertThat(moved.availableAt()).isEqualTo(now);
        assertThat(moved.seq()).isEqualTo(toBack ? pre.semaphore().lastSeq() + 1 : before.originalSeq());
        if (before.state() == JobState.INFLIGHT) {
            assertThat(ledger.permits).doesNotContainKey(before.permitId());
        }
    }

    private void cancel() {
        String jobId = jobId();
        step.note = jobId;
        JobRecord cancelled = call(() -> machine.cancel(jobId));
        JobRecord before = pre.jobs().get(jobId);
        if (!exists() || before == null || before.isWaiter()) {
            expectRefused(ProblemCode.NOT_FOUND);
            return;
        }
        if (before.state() != JobState.WAITING && before.state() != JobState.INFLIGHT && before.state() != JobState.DEAD) {
            expectRefused(ProblemCode.CONFLICT);
            return;
        }
        expectDone();
        assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
        assertThat(ledger.jobs.get(jobId)).isEqualTo(cancelled);
        if (before.state() == JobState.INFLIGHT) {
            assertThat(ledger.permits).doesNotContainKey(before.permitId());
        }
    }

    private void redrive() {
        List<String> ids = null;
        if (args.nextBoolean() && !jobIds.isEmpty()) {
            ids = new ArrayList<>();
            int n = 1 + args.nextInt(4);
            for (int i = 0; i < n; i++) {
                ids.add(args.nextInt(8) == 0 ? "j-unknown" : jobIds.get(args.nextInt(jobIds.size())));
            }
        }
        boolean original = args.nextBoolean();
        List<String> named = ids;
        step.note = (ids == null ? "all" : ids.toString()) + (original ? " original" : " back");
        Integer redriven = call(() -> machine.redrive(named, original));
        if (!exists()) {
            expectRefused(ProblemCode.NOT_FOUND);
            return;
        }
        expectDone();
        List<JobRecord> dead = pre.jobs().values().stream()
                .filter(j -> !j.isWaiter() && j.state() == JobState.DEAD)
                .filter(j -> named == null || named.contains(j.id()))
                .sorted(Comparator.comparingLong(JobRecord::seq)).toList();
        assertThat(redriven).isEqualTo(dead.size());
        if (redriven > 0) {
            event("redrive:" + (original ? "original" : "back"));
        }
        Set<Long> newSeqs = new LinkedHashSet<>();
        for (JobRecord j : dead) {
            JobRecord after = ledger.jobs.get(j.id());
            if (webhook() && after.state() == JobState.INFLIGHT) {
                event("redrive:granted-for-delivery-at-once");
                assertThat(after.attempts()).isEqualTo(1);
                assertThat(after.deliveredAt()).isNull();
                after = after.undelivered(now);   // where it was granted from
            }
            assertThat(after.state()).isEqualTo(JobState.WAITING);
            assertThat(after.attempts()).isZero();
            if (original) {
                assertThat(after.seq()).isEqualTo(j.originalSeq());
            } else {
                assertThat(after.seq()).isGreaterThan(pre.semaphore().lastSeq());
                newSeqs.add(after.seq());
            }
        }
        assertThat(newSeqs).hasSize(original ? 0 : dead.size());
    }

    private void purge() {
        Integer deleted = call(machine::purge);
        if (!exists()) {
            expectRefused(ProblemCode.NOT_FOUND);
            return;
        }
        expectDone();
        long waitingJobs = pre.jobs().values().stream().filter(j -> !j.isWaiter() && j.state() == JobState.WAITING).count();
        assertThat(deleted.longValue()).isEqualTo(waitingJobs);
        assertThat(ledger.jobs.values()).noneMatch(j -> !j.isWaiter() && j.state() == JobState.WAITING);
    }

    // ---- webhook delivery and forwarding ------------------------------------------------------

    /** An inflight job whose delivery is unanswered, mostly; any job otherwise. */
    private String undeliveredJobId() {
        List<String> owed = pre.jobs().values().stream()
                .filter(j -> j.state() == JobState.INFLIGHT && j.deliveredAt() == null).map(JobRecord::id).toList();
        if (!owed.isEmpty() && args.nextInt(10) < 8) {
            return owed.get(args.nextInt(owed.size()));
        }
        return attemptJobId();
    }

    /** The permit a delivery's answer names: the job's own mostly, a stale or unknown one sometimes. */
    private String deliveryPermit(String jobId) {
        JobRecord job = pre.jobs().get(jobId);
        if (job != null && job.permitId() != null && args.nextInt(10) < 8) {
            return job.permitId();
        }
        return permitIds.isEmpty() || args.nextBoolean() ? "p1.0000000000000000" : permitIds.get(args.nextInt(permitIds.size()));
    }

    /** Whether the answer for {@code permitId} concerns the attempt of the job that is still owed its delivery. */
    private boolean owed(String jobId, String permitId) {
        JobRecord job = pre.jobs().get(jobId);
        return job != null && !job.isWaiter() && job.state() == JobState.INFLIGHT && job.deliveredAt() == null
                && permitId.equals(job.permitId()) && pre.permits().get(permitId).state() == PermitRecord.State.HELD;
    }

    private void delivered() {
        String jobId = undeliveredJobId();
        String permitId = deliveryPermit(jobId);
        step.note = jobId + " " + permitId;
        Boolean applied = call(() -> machine.delivered(jobId, permitId));
        if (!exists()) {
            expectRefused(ProblemCode.NOT_FOUND);
            return;
        }
        expectDone();
        boolean owed = owed(jobId, permitId);
        assertThat(applied).as("an answer applies only to the attempt still owed").isEqualTo(owed);
        if (!owed) {
            event("delivered:stale");
            assertThat(post()).as("a stale answer writes nothing").isEqualTo(pre);
            return;
        }
        JobRecord before = pre.jobs().get(jobId);
        JobRecord after = ledger.jobs.get(jobId);
        if (pre.semaphore().config().delivery().releaseOnSuccess()) {
            event("delivered:completed");
            assertThat(after).isEqualTo(before.delivered(now).finished(JobState.COMPLETED, null, now));
            assertThat(ledger.permits).as("releaseOnSuccess frees the permit").doesNotContainKey(permitId);
        } else {
            event("delivered:accepted");
            assertThat(after).isEqualTo(before.delivered(now));
            assertThat(ledger.permits.get(permitId)).as("the job keeps its permit until completed").isEqualTo(pre.permits().get(permitId));
        }
    }

    private void deliveryFailed() {
        String jobId = undeliveredJobId();
        String permitId = deliveryPermit(jobId);
        step.note = jobId + " " + permitId;
        Boolean applied = call(() -> machine.deliveryFailed(jobId, permitId, "HTTP 503"));
        if (!exists()) {
            expectRefused(ProblemCode.NOT_FOUND);
            return;
        }
        expectDone();
        boolean owed = owed(jobId, permitId);
        assertThat(applied).as("an answer applies only to the attempt still owed").isEqualTo(owed);
        if (!owed) {
            event("deliveryFailed:stale");
            assertThat(post()).as("a stale answer writes nothing").isEqualTo(pre);
            return;
        }
        PermitRecord permit = pre.permits().get(permitId);
        if (permit.isExpiredAt(now)) {
            event("deliveryFailed:after-lease-end");
            assertThat(ledger.permits.get(permitId)).isEqualTo(permit.expired());
        } else {
            assertThat(ledger.permits).doesNotContainKey(permitId);
        }
        checkFailedAttempt(pre.jobs().get(jobId), "HTTP 503", true, "deliveryFailed");
    }

    private void deleteJob() {
        List<String> over = pre.jobs().values().stream().filter(j -> j.state() == JobState.DEAD || j.state().isFinished())
                .map(JobRecord::id).toList();
        String jobId = !over.isEmpty() && args.nextBoolean() ? over.get(args.nextInt(over.size())) : jobId();
        step.note = jobId;
        callVoid(() -> machine.deleteJob(jobId));
        JobRecord before = pre.jobs().get(jobId);
        if (!exists() || before == null || before.isWaiter()) {
            expectRefused(ProblemCode.NOT_FOUND);
            return;
        }
        if (before.state() != JobState.DEAD && !before.state().isFinished()) {
            expectRefused(ProblemCode.CONFLICT);
            return;
        }
        expectDone();
        event("deleteJob:" + before.state());
        assertThat(ledger.jobs).doesNotContainKey(jobId);
        assertThat(ledger.semaphore.dead()).isEqualTo(pre.semaphore().dead() - (before.state() == JobState.DEAD ? 1 : 0));
    }

    private void deleteDead() {
        Integer deleted = call(machine::deleteDead);
        if (!exists()) {
            expectRefused(ProblemCode.NOT_FOUND);
            return;
        }
        expectDone();
        long dead = pre.jobs().values().stream().filter(j -> !j.isWaiter() && j.state() == JobState.DEAD).count();
        assertThat(deleted.longValue()).isEqualTo(dead);
        assertThat(ledger.jobs.values()).noneMatch(j -> j.state() == JobState.DEAD);
        if (dead > 0) {
            event("deleteDead:some");
        }
    }

    private void forwardDone() {
        List<String> forwarding = pre.jobs().values().stream().filter(j -> j.state() == JobState.FORWARDING)
                .map(JobRecord::id).toList();
        String jobId = !forwarding.isEmpty() && args.nextInt(10) < 8 ? forwarding.get(args.nextInt(forwarding.size())) : jobId();
        String failure = args.nextInt(3) == 0 ? "no semaphore named s2" : null;
        step.note = jobId + (failure == null ? " forwarded" : " failed");
        callVoid(() -> machine.forwardDone(jobId, failure));
        if (!exists()) {
            expectRefused(ProblemCode.NOT_FOUND);
            return;
        }
        expectDone();
        JobRecord before = pre.jobs().get(jobId);
        if (before == null || before.state() != JobState.FORWARDING) {
            assertThat(post()).as("finishing a forward that is not under way writes nothing").isEqualTo(pre);
            return;
        }
        JobRecord after = ledger.jobs.get(jobId);
        if (failure == null) {
            event("forwardDone:forwarded");
            assertThat(after).isEqualTo(before.forwarded(now));
        } else {
            event("forwardDone:dead");
            assertThat(after.state()).isEqualTo(JobState.DEAD);
            assertThat(after.forwardedTo()).isNull();
            assertThat(after.lastError()).startsWith("could not forward to s2: no semaphore named s2");
        }
    }

    private void acceptForward() {
        boolean again = !jobIds.isEmpty() && args.nextInt(4) == 0;
        String id = again ? jobIds.get(args.nextInt(jobIds.size())) : "f" + HexFormat.of().toHexDigits(args.nextLong());
        String key = args.nextBoolean() ? null : "k" + args.nextInt(5);
        JobRecord incoming = JobRecord.newJob(id, channel(), args.nextInt(4) == 0 ? 2 : 0, 7, "{\"from\":\"s0\"}", key,
                T0.minusSeconds(60)).forwarding(NAME, "boom in s0", now);
        step.note = id + " key " + key;
        Boolean accepted = call(() -> machine.acceptForward(incoming, "s0"));
        if (!exists()) {
            expectRefused(ProblemCode.NOT_FOUND);
            return;
        }
        expectDone();
        if (pre.jobs().containsKey(id)) {
            event("acceptForward:again");
            assertThat(accepted).isFalse();
            assertThat(post()).as("a forward taken in already is not taken in again").isEqualTo(pre);
            return;
        }
        event("acceptForward:new");
        assertThat(accepted).isTrue();
        boolean keyTaken = key != null && pre.jobs().values().stream().anyMatch(j -> key.equals(j.idempotencyKey()));
        JobRecord expected = incoming.arrivedFrom("s0", pre.semaphore().lastSeq() + 1, keyTaken ? null : key, now);
        step.arrived = expected;
        JobRecord after = ledger.jobs.get(id);
        if (webhook() && after.state() == JobState.INFLIGHT) {
            after = after.undelivered(now);
        }
        assertThat(after).isEqualTo(expected);
        assertThat(after.forwardedFrom()).isEqualTo("s0");
        jobIds.add(id);
    }

    private void tick() {
        Integer expired = call(machine::tick);
        if (!exists()) {
            assertThat(expired).isZero();
            return;
        }
        expectDone();
        long due = pre.permits().values().stream()
                .filter(p -> p.state() == PermitRecord.State.HELD && p.expiresAt() != null && !p.expiresAt().isAfter(now))
                .count();
        assertThat(expired.longValue()).isEqualTo(due);
        step.note = expired + " expired";
        if (expired > 0) {
            event("tick:lease-expired");
        }
        pre.jobs().values().stream().filter(j -> j.state() == JobState.INFLIGHT)
                .filter(j -> pre.permits().get(j.permitId()).isExpiredAt(now))
                .forEach(j -> event("tick:job-lease-expired->" + ledger.jobs.get(j.id()).state()));
        assertThat(ledger.permits.values()).as("no lease past its end is still held after a tick")
                .noneMatch(p -> p.state() == PermitRecord.State.HELD && p.isExpiredAt(now));
        assertThat(ledger.jobs.values()).as("no waiter past its deadline is still queued after a tick")
                .noneMatch(j -> j.isWaiter() && !now.isBefore(j.deadline()));
    }

    // ---- the checks after every step ----------------------------------------------------------

    private void checkStep() {
        SemaphoreRecord s = post.semaphore();
        if (s == null) {
            assertThat(post.channels()).isEmpty();
            assertThat(post.permits()).isEmpty();
            assertThat(post.jobs()).isEmpty();
            return;
        }
        if (pre.semaphore() == null) {
            lastTokenSeen = 0;   // a new semaphore of the same name starts its own token sequence
        }
        checkBookkeeping(s);

        long tokenBefore = pre.semaphore() == null ? 0 : pre.semaphore().lastFencingToken();
        List<PermitRecord> grants = post.permits().values().stream().filter(p -> p.fencingToken() > tokenBefore)
                .sorted(Comparator.comparingLong(PermitRecord::fencingToken)).toList();
        checkFencing(s, tokenBefore, grants);
        checkSafety(s, grants);
        checkOrder(s, grants);
        checkDeliveries(s, grants);
    }

    /**
     * What the semaphore owes its webhook: exactly the inflight jobs whose delivery is unanswered,
     * in grant order; never more deliveries under way than permits (G1); a webhook semaphore has
     * a secret to sign them with.
     */
    private void checkDeliveries(SemaphoreRecord s, List<PermitRecord> grants) {
        PendingDeliveries owed = new SemaphoreMachine(ledger, NAME, now, random).pendingDeliveries();
        assertThat(post()).as("pendingDeliveries writes nothing").isEqualTo(post);
        List<JobRecord> unanswered = post.jobs().values().stream()
                .filter(j -> j.state() == JobState.INFLIGHT && j.deliveredAt() == null)
                .sorted(Comparator.comparingLong(j -> post.permits().get(j.permitId()).fencingToken())).toList();
        if (!s.config().delivery().isWebhook()) {
            assertThat(owed.jobs()).isEmpty();
            assertThat(unanswered).as("a pull semaphore owes no delivery").isEmpty();
            return;
        }
        assertThat(post.secrets()).as("a webhook semaphore has a secret").isNotNull();
        assertThat(owed.signingSecrets()).isEqualTo(post.secrets().signingAt(now));
        assertThat(owed.delivery()).isEqualTo(s.config().delivery());
        assertThat(owed.jobs().stream().map(c -> c.job().id()).toList()).as("the deliveries owed, in grant order")
                .isEqualTo(unanswered.stream().map(JobRecord::id).toList());
        for (Claimed c : owed.jobs()) {
            assertThat(c.permit()).isEqualTo(post.permits().get(c.job().permitId()));
        }
        if (!grants.isEmpty()) {
            long underWay = post.jobs().values().stream().filter(j -> j.state() == JobState.INFLIGHT)
                    .filter(j -> !post.permits().get(j.permitId()).isExpiredAt(now)).count();
            assertThat(underWay).as("G1: deliveries under way within limit %d", s.config().limit())
                    .isLessThanOrEqualTo(s.config().limit());
        }
        if (!unanswered.isEmpty()) {
            event("state:deliveries-owed");
        }
    }

    /**
     * A granted entry as it waited when the step's dispatch took it. A job may have been new,
     * inflight, dead, or elsewhere in the queue before the step: it is the job the step holds
     * now, taken back to where it was granted from.
     */
    private JobRecord asDispatched(String holderId) {
        JobRecord before = pre.jobs().get(holderId);
        if (before != null && before.isWaiter()) {
            return before;
        }
        JobRecord after = post.jobs().get(holderId);
        return after == null || after.state() != JobState.INFLIGHT ? before : after.undelivered(now);
    }

    private static Map<String, Integer> heldPerChannel(LedgerState state) {
        Map<String, Integer> held = new HashMap<>();
        state.permits().values().stream().filter(p -> p.state() == PermitRecord.State.HELD)
                .forEach(p -> held.merge(p.channel(), 1, Integer::sum));
        return held;
    }

    private static Set<String> pausedChannels(LedgerState state) {
        return state.channels().values().stream().filter(ChannelRecord::paused).map(ChannelRecord::name)
                .collect(Collectors.toSet());
    }

    /** The counters equal the rows they count; permits and jobs point at each other. */
    private void checkBookkeeping(SemaphoreRecord s) {
        var permits = post.permits().values();
        var jobs = post.jobs().values();
        long held = permits.stream().filter(p -> p.state() == PermitRecord.State.HELD).count();
        assertThat((long) s.inUse()).as("inUse equals the held permits").isEqualTo(held);
        Map<String, Integer> perChannel = heldPerChannel(post);
        Set<String> channelNames = new LinkedHashSet<>(post.channels().keySet());
        channelNames.addAll(perChannel.keySet());
        for (String c : channelNames) {
            assertThat(ledger.channel(c).inUse()).as("channel %s inUse equals its held permits", c)
                    .isEqualTo(perChannel.getOrDefault(c, 0));
        }
        assertThat(s.waiting()).as("waiting counter").isEqualTo(jobs.stream().filter(j -> j.state() == JobState.WAITING).count());
        assertThat(s.inflight()).as("inflight counter").isEqualTo(jobs.stream().filter(j -> j.state() == JobState.INFLIGHT).count());
        assertThat(s.dead()).as("dead counter").isEqualTo(jobs.stream().filter(j -> j.state() == JobState.DEAD).count());

        Set<Long> waitingSeqs = new LinkedHashSet<>();
        for (JobRecord j : jobs) {
            assertThat(j.seq()).isLessThanOrEqualTo(s.lastSeq()).isGreaterThanOrEqualTo(j.originalSeq());
            if (j.isWaiter()) {
                assertThat(j.state()).as("a waiter row exists only while it waits").isEqualTo(JobState.WAITING);
            }
            if (j.state() == JobState.WAITING) {
                assertThat(waitingSeqs.add(j.seq())).as("seq %d is unique among waiting entries", j.seq()).isTrue();
            }
            if (j.state() == JobState.INFLIGHT) {
                PermitRecord p = post.permits().get(j.permitId());
                assertThat(p).as("inflight job %s holds its permit", j.id()).isNotNull();
                assertThat(p.state()).isEqualTo(PermitRecord.State.HELD);
                assertThat(p.holderId()).isEqualTo(j.id());
                assertThat(p.channel()).isEqualTo(j.channel());
            } else {
                assertThat(j.permitId()).as("job %s in state %s holds no permit", j.id(), j.state()).isNull();
            }
        }
        for (PermitRecord p : permits) {
            if (p.state() == PermitRecord.State.HELD && p.holderId() != null) {
                JobRecord holder = post.jobs().get(p.holderId());
                if (holder != null) {
                    assertThat(holder.state()).as("the job holding %s", p.id()).isEqualTo(JobState.INFLIGHT);
                    assertThat(holder.permitId()).isEqualTo(p.id());
                }
            }
        }
    }

    /** G6: every grant has a fresh token, larger than any before, and its id carries it. */
    private void checkFencing(SemaphoreRecord s, long tokenBefore, List<PermitRecord> grants) {
        assertThat(s.lastFencingToken() - tokenBefore).as("tokens issued match the permits granted").isEqualTo(grants.size());
        for (PermitRecord g : grants) {
            assertThat(g.fencingToken()).as("fencing tokens strictly increase").isGreaterThan(lastTokenSeen);
            lastTokenSeen = g.fencingToken();
            assertThat(PermitIds.tokenOf(g.id())).hasValue(g.fencingToken());
            assertThat(g.state()).isEqualTo(PermitRecord.State.HELD);
            assertThat(g.grantedAt()).isEqualTo(now);
        }
        for (PermitRecord p : post.permits().values()) {
            assertThat(p.fencingToken()).isLessThanOrEqualTo(s.lastFencingToken());
        }
    }

    /** G1: a step that grants leaves the gate and the channel within their limits, and never grants while paused. */
    private void checkSafety(SemaphoreRecord s, List<PermitRecord> grants) {
        if (grants.isEmpty()) {
            return;
        }
        SemaphoreConfig config = s.config();
        long unexpired = post.permits().values().stream()
                .filter(p -> p.state() == PermitRecord.State.HELD && (p.expiresAt() == null || p.expiresAt().isAfter(now)))
                .count();
        assertThat(unexpired).as("G1: unexpired permits within limit %d", config.limit()).isLessThanOrEqualTo(config.limit());
        assertThat(s.inUse()).as("G1: in use within limit").isLessThanOrEqualTo(config.limit());
        assertThat(config.paused()).as("G1: granted while the semaphore is paused").isFalse();
        Map<String, Integer> perChannel = heldPerChannel(post);
        for (PermitRecord g : grants) {
            assertThat(ledger.channel(g.channel()).paused()).as("granted on paused channel %s", g.channel()).isFalse();
            if (config.channelLimit() != null) {
                assertThat(perChannel.get(g.channel())).as("G1: channel %s within channelLimit", g.channel())
                        .isLessThanOrEqualTo(config.channelLimit());
            }
        }
    }

    /** G3/G4, against {@link QueueModel}. */
    private void checkOrder(SemaphoreRecord s, List<PermitRecord> grants) {
        List<String> waiterGrants = new ArrayList<>();
        List<String> claims = new ArrayList<>();
        List<PermitRecord> immediate = new ArrayList<>();
        for (PermitRecord g : grants) {
            JobRecord entry = g.holderId() == null ? null : asDispatched(g.holderId());
            if (g.holderId() == null) {
                immediate.add(g);
            } else if (entry == null) {
                fail("permit %s granted to %s, which was not waiting", g.id(), g.holderId());
            } else if (entry.isWaiter()) {
                waiterGrants.add(entry.id());
            } else {
                claims.add(entry.id());
            }
        }
        assertThat(machine.effects().waiterGrants().stream().map(Effects.WaiterGrant::waiterId).toList())
                .as("Effects.waiterGrants lists the waiters granted, in order").isEqualTo(waiterGrants);
        assertThat(machine.effects().waiterGrants().stream().map(w -> w.permit().id()).toList())
                .isEqualTo(grants.stream().filter(g -> waiterGrants.contains(g.holderId())).map(PermitRecord::id).toList());
        boolean webhook = s.config().delivery().isWebhook();
        // Whether the step ran a dispatch: one of the operations that do, which did something. (One that
        // dispatches and finds a job that fits grants it, so it does something.)
        boolean dispatched = step.refused == null && !post.equals(pre) && (DISPATCHING.contains(step.kind)
                || step.kind == Kind.DELIVERED && pre.semaphore() != null && pre.semaphore().config().delivery().releaseOnSuccess());
        if (webhook) {
            assertThat(step.claimed).isEmpty();
            for (String id : claims) {
                JobRecord granted = post.jobs().get(id);
                assertThat(granted.deliveredAt()).as("a job granted for delivery is owed its delivery").isNull();
                assertThat(post.permits().get(granted.permitId()).lease()).isEqualTo(s.config().leaseTimeout());
            }
            assertThat(claims.isEmpty() || machine.effects().deliveriesDue()).as("grants for delivery are announced").isTrue();
        } else {
            assertThat(claims).as("jobs granted only by claim, as returned")
                    .isEqualTo(step.claimed.stream().map(c -> c.job().id()).toList());
        }
        assertThat(immediate).as("an immediate grant comes only from the acquire itself")
                .isEqualTo(step.immediate == null ? List.of() : List.of(step.immediate));
        for (String w : waiterGrants) {
            PermitRecord p = post.permits().values().stream().filter(x -> w.equals(x.holderId())).findFirst().orElseThrow();
            Duration lease = Leases.effective(pre.jobs().get(w).lease(), s.config());
            assertThat(p.lease()).isEqualTo(lease);
            assertThat(p.channel()).isEqualTo(pre.jobs().get(w).channel());
        }

        if (!waiterGrants.isEmpty()) {
            event("grant:waiter-by-" + step.kind);
        }
        if (!claims.isEmpty()) {
            event(webhook ? "grant:delivery" : "grant:claim");
        }
        if (s.inUse() > s.config().limit()) {
            event("state:in-use-above-limit");
        }
        if (post.jobs().values().stream().anyMatch(j -> j.isWaiter() && !now.isBefore(j.deadline()))) {
            event("state:waiter-past-deadline");
        }

        // The state the step's dispatch ran on: the end state without this step's grants.
        Map<String, Integer> use = heldPerChannel(post);
        grants.forEach(g -> use.merge(g.channel(), -1, Integer::sum));
        List<JobRecord> entries = new ArrayList<>(post.jobs().values().stream()
                .filter(j -> j.state() == JobState.WAITING && !j.id().equals(step.newWaiter)).toList());
        waiterGrants.forEach(id -> entries.add(pre.jobs().get(id)));
        claims.forEach(id -> entries.add(asDispatched(id)));
        Set<String> paused = pausedChannels(post);
        QueueModel.Sim sim = QueueModel.simulate(s.config(), s.inUse() - grants.size(), use, paused, entries, now,
                step.refused == null ? step.claimMax : 0, dispatched);
        assertThat(waiterGrants).as("G4: the waiting acquires granted, in order").isEqualTo(sim.waiterGrants());
        if (webhook) {
            assertThat(claims).as("G4: the jobs granted for delivery, in order").isEqualTo(sim.deliveries());
        } else {
            assertThat(claims).as("G4: the jobs claimed, in order").isEqualTo(sim.claims());
        }
        if (step.acquireChannel != null && (step.refused == null || step.refused == ProblemCode.LIMIT_REACHED
                || step.refused == ProblemCode.PAUSED)) {
            ProblemCode expected = QueueModel.refusal(s.config(), paused, sim, step.acquireChannel);
            if (expected == ProblemCode.LIMIT_REACHED && sim.free() > 0) {
                event("acquire:refused-by-channel-limit");
            }
            if (!sim.reserved().isEmpty()) {
                event("acquire:" + (expected == null ? "granted" : "refused") + "-with-capacity-set-aside");
            }
            ProblemCode actual = step.immediate != null ? null
                    : step.kind == Kind.TRY ? step.refused : ProblemCode.LIMIT_REACHED;
            if (step.kind == Kind.WAIT && expected != null) {
                assertThat(step.newWaiter).as("a wait that cannot be granted now queues").isNotNull();
            } else {
                assertThat(actual).as("G4: %s on %s once the queue had its turn", step.kind, step.acquireChannel)
                        .isEqualTo(expected);
            }
        }

        // G3: no waiting acquire that fits is left waiting; on a webhook semaphore, after an operation
        // that dispatched, no job that fits either.
        QueueModel.Sim after = QueueModel.simulate(s.config(), s.inUse(), heldPerChannel(post), paused,
                post.jobs().values(), now, 0, false);
        assertThat(after.waiterGrants()).as("G3: waiting acquires that fit are granted at once").isEmpty();
        if (webhook && dispatched) {
            QueueModel.Sim due = QueueModel.simulate(s.config(), s.inUse(), heldPerChannel(post), paused,
                    post.jobs().values(), now, 0, true);
            assertThat(due.deliveries()).as("G3: jobs that fit are granted for delivery at once").isEmpty();
        }

        // G4 per channel: nothing granted past an older eligible entry of its channel, unless
        // that entry is a job with capacity set aside for it.
        for (PermitRecord g : grants) {
            JobRecord granted = g.holderId() == null ? null : asDispatched(g.holderId());
            for (JobRecord older : post.jobs().values()) {
                if (!older.channel().equals(g.channel()) || !QueueModel.eligible(older, now)
                        || (granted != null && InMemoryLedger.GRANT_ORDER.compare(older, granted) >= 0)) {
                    continue;
                }
                String what = (granted == null ? "an immediate acquire" : granted.id()) + " granted past older " + older.id();
                if (older.isWaiter() || (granted != null && !granted.isWaiter()) || webhook) {
                    fail("G4: " + what);   // on a webhook semaphore no job has capacity set aside: it is granted
                }
                assertThat(after.reserved()).as("G4: %s, which has no capacity set aside", what).contains(older.id());
                event("g4:granted-past-older-job-with-capacity-set-aside");
            }
        }
        step.note += grants.isEmpty() ? "" : " granted " + grants.stream().map(g -> Objects.requireNonNullElse(g.holderId(), "now"))
                .toList();
    }
}
