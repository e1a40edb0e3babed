package dev.sluice.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The bucketed series add up to the figures, also when a long drain forces buckets to be merged. */
class SeriesTest {

    @ParameterizedTest(name = "rate {0}/s, limit {1}, {2}, {3} s")
    @CsvSource({
        "8, 10, exp:1s, 600",      // drains at once: one bucket per 2 s
        "40, 10, fixed:1s, 100",   // backlog of 3,000: the run lasts 4× the duration, buckets merged once or twice
        "100, 1, fixed:1s, 10",    // 1,000 requests through one permit: ~100× the duration, merged many times
    })
    void seriesAddUpToTheFigures(double rate, int limit, String service, double duration) {
        Scenario s = Scenario.builder().rate(rate).limit(limit).service(service).duration(duration).seed(4).build();
        for (Mode mode : Mode.values()) {
            SimulationResult r = Simulator.run(s, mode);
            Series ser = r.series();
            Figures f = r.figures();
            assertThat(ser.size()).as("points").isBetween(200, 460);
            double w = ser.bucketWidth();
            assertThat(ser.size() * w).isGreaterThanOrEqualTo(f.endTime() - 1e-9);
            assertThat((ser.size() - 1) * w).isLessThan(f.endTime());
            long arrivals = 0;
            long rejections = 0;
            long retries = 0;
            double used = 0;
            double available = 0;
            for (int i = 0; i < ser.size(); i++) {
                assertThat(ser.time()[i]).isCloseTo(i * w, within(1e-9));
                double span = Math.min(w, f.endTime() - ser.time()[i]);
                arrivals += ser.arrivals()[i];
                rejections += ser.rejections()[i];
                retries += ser.retries()[i];
                used += ser.inUse()[i] * span;
                available += ser.limit()[i] * span;
                assertThat(ser.inUse()[i]).isLessThanOrEqualTo(ser.inUseMax()[i] + 1e-9);
                assertThat(ser.inUseMax()[i]).isLessThanOrEqualTo(limit);
                assertThat(ser.waiting()[i]).isLessThanOrEqualTo(ser.waitingMax()[i] + 1e-9);
                assertThat(ser.waitingMax()[i]).isLessThanOrEqualTo(f.maxWaiting());
                assertThat(ser.limit()[i]).isCloseTo(limit, within(1e-9));
            }
            assertThat(arrivals).isEqualTo(f.offered());
            assertThat(rejections).isEqualTo(f.rejected());
            assertThat(retries).isEqualTo(f.attempts() - f.offered());
            assertThat(100 * used / available).isCloseTo(f.utilizationPct(), within(1e-6));
            if (mode == Mode.ASYNC) {
                double max = 0;
                for (double x : ser.waitingMax()) {
                    max = Math.max(max, x);
                }
                assertThat(max).isEqualTo((double) f.maxWaiting());
            }
        }
    }
}
