package dev.sluice.server.metrics;

import dev.sluice.core.Effects;
import dev.sluice.core.Effects.AcquireMode;
import dev.sluice.core.ProblemCode;
import dev.sluice.core.permit.PermitRecord;
import dev.sluice.core.semaphore.SemaphoreRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLongArray;

/** The meters of one label value of {@code semaphore}: one semaphore, or those folded into {@code _other}. */
final class SemaphoreSeries {
    static final int STATE_FIELDS = 6;
    private static final int IN_USE = 0, LIMIT = 1, WAITING = 2, INFLIGHT = 3, DEAD = 4, PAUSED = 5;

    private final MeterRegistry registry;
    private final String semaphore;
    private final AtomicLongArray state = new AtomicLongArray(STATE_FIELDS);
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();

    SemaphoreSeries(MeterRegistry registry, String semaphore) {
        this.registry = registry;
        this.semaphore = semaphore;
        gauge("sluice.permits.in.use", "Permits held now", IN_USE);
        gauge("sluice.permits.limit", "The most permits that may be held at once", LIMIT);
        gauge("sluice.jobs.waiting", "Queue entries waiting: jobs and waiting acquires", WAITING);
        gauge("sluice.jobs.inflight", "Jobs holding a permit", INFLIGHT);
        gauge("sluice.jobs.dead", "Jobs in the dead-letter list", DEAD);
        gauge("sluice.semaphore.paused", "1 while the semaphore is paused (for _other: how many are)", PAUSED);
        // the series an operator graphs first exist from the start, at zero
        acquire(AcquireMode.TRY, "granted", "none");
        acquire(AcquireMode.TRY, "rejected", ProblemCode.LIMIT_REACHED.wireName());
        counter("sluice.releases", "Permits handed back by their holders");
        counter("sluice.lease.expiries", "Permits reclaimed because their lease ran out");
    }

    private void gauge(String name, String help, int field) {
        meters.add(Gauge.builder(name, state, s -> s.get(field)).description(help)
                .tag("semaphore", semaphore).register(registry));
    }

    static long[] stateOf(SemaphoreRecord s) {
        long[] v = new long[STATE_FIELDS];
        v[IN_USE] = s.inUse();
        v[LIMIT] = s.config().limit();
        v[WAITING] = s.waiting();
        v[INFLIGHT] = s.inflight();
        v[DEAD] = s.dead();
        v[PAUSED] = s.config().paused() ? 1 : 0;
        return v;
    }

    void setState(long[] values) {
        for (int i = 0; i < STATE_FIELDS; i++) {
            state.set(i, values[i]);
        }
    }

    /** Adds {@code now - before} to the sums (for {@code _other}). */
    void addState(long[] now, long[] before) {
        for (int i = 0; i < STATE_FIELDS; i++) {
            state.addAndGet(i, now[i] - (before == null ? 0 : before[i]));
        }
    }

    void granted(Effects.Granted g) {
        acquire(g.mode(), "granted", "none").increment();
        if (g.mode() == AcquireMode.TRY) {
            return;   // a try never waits
        }
        Instant since = g.waitingSince() != null ? g.waitingSince() : g.permit().grantedAt();
        waitTimer(g.mode()).record(nonNegative(Duration.between(since, g.permit().grantedAt())));
    }

    void rejected(AcquireMode mode, ProblemCode reason) {
        acquire(mode, "rejected", reason.wireName()).increment();
    }

    void queued(Effects.Queued q) {
        if (q.mode() == AcquireMode.JOB) {
            counter("sluice.jobs.enqueued", "Jobs accepted into the queue").increment();
        }
    }

    void released(PermitRecord permit, Instant at) {
        counter("sluice.releases", "Permits handed back by their holders").increment();
        hold(permit, at);
    }

    void expired(PermitRecord permit, Instant at) {
        counter("sluice.lease.expiries", "Permits reclaimed because their lease ran out").increment();
        hold(permit, at);
    }

    void attemptEnded(Effects.AttemptOutcome outcome) {
        counters.computeIfAbsent("deliveries:" + outcome, k -> register(Counter.builder("sluice.deliveries")
                .description("Delivery attempts of jobs, by how they ended").tag("outcome", outcome.wireName()))).increment();
    }

    void deadLettered() {
        counter("sluice.jobs.dead.lettered", "Jobs moved to the dead-letter list").increment();
    }

    private void hold(PermitRecord permit, Instant at) {
        timers.computeIfAbsent("hold", k -> register(Timer.builder("sluice.hold")
                .description("How long permits were held: grant to release or reclaim")
                .serviceLevelObjectives(SluiceMetrics.BUCKETS)))
                .record(nonNegative(Duration.between(permit.grantedAt(), at)));
    }

    private Timer waitTimer(AcquireMode mode) {
        return timers.computeIfAbsent("wait:" + mode, k -> register(Timer.builder("sluice.wait")
                .description("How long granted entries waited: enqueue (or end of backoff) to grant")
                .tag("mode", mode.wireName()).serviceLevelObjectives(SluiceMetrics.BUCKETS)));
    }

    private Counter acquire(AcquireMode mode, String outcome, String reason) {
        return counters.computeIfAbsent("acquire:" + mode + ":" + outcome + ":" + reason, k -> register(Counter.builder("sluice.acquires")
                .description("Acquires by mode (try, wait, job) and outcome; reason says why one was rejected")
                .tags("mode", mode.wireName(), "outcome", outcome, "reason", reason)));
    }

    private Counter counter(String name, String help) {
        return counters.computeIfAbsent(name, k -> register(Counter.builder(name).description(help)));
    }

    private Counter register(Counter.Builder b) {
        Counter c = b.tag("semaphore", semaphore).register(registry);
        meters.add(c);
        return c;
    }

    private Timer register(Timer.Builder b) {
        Timer t = b.tag("semaphore", semaphore).register(registry);
        meters.add(t);
        return t;
    }

    private static Duration nonNegative(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }

    void remove(MeterRegistry from) {
        meters.forEach(from::remove);
        meters.clear();
    }
}
