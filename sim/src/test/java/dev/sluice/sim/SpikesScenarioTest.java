package dev.sluice.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The classic picture, with the spikes preset (5/s base, +20/s for 10 s every minute, limit 10, mean service
 * 1 s): without a queue the bursts are largely rejected; with one nothing is rejected and the gate stays full
 * after each burst while the backlog drains.
 */
class SpikesScenarioTest {

    private static Scenario scenario;
    private static ArrivalProcess.Spikes spikes;
    private static SimulationResult sync;
    private static SimulationResult async;
    private static int bursts;

    @BeforeAll
    static void run() {
        scenario = Scenario.spikes();
        spikes = (ArrivalProcess.Spikes) scenario.arrival();
        sync = Simulator.run(scenario, Mode.SYNC);
        async = Simulator.run(scenario, Mode.ASYNC);
        bursts = 0;
        while (spikes.burstEnd(bursts) <= scenario.duration()) {
            bursts++;
        }
    }

    @Test
    void presetIsTheDocumentedOne() {
        assertThat(spikes).isEqualTo(new ArrivalProcess.Spikes(5, 60, 10, 20, 5));
        assertThat(scenario.limit().spec()).isEqualTo("10");
        assertThat(scenario.service().spec()).isEqualTo("exp:1s");
        assertThat(scenario.duration()).isEqualTo(600.0);
        assertThat(bursts).isEqualTo(10);
        // The series buckets (2 s) line up with the bursts (30 s + 60 s·k, 10 s long).
        assertThat(sync.series().bucketWidth()).isEqualTo(2.0);
    }

    @Test
    void syncRejectsALargeShareDuringPeaksAndLittleBetween() {
        Series s = sync.series();
        long inBurstArrivals = 0;
        long inBurstRejections = 0;
        long totalRejections = 0;
        for (int i = 0; i < s.size(); i++) {
            totalRejections += s.rejections()[i];
            if (inBurst(s.time()[i] + s.bucketWidth() / 2)) {
                inBurstArrivals += s.arrivals()[i];
                inBurstRejections += s.rejections()[i];
            }
        }
        double peakShare = (double) inBurstRejections / inBurstArrivals;
        assertThat(peakShare).as("share rejected during bursts").isGreaterThan(0.5);
        assertThat((double) inBurstRejections / totalRejections).as("rejections that fall in bursts").isGreaterThan(0.9);
        assertThat(sync.figures().rejectedPct()).isBetween(20.0, 45.0);
        // And every single burst hurts.
        for (int k = 0; k < bursts; k++) {
            long rej = 0;
            for (int i = s.bucketOf(spikes.burstStart(k)); i < s.bucketOf(spikes.burstEnd(k)); i++) {
                rej += s.rejections()[i];
            }
            assertThat(rej).as("rejections in burst %d", k).isGreaterThan(30);
        }
    }

    @Test
    void asyncRejectsNothingAndQueuesTheBursts() {
        Figures f = async.figures();
        assertThat(f.rejected()).isZero();
        assertThat(f.rejectedPct()).isZero();
        assertThat(f.completed()).isEqualTo(f.offered());
        assertThat(f.offered()).isEqualTo(sync.figures().offered());
        assertThat(f.maxWaiting()).isGreaterThan(100);
        assertThat(f.waitP99()).isGreaterThan(10.0);
        assertThat(f.utilizationPct()).isGreaterThan(sync.figures().utilizationPct() + 15);
        for (long r : async.series().rejections()) {
            assertThat(r).isZero();
        }
    }

    @Test
    void asyncKeepsTheGateFullAfterEachPeak() {
        Series s = async.series();
        int limit = 10;
        double totalFull = 0;
        for (int k = 0; k < bursts; k++) {
            // Consecutive buckets from the end of the burst in which the permits were in use all the time.
            int i = s.bucketOf(spikes.burstEnd(k));
            int full = 0;
            while (i + full < s.size() && s.inUse()[i + full] >= limit - 1e-9) {
                full++;
            }
            double seconds = full * s.bucketWidth();
            totalFull += seconds;
            assertThat(seconds).as("gate full after burst %d", k).isGreaterThanOrEqualTo(8.0);
            // Sync has no backlog: right after the burst the gate is far from full on average.
            Series ss = sync.series();
            double syncMean = 0;
            int n = 0;
            for (int j = i + 2; j < Math.min(i + 12, ss.size()); j++) {
                syncMean += ss.inUse()[j];
                n++;
            }
            syncMean /= n;
            assertThat(syncMean).as("sync in-use after burst %d", k).isLessThan(0.85 * limit);
            // Never above the limit.
            for (int j = 0; j < s.size(); j++) {
                assertThat(s.inUseMax()[j]).isLessThanOrEqualTo(limit);
            }
        }
        assertThat(totalFull / bursts).as("mean seconds of full gate after a burst").isGreaterThan(20.0);
    }

    @Test
    void asyncQueueUsuallyEmptiesBetweenBursts() {
        // 50 s between bursts drain a backlog of ~150 at 5/s; a burst well above the mean amplitude (they are
        // random) may still be draining when the next one starts, as burst 5 (from 0, at 5:30) with this seed.
        Series s = async.series();
        int drained = 0;
        for (int k = 0; k + 1 < bursts; k++) {
            double minWaitingBeforeNext = Double.MAX_VALUE;
            for (int i = s.bucketOf(spikes.burstEnd(k)); i < s.bucketOf(spikes.burstStart(k + 1)); i++) {
                minWaitingBeforeNext = Math.min(minWaitingBeforeNext, s.waiting()[i]);
            }
            if (minWaitingBeforeNext < 1.0) {
                drained++;
            }
        }
        assertThat(drained).isGreaterThanOrEqualTo(bursts - 3);
        // And after the last burst it drains completely.
        assertThat(async.figures().drainTime()).isFinite();
        assertThat(s.waiting()[s.size() - 1]).isLessThan(1.0);
    }

    private static boolean inBurst(double t) {
        for (int k = 0; k < bursts; k++) {
            if (t >= spikes.burstStart(k) && t < spikes.burstEnd(k)) {
                return true;
            }
        }
        return false;
    }
}
