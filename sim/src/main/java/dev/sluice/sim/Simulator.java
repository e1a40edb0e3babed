package dev.sluice.sim;

import java.util.Arrays;
import java.util.List;

/**
 * A deterministic discrete-event simulation of one semaphore.
 *
 * <p>Events are arrivals (generated one at a time from the {@link ArrivalProcess}), limit changes (from the
 * {@link LimitSchedule}), service completions and, in sync mode, retries. Completions and retries sit in a
 * binary min-heap held in parallel primitive arrays, ordered by time and then by insertion; the next arrival
 * and the next limit change are kept aside. At equal times a completion or retry goes first, then a limit
 * change, then an arrival. Nothing is allocated per event, so a million arrivals take well under a second
 * or two.
 *
 * <p>Each request's service time is drawn when it arrives, from a stream of its own, so the sync and async
 * runs of one scenario see the same arrivals with the same service times (common random numbers).
 */
public final class Simulator {

    private Simulator() {
    }

    /** Runs {@code scenario} in {@code mode}. */
    public static SimulationResult run(Scenario scenario, Mode mode) {
        return new Run(scenario, mode).execute();
    }

    private static final class Run {
        private static final double INF = Double.POSITIVE_INFINITY;

        private final Scenario scenario;
        private final Mode mode;
        private final boolean async;
        private final int maxRetries;
        private final double backoff;
        private final double maxBackoff;
        private final ServiceTime service;
        private final Rng serviceRng;
        private final Rng jitterRng;

        // Semaphore state.
        private int inUse;
        private int limit;

        // FIFO queue (async): a ring buffer of arrival times and service times.
        private double[] qArrival = new double[1024];
        private double[] qService = new double[1024];
        private int qHead;
        private int qSize;

        // Event heap: completions (attempt == 0) and retries (attempt = retry number, from 1).
        private double[] hTime = new double[256];
        private long[] hSeq = new long[256];
        private int[] hAttempt = new int[256];
        private double[] hArrival = new double[256];
        private double[] hService = new double[256];
        private int hSize;
        private long seq;

        // Counters.
        private long offered;
        private long completed;
        private long rejected;
        private long attempts;
        private long maxWaiting;
        private double lastArrival;
        private double lastDone;
        private double[] waits = new double[4096];
        private int nWaits;

        // Series recorder: equal buckets of `width` seconds; compacted pairwise when there are too many.
        private final int targetBuckets;
        private double width;
        private int cur;
        private double curEnd;
        private double lastT;
        private double usedTotal;
        private double availableTotal;
        private double[] sInUse;
        private double[] sLimit;
        private double[] sWaiting;
        private double[] sSpan;
        private double[] sInUseMax;
        private double[] sWaitingMax;
        private long[] sArrivals;
        private long[] sRejections;
        private long[] sRetries;

        Run(Scenario scenario, Mode mode) {
            this.scenario = scenario;
            this.mode = mode;
            this.async = mode == Mode.ASYNC;
            this.maxRetries = async ? 0 : scenario.retries();
            this.backoff = scenario.retryBackoff();
            this.maxBackoff = scenario.retryMaxBackoff();
            this.service = scenario.service();
            this.serviceRng = Rng.stream(scenario.seed(), 2);
            this.jitterRng = Rng.stream(scenario.seed(), 3);
            this.targetBuckets = scenario.buckets();
            this.width = scenario.duration() / targetBuckets;
            this.curEnd = width;
            int cap = 2 * targetBuckets + 2;
            sInUse = new double[cap];
            sLimit = new double[cap];
            sWaiting = new double[cap];
            sSpan = new double[cap];
            sInUseMax = new double[cap];
            sWaitingMax = new double[cap];
            sArrivals = new long[cap];
            sRejections = new long[cap];
            sRetries = new long[cap];
        }

        SimulationResult execute() {
            double duration = scenario.duration();
            List<LimitSchedule.Step> steps = scenario.limit().steps();
            int nSteps = steps.size();
            double[] stepAt = new double[nSteps];
            int[] stepLimit = new int[nSteps];
            for (int i = 0; i < nSteps; i++) {
                stepAt[i] = steps.get(i).at();
                stepLimit[i] = steps.get(i).limit();
            }
            limit = stepLimit[0];
            int li = 1;

            ArrivalProcess.ArrivalStream arrivals = scenario.arrival().stream(scenario.seed(), duration);
            double nextArrival = arrivals.next();
            double t = 0;
            while (true) {
                double tHeap = hSize > 0 ? hTime[0] : INF;
                double tLimit = li < nSteps ? stepAt[li] : INF;
                if (hSize == 0 && nextArrival == INF && (qSize == 0 || tLimit == INF)) {
                    break; // drained, or work waits behind a limit of 0 that never rises again
                }
                if (tHeap <= tLimit && tHeap <= nextArrival) {
                    t = tHeap;
                    advance(t);
                    int attempt = hAttempt[0];
                    double arrival = hArrival[0];
                    double svc = hService[0];
                    pop();
                    if (attempt == 0) {
                        complete(t);
                    } else {
                        retry(t, arrival, svc, attempt);
                    }
                } else if (tLimit <= nextArrival) {
                    t = tLimit;
                    advance(t);
                    limit = stepLimit[li++];
                    if (async) {
                        dispatch(t);
                    }
                } else {
                    t = nextArrival;
                    advance(t);
                    arrive(t);
                    nextArrival = arrivals.next();
                }
                touch();
            }
            boolean drained = qSize == 0;
            double end = Math.max(duration, t);
            // Limit steps after the work is done still shape the series and the available permit-seconds.
            while (li < nSteps && stepAt[li] < end) {
                advance(stepAt[li]);
                limit = stepLimit[li++];
                touch();
            }
            advance(end);
            return new SimulationResult(mode, figures(end, drained), series());
        }

        // ---- the semaphore ----

        private void arrive(double t) {
            offered++;
            attempts++;
            sArrivals[cur]++;
            lastArrival = t;
            double svc = service.sample(serviceRng);
            if (async) {
                if (qSize == 0 && inUse < limit) {
                    grant(t, t, svc);
                } else {
                    enqueue(t, svc);
                }
            } else if (inUse < limit) {
                grant(t, t, svc);
            } else if (maxRetries > 0) {
                scheduleRetry(t, t, svc, 1);
            } else {
                reject(t);
            }
        }

        private void retry(double t, double arrival, double svc, int attempt) {
            attempts++;
            if (inUse < limit) {
                grant(t, arrival, svc);
            } else if (attempt < maxRetries) {
                scheduleRetry(t, arrival, svc, attempt + 1);
            } else {
                reject(t);
            }
        }

        /** Full jitter: a uniform delay in [0, min(cap, base·2^(n-1))). */
        private void scheduleRetry(double t, double arrival, double svc, int attempt) {
            sRetries[cur]++;
            double ceiling = Math.min(maxBackoff, Math.scalb(backoff, Math.min(attempt - 1, 1000)));
            push(t + jitterRng.nextDouble() * ceiling, arrival, svc, attempt);
        }

        private void reject(double t) {
            rejected++;
            sRejections[cur]++;
            if (t > lastDone) {
                lastDone = t;
            }
        }

        private void grant(double t, double arrival, double svc) {
            inUse++;
            if (nWaits == waits.length) {
                waits = Arrays.copyOf(waits, nWaits * 2);
            }
            waits[nWaits++] = t - arrival;
            push(t + svc, 0, 0, 0);
        }

        private void complete(double t) {
            inUse--;
            completed++;
            if (t > lastDone) {
                lastDone = t;
            }
            if (async) {
                dispatch(t);
            }
        }

        /** Grants the oldest waiting requests while permits are free. */
        private void dispatch(double t) {
            int mask = qArrival.length - 1;
            while (qSize > 0 && inUse < limit) {
                double arrival = qArrival[qHead];
                double svc = qService[qHead];
                qHead = (qHead + 1) & mask;
                qSize--;
                grant(t, arrival, svc);
            }
        }

        private void enqueue(double arrival, double svc) {
            if (qSize == qArrival.length) {
                int n = qArrival.length;
                double[] a = new double[n * 2];
                double[] s = new double[n * 2];
                for (int i = 0; i < n; i++) {
                    a[i] = qArrival[(qHead + i) & (n - 1)];
                    s[i] = qService[(qHead + i) & (n - 1)];
                }
                qArrival = a;
                qService = s;
                qHead = 0;
            }
            int tail = (qHead + qSize) & (qArrival.length - 1);
            qArrival[tail] = arrival;
            qService[tail] = svc;
            qSize++;
            if (qSize > maxWaiting) {
                maxWaiting = qSize;
            }
        }

        // ---- the event heap ----

        private void push(double time, double arrival, double svc, int attempt) {
            if (hSize == hTime.length) {
                int n = hSize * 2;
                hTime = Arrays.copyOf(hTime, n);
                hSeq = Arrays.copyOf(hSeq, n);
                hAttempt = Arrays.copyOf(hAttempt, n);
                hArrival = Arrays.copyOf(hArrival, n);
                hService = Arrays.copyOf(hService, n);
            }
            long s = seq++;
            int i = hSize++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (hTime[parent] < time || (hTime[parent] == time && hSeq[parent] < s)) {
                    break;
                }
                move(parent, i);
                i = parent;
            }
            hTime[i] = time;
            hSeq[i] = s;
            hAttempt[i] = attempt;
            hArrival[i] = arrival;
            hService[i] = svc;
        }

        private void pop() {
            int last = --hSize;
            if (last == 0) {
                return;
            }
            double time = hTime[last];
            long s = hSeq[last];
            int attempt = hAttempt[last];
            double arrival = hArrival[last];
            double svc = hService[last];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= last) {
                    break;
                }
                int right = child + 1;
                if (right < last && (hTime[right] < hTime[child] || (hTime[right] == hTime[child] && hSeq[right] < hSeq[child]))) {
                    child = right;
                }
                if (time < hTime[child] || (time == hTime[child] && s < hSeq[child])) {
                    break;
                }
                move(child, i);
                i = child;
            }
            hTime[i] = time;
            hSeq[i] = s;
            hAttempt[i] = attempt;
            hArrival[i] = arrival;
            hService[i] = svc;
        }

        private void move(int from, int to) {
            hTime[to] = hTime[from];
            hSeq[to] = hSeq[from];
            hAttempt[to] = hAttempt[from];
            hArrival[to] = hArrival[from];
            hService[to] = hService[from];
        }

        // ---- the series recorder ----

        /** Accounts the current state (constant since the previous event) up to time {@code t}. */
        private void advance(double t) {
            while (t >= curEnd) { // an event exactly on a boundary belongs to the later bucket
                accumulate(curEnd - lastT);
                lastT = curEnd;
                cur++;
                if (cur == sSpan.length) {
                    // The capacity is even, so the new bucket `cur` starts a merged bucket.
                    compact(cur);
                    cur /= 2;
                }
                curEnd = (cur + 1) * width;
                sInUseMax[cur] = inUse;
                sWaitingMax[cur] = qSize;
            }
            accumulate(t - lastT);
            lastT = t;
        }

        private void accumulate(double dt) {
            double used = inUse * dt;
            double available = limit * dt;
            sInUse[cur] += used;
            sLimit[cur] += available;
            sWaiting[cur] += qSize * dt;
            sSpan[cur] += dt;
            usedTotal += used;
            availableTotal += available;
        }

        /** Records the state after an event in the current bucket's maxima. */
        private void touch() {
            if (inUse > sInUseMax[cur]) {
                sInUseMax[cur] = inUse;
            }
            if (qSize > sWaitingMax[cur]) {
                sWaitingMax[cur] = qSize;
            }
        }

        /** Merges buckets {@code 0..n-1} pairwise, doubling the width; returns the number of merged buckets. */
        private int compact(int n) {
            int half = (n + 1) / 2;
            for (int i = 0; i < half; i++) {
                int a = 2 * i;
                int b = a + 1;
                boolean hasB = b < n;
                sInUse[i] = sInUse[a] + (hasB ? sInUse[b] : 0);
                sLimit[i] = sLimit[a] + (hasB ? sLimit[b] : 0);
                sWaiting[i] = sWaiting[a] + (hasB ? sWaiting[b] : 0);
                sSpan[i] = sSpan[a] + (hasB ? sSpan[b] : 0);
                sInUseMax[i] = Math.max(sInUseMax[a], hasB ? sInUseMax[b] : 0);
                sWaitingMax[i] = Math.max(sWaitingMax[a], hasB ? sWaitingMax[b] : 0);
                sArrivals[i] = sArrivals[a] + (hasB ? sArrivals[b] : 0);
                sRejections[i] = sRejections[a] + (hasB ? sRejections[b] : 0);
                sRetries[i] = sRetries[a] + (hasB ? sRetries[b] : 0);
            }
            for (double[] arr : new double[][] {sInUse, sLimit, sWaiting, sSpan, sInUseMax, sWaitingMax}) {
                Arrays.fill(arr, half, arr.length, 0);
            }
            for (long[] arr : new long[][] {sArrivals, sRejections, sRetries}) {
                Arrays.fill(arr, half, arr.length, 0);
            }
            width *= 2;
            return half;
        }

        private Series series() {
            int n = cur + 1;
            if (n > 1 && sSpan[n - 1] == 0) {
                // The run ended exactly on a bucket boundary: fold what happened at that instant into the last bucket.
                int last = n - 1;
                sInUseMax[last - 1] = Math.max(sInUseMax[last - 1], sInUseMax[last]);
                sWaitingMax[last - 1] = Math.max(sWaitingMax[last - 1], sWaitingMax[last]);
                sArrivals[last - 1] += sArrivals[last];
                sRejections[last - 1] += sRejections[last];
                sRetries[last - 1] += sRetries[last];
                n--;
            }
            if (n > targetBuckets * 3 / 2) {
                // Merge once more so the series stays within about 0.75–1.5 × the target number of points.
                n = compact(n);
            }
            double[] time = new double[n];
            double[] inUseMean = new double[n];
            double[] limitMean = new double[n];
            double[] waitingMean = new double[n];
            for (int i = 0; i < n; i++) {
                time[i] = i * width;
                double span = sSpan[i];
                inUseMean[i] = span > 0 ? sInUse[i] / span : 0;
                limitMean[i] = span > 0 ? sLimit[i] / span : 0;
                waitingMean[i] = span > 0 ? sWaiting[i] / span : 0;
            }
            return new Series(width, time, inUseMean, Arrays.copyOf(sInUseMax, n), limitMean, waitingMean,
                    Arrays.copyOf(sWaitingMax, n), Arrays.copyOf(sArrivals, n), Arrays.copyOf(sRejections, n),
                    Arrays.copyOf(sRetries, n));
        }

        // ---- figures ----

        private Figures figures(double end, boolean drained) {
            double[] w = Arrays.copyOf(waits, nWaits);
            Arrays.sort(w);
            double sum = 0;
            for (double x : w) {
                sum += x;
            }
            double mean = nWaits > 0 ? sum / nWaits : Double.NaN;
            double rejectedPct = offered > 0 ? 100.0 * rejected / offered : 0;
            double utilization = availableTotal > 0 ? 100.0 * usedTotal / availableTotal : Double.NaN;
            double drain = !drained ? Double.NaN : offered == 0 ? 0 : Math.max(0, lastDone - lastArrival);
            return new Figures(offered, completed, rejected, rejectedPct, utilization, mean,
                    percentile(w, 0.50), percentile(w, 0.95), percentile(w, 0.99), maxWaiting, drain, attempts, end);
        }

        /** Nearest-rank percentile of sorted values. */
        private static double percentile(double[] sorted, double q) {
            if (sorted.length == 0) {
                return Double.NaN;
            }
            int rank = (int) Math.ceil(q * sorted.length);
            return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
        }
    }
}
