package dev.sluice.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LimitScheduleTest {

    @Test
    void raisingTheLimitGrantsTheQueueAtOnce() {
        // 15/s against 10 permits of 1 s: a backlog builds up (~5/s) until the limit rises to 20 at 300 s.
        Scenario s = Scenario.builder().rate(15).service("exp:1s").limitSchedule("0s:10,300s:20").duration(600).build();
        SimulationResult r = Simulator.run(s, Mode.ASYNC);
        Series ser = r.series();
        for (int i = 0; i < ser.size(); i++) {
            double start = ser.time()[i];
            double end = start + ser.bucketWidth();
            if (end <= 300) {
                assertThat(ser.inUseMax()[i]).as("bucket at %s s", start).isLessThanOrEqualTo(10);
                assertThat(ser.limit()[i]).isCloseTo(10.0, within(1e-9));
            } else if (start >= 300 && start < s.duration()) {
                assertThat(ser.limit()[i]).isCloseTo(20.0, within(1e-9));
            }
        }
        // The gate is full from the first instant of the raise while the backlog drains.
        int at = ser.bucketOf(300);
        assertThat(ser.inUseMax()[at]).isEqualTo(20.0);
        for (int i = at; i < ser.bucketOf(450); i++) {
            assertThat(ser.inUse()[i]).as("in use at %s s", ser.time()[i]).isCloseTo(20.0, within(1e-9));
        }
        assertThat(ser.waiting()[ser.bucketOf(299)]).isGreaterThan(1000);
        // Busy the whole run: utilization counts the raised limit as available.
        assertThat(r.figures().utilizationPct()).isGreaterThan(97.0).isLessThanOrEqualTo(100.0 + 1e-9);
    }

    @Test
    void utilizationFollowsARaisedLimit() {
        // Sync, Poisson 8/s, exp 1 s: limit 10 for 3,000 s then 20. Carried load is a·(1 − B(c, a)) in each
        // half, and available permit-seconds are 10·3000 + 20·(end − 3000). One long run: the standard error
        // of the utilization is ~0.3 percentage points, so 1.5 points is about 5 SE.
        Scenario s = Scenario.builder().rate(8).service("exp:1s").limitSchedule("0s:10,3000s:20").duration(6000).seed(3).build();
        Figures f = Simulator.run(s, Mode.SYNC).figures();
        double a = 8;
        double end = f.endTime();
        double used = a * (1 - Erlang.b(10, a)) * 3000 + a * (1 - Erlang.b(20, a)) * 3000;
        double available = 10 * 3000 + 20 * (end - 3000);
        assertThat(f.utilizationPct()).isCloseTo(100 * used / available, within(1.5));
        // ~50%: clearly not the 70% of a constant limit of 10, nor the 40% of a constant 20.
        assertThat(f.utilizationPct()).isBetween(45.0, 55.0);
        Series ser = Simulator.run(s, Mode.SYNC).series();
        double maxBefore = 0;
        double maxAfter = 0;
        for (int i = 0; i < ser.size(); i++) {
            if (ser.time()[i] + ser.bucketWidth() <= 3000) {
                maxBefore = Math.max(maxBefore, ser.inUseMax()[i]);
            } else if (ser.time()[i] >= 3000) {
                maxAfter = Math.max(maxAfter, ser.inUseMax()[i]);
            }
        }
        assertThat(maxBefore).isEqualTo(10.0);
        assertThat(maxAfter).isGreaterThan(15.0).isLessThanOrEqualTo(20.0);
    }

    @Test
    void loweringTheLimitRevokesNothingButGrantsNothingNewAboveIt() {
        Scenario s = Scenario.builder().rate(9).service("exp:1s").limitSchedule("0s:10,100s:5,200s:10").duration(300).seed(5).build();
        SimulationResult r = Simulator.run(s, Mode.ASYNC);
        Series ser = r.series();
        int at = ser.bucketOf(100.5);
        assertThat(ser.inUseMax()[at]).as("permits held across the cut are not revoked").isGreaterThan(5);
        int settled = -1;
        for (int i = at; i < ser.bucketOf(200); i++) {
            if (settled < 0 && ser.inUseMax()[i] <= 5) {
                settled = i;
            }
            if (settled >= 0) {
                assertThat(ser.inUseMax()[i]).as("bucket at %s s", ser.time()[i]).isLessThanOrEqualTo(5);
            }
        }
        assertThat(settled).isPositive();
        assertThat(ser.time()[settled]).isLessThan(130);
        // After 200 s the limit is back to 10 and the queue built meanwhile drains at once.
        assertThat(ser.inUseMax()[ser.bucketOf(200.5)]).isEqualTo(10.0);
        assertThat(r.figures().drainTime()).isFinite();
    }

    @Test
    void limitZeroClosesTheGate() {
        Scenario s = Scenario.builder().rate(5).service("fixed:1s").limitSchedule("0s:10,100s:0,200s:10").duration(300).build();
        SimulationResult r = Simulator.run(s, Mode.ASYNC);
        Series ser = r.series();
        for (int i = ser.bucketOf(102); i < ser.bucketOf(200); i++) {
            assertThat(ser.inUseMax()[i]).isZero();
        }
        assertThat(ser.waiting()[ser.bucketOf(199)]).isGreaterThan(400);
        assertThat(r.figures().rejected()).isZero();
        assertThat(r.figures().completed()).isEqualTo(r.figures().offered());
        // Sync rejects everything while the gate is closed.
        SimulationResult sync = Simulator.run(s, Mode.SYNC);
        long offered = 0;
        long rejected = 0;
        for (int i = ser.bucketOf(101); i < ser.bucketOf(199); i++) {
            offered += sync.series().arrivals()[i];
            rejected += sync.series().rejections()[i];
        }
        assertThat(rejected).isEqualTo(offered).isPositive();
    }

    @Test
    void aGateThatNeverOpensNeverDrains() {
        Scenario s = Scenario.builder().rate(5).limit(0).duration(60).build();
        Figures async = Simulator.run(s, Mode.ASYNC).figures();
        assertThat(async.completed()).isZero();
        assertThat(async.maxWaiting()).isEqualTo(async.offered());
        assertThat(async.drainTime()).isNaN();
        assertThat(async.waitMean()).isNaN();
        assertThat(async.utilizationPct()).isNaN();
        Figures sync = Simulator.run(s, Mode.SYNC).figures();
        assertThat(sync.rejectedPct()).isEqualTo(100.0);
        assertThat(JsonReport.render(null, Simulator.run(s, Mode.ASYNC))).contains("\"drainTime\": null", "\"waitMean\": null");
    }

    @Test
    void scheduleParsesAndAnswersLimitAt() {
        LimitSchedule l = LimitSchedule.parse("0s:10, 10m:20 ,PT1H:5");
        assertThat(l.limitAt(0)).isEqualTo(10);
        assertThat(l.limitAt(599.9)).isEqualTo(10);
        assertThat(l.limitAt(600)).isEqualTo(20);
        assertThat(l.limitAt(3600)).isEqualTo(5);
        assertThat(l.maxLimit()).isEqualTo(20);
        assertThat(l.spec()).isEqualTo("0s:10,10m:20,1h:5");
        assertThat(LimitSchedule.parse(l.spec())).isEqualTo(l);
        assertThat(LimitSchedule.parse("12")).isEqualTo(LimitSchedule.constant(12));
        assertThat(LimitSchedule.parse("0s:10,600s:20").steps()).containsExactly(
                new LimitSchedule.Step(0, 10), new LimitSchedule.Step(600, 20));
    }
}
