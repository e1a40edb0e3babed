package dev.sluice.cli.simulate;

import dev.sluice.cli.remote.Progress;
import dev.sluice.client.JobRef;
import dev.sluice.client.Permit;
import dev.sluice.client.Semaphore;
import dev.sluice.client.SemaphoreConfig;
import dev.sluice.client.SluiceException;
import dev.sluice.client.Sluice;
import dev.sluice.client.Worker;
import dev.sluice.sim.ArrivalProcess;
import dev.sluice.sim.Figures;
import dev.sluice.sim.LimitSchedule;
import dev.sluice.sim.Mode;
import dev.sluice.sim.Rng;
import dev.sluice.sim.Scenario;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code sluice simulate --live URL}: replays a scenario against a running server, time-compressed
 * by {@code speed}, with real clients on the SDK, and measures the figures the simulator models.
 *
 * <p>The arrivals and each request's service time are the simulator's own (the same streams of
 * the same seed), so the measured run sees exactly the modelled workload. Each mode runs on a
 * fresh semaphore ({@code sim-live-…}, deleted afterwards) with the scenario's limit schedule:
 * <ul>
 *   <li><b>sync</b>: each arrival tries to acquire; granted, it holds the permit for its service
 *       time; refused, it retries with the scenario's backoff (full jitter) or is rejected;</li>
 *   <li><b>async</b>: each arrival submits a job; a {@link Worker} (concurrency: the highest limit)
 *       holds each job's permit for its service time.</li>
 * </ul>
 * Waits run from the moment a request is sent to the moment it holds a permit, so they include the
 * network and the server; all times are scaled back to modelled seconds.
 */
final class LiveRun {
    private static final Duration POLL = Duration.ofSeconds(1);

    /** One arrival: when (modelled seconds from the start) and how long it holds a permit. */
    record Arrival(double at, double service) {
    }

    /** Measured figures, and the most permits held at once by this run's clients. */
    record Measured(Figures figures, int peakInUse) {
    }

    private final Sluice sluice;
    private final Scenario scenario;
    private final double speed;
    private final PrintWriter err;
    private final List<Arrival> arrivals;

    LiveRun(Sluice sluice, Scenario scenario, double speed, PrintWriter err) {
        this.sluice = sluice;
        this.scenario = scenario;
        this.speed = speed;
        this.err = err;
        this.arrivals = schedule(scenario);
    }

    /** The simulator's arrivals and service times for this scenario (the same random streams it uses). */
    static List<Arrival> schedule(Scenario s) {
        ArrivalProcess.ArrivalStream stream = s.arrival().stream(s.seed(), s.duration());
        Rng serviceRng = Rng.stream(s.seed(), 2);
        List<Arrival> out = new ArrayList<>();
        for (double t = stream.next(); t != Double.POSITIVE_INFINITY; t = stream.next()) {
            out.add(new Arrival(t, s.service().sample(serviceRng)));
        }
        return out;
    }

    int arrivals() {
        return arrivals.size();
    }

    Measured run(Mode mode) throws InterruptedException {
        String name = "sim-live-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + "-" + mode.label();
        Semaphore semaphore = sluice.semaphore(name);
        List<LimitSchedule.Step> steps = scenario.limit().steps();
        semaphore.create(SemaphoreConfig.ofLimit(steps.getFirst().limit()));
        try {
            return new Pass(semaphore, mode).execute();
        } finally {
            try {
                semaphore.delete(true);
            } catch (SluiceException e) {
                err.println("sluice: could not delete the semaphore " + name + ": " + e.getMessage());
            }
        }
    }

    /** One mode's replay: the state its clients share. */
    private final class Pass {
        private final Semaphore semaphore;
        private final Mode mode;
        private final int n = arrivals.size();
        private final long startNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        private final long[] sentAt = new long[n];
        private final double[] waits = new double[n];
        private final AtomicInteger granted = new AtomicInteger();
        private final AtomicLong completed = new AtomicLong();
        private final AtomicLong rejected = new AtomicLong();
        private final AtomicLong attempts = new AtomicLong();
        private final AtomicLong started = new AtomicLong();
        private final AtomicLong sent = new AtomicLong();
        private final AtomicLong maxWaiting = new AtomicLong();
        private final AtomicInteger inUse = new AtomicInteger();
        private final AtomicInteger peakInUse = new AtomicInteger();
        private final AtomicLong usedNanos = new AtomicLong();
        private final AtomicLong lastDoneNanos = new AtomicLong();
        private final CountDownLatch finished = new CountDownLatch(n);
        private final List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());

        Pass(Semaphore semaphore, Mode mode) {
            this.semaphore = semaphore;
            this.mode = mode;
        }

        Measured execute() throws InterruptedException {
            Thread limits = Thread.ofVirtual().name("sim-live-limits").start(this::followLimitSchedule);
            Worker worker = mode == Mode.ASYNC ? sluice.worker(semaphore.name(), job -> {
                        int i = job.payload().get("i").asInt();
                        hold(i);
                    }).concurrency(Math.max(1, scenario.limit().steps().stream().mapToInt(LimitSchedule.Step::limit).max().orElse(1)))
                    .pollWait(POLL).onError(e -> errors.add(e.getMessage())).start() : null;
            Progress progress = Progress.of(err, mode.label() + " arrivals replayed", n);
            try {
                for (int i = 0; i < n; i++) {
                    sleepUntil(at(arrivals.get(i).at()));
                    int request = i;
                    sentAt[i] = System.nanoTime();
                    if (mode == Mode.ASYNC) {
                        maxWaiting.accumulateAndGet(sent.incrementAndGet() - started.get(), Math::max);
                        attempts.incrementAndGet();
                        semaphore.submitAsync(Map.of("i", i)).whenComplete((JobRef ref, Throwable e) -> {
                            if (e != null) {
                                errors.add("submit: " + e.getMessage());
                                finished.countDown();
                            }
                        });
                    } else {
                        Thread.ofVirtual().start(() -> trySync(request));
                    }
                    progress.step();
                }
                progress.finish();
                // everything was sent; wait for it to finish (bounded: a stuck server must not hang the command)
                long drainBound = (long) (scenario.duration() / speed * 2_000) + 60_000;
                if (!finished.await(drainBound, TimeUnit.MILLISECONDS)) {
                    err.println("sluice: the " + mode.label() + " run did not drain within " + drainBound / 1000
                            + " s; the figures cover what finished");
                }
            } finally {
                progress.finish();
                limits.interrupt();
                if (worker != null) {
                    worker.close();
                }
            }
            if (!errors.isEmpty()) {
                err.println("sluice: " + errors.size() + " request(s) of the " + mode.label() + " run failed, e.g.: "
                        + errors.getFirst());
            }
            return new Measured(figures(), peakInUse.get());
        }

        /** Sync: try now; refused, retry after a jittered backoff, or give up. */
        private void trySync(int i) {
            try {
                for (int attempt = 0; ; attempt++) {
                    attempts.incrementAndGet();
                    var permit = semaphore.tryAcquire();
                    if (permit.isPresent()) {
                        try (Permit p = permit.get()) {
                            hold(i);
                        }
                        return;
                    }
                    if (attempt >= scenario.retries()) {
                        rejected.incrementAndGet();
                        lastDoneNanos.accumulateAndGet(System.nanoTime(), Math::max);
                        finished.countDown();
                        return;
                    }
                    double ceiling = Math.min(scenario.retryMaxBackoff(), Math.scalb(scenario.retryBackoff(), attempt));
                    sleepUntil(System.nanoTime() + nanos(ThreadLocalRandom.current().nextDouble() * ceiling));
                }
            } catch (SluiceException e) {
                errors.add(e.getMessage());
                finished.countDown();
            }
        }

        /** Holds the permit (of a try, or of a claimed job) for the request's service time. */
        private void hold(int i) {
            long grantedAt = System.nanoTime();
            started.incrementAndGet();
            int k = granted.getAndIncrement();
            if (k < waits.length) { // a job delivered twice (after a lost lease) is measured once
                waits[k] = (grantedAt - sentAt[i]) * speed / 1e9;
            }
            peakInUse.accumulateAndGet(inUse.incrementAndGet(), Math::max);
            try {
                sleepUntil(grantedAt + nanos(arrivals.get(i).service()));
            } finally {
                long done = System.nanoTime();
                inUse.decrementAndGet();
                usedNanos.addAndGet(done - grantedAt);
                lastDoneNanos.accumulateAndGet(done, Math::max);
                completed.incrementAndGet();
                finished.countDown();
            }
        }

        private void followLimitSchedule() {
            List<LimitSchedule.Step> steps = scenario.limit().steps();
            for (LimitSchedule.Step step : steps.subList(1, steps.size())) {
                sleepUntil(at(step.at()));
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                try {
                    semaphore.setLimit(step.limit());
                } catch (SluiceException e) {
                    errors.add("limit change: " + e.getMessage());
                }
            }
        }

        private Figures figures() {
            int g = Math.min(granted.get(), waits.length);
            double[] w = Arrays.copyOf(waits, g);
            Arrays.sort(w);
            double mean = g == 0 ? Double.NaN : Arrays.stream(w).sum() / g;
            double lastArrival = arrivals.isEmpty() ? 0 : arrivals.getLast().at();
            double lastDone = lastDoneNanos.get() == 0 ? 0 : (lastDoneNanos.get() - startNanos) * speed / 1e9;
            double end = Math.max(scenario.duration(), lastDone);
            double available = permitSeconds(end);
            double used = usedNanos.get() * speed / 1e9;
            boolean drained = finished.getCount() == 0;
            return new Figures(n, completed.get(), rejected.get(), n == 0 ? 0 : 100.0 * rejected.get() / n,
                    available > 0 ? 100.0 * used / available : Double.NaN, mean,
                    percentile(w, 0.50), percentile(w, 0.95), percentile(w, 0.99),
                    mode == Mode.ASYNC ? maxWaiting.get() : 0,
                    drained ? Math.max(0, lastDone - lastArrival) : Double.NaN, attempts.get(), end);
        }

        /** The integral of the limit schedule over [0, end], in permit-seconds. */
        private double permitSeconds(double end) {
            List<LimitSchedule.Step> steps = scenario.limit().steps();
            double total = 0;
            for (int k = 0; k < steps.size(); k++) {
                double from = steps.get(k).at();
                double to = k + 1 < steps.size() ? Math.min(end, steps.get(k + 1).at()) : end;
                if (to > from) {
                    total += (to - from) * steps.get(k).limit();
                }
            }
            return total;
        }

        private long at(double modelledSeconds) {
            return startNanos + nanos(modelledSeconds);
        }
    }

    /** Modelled seconds as real nanoseconds. */
    private long nanos(double modelledSeconds) {
        return (long) (modelledSeconds / speed * 1e9);
    }

    private static void sleepUntil(long deadlineNanos) {
        long left;
        while ((left = deadlineNanos - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
        }
    }

    /** Nearest-rank percentile of sorted values, as the simulator computes it. */
    private static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
