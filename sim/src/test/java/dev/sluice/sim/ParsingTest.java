package dev.sluice.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ParsingTest {

    @Test
    void durations() {
        assertThat(Durations.parseSeconds("500ms")).isEqualTo(0.5);
        assertThat(Durations.parseSeconds("2s")).isEqualTo(2.0);
        assertThat(Durations.parseSeconds("1.5s")).isEqualTo(1.5);
        assertThat(Durations.parseSeconds("5m")).isEqualTo(300.0);
        assertThat(Durations.parseSeconds("1h")).isEqualTo(3600.0);
        assertThat(Durations.parseSeconds("PT2S")).isEqualTo(2.0);
        assertThat(Durations.parseSeconds("pt1m30s")).isEqualTo(90.0);
        assertThat(Durations.parseSeconds("PT0.25S")).isEqualTo(0.25);
        assertThat(Durations.parseSeconds(" 600 ")).isEqualTo(600.0);
        assertThat(Durations.format(0.5)).isEqualTo("500ms");
        assertThat(Durations.format(600)).isEqualTo("10m");
        assertThat(Durations.format(7200)).isEqualTo("2h");
        assertThat(Durations.format(90)).isEqualTo("90s");
        assertThat(Durations.format(1.25)).isEqualTo("1.25s");
    }

    @Test
    void badDurations() {
        for (String bad : new String[] {"5x", "", "abc", "-2s", "PT", "P-1D", "2 s s"}) {
            assertThatThrownBy(() -> Durations.parseSeconds(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("500ms");
        }
        assertThatThrownBy(() -> Durations.parseSeconds("5x")).hasMessageContaining("'5x'");
        assertThatThrownBy(() -> Scenario.builder().duration("0s"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duration must be positive");
    }

    @Test
    void serviceTimes() {
        assertThat(ServiceTime.parse("fixed:2s")).isEqualTo(new ServiceTime.Fixed(2));
        assertThat(ServiceTime.parse("exp:1s")).isEqualTo(new ServiceTime.Exponential(1));
        assertThat(ServiceTime.parse("EXP: 250ms").mean()).isEqualTo(0.25);
        ServiceTime ln = ServiceTime.parse("lognormal:1s,0.5");
        assertThat(ln).isEqualTo(new ServiceTime.LogNormal(1, 0.5));
        assertThat(ln.mean()).isCloseTo(Math.exp(0.125), within(1e-12));
        assertThat(ServiceTime.parse("lognormal:PT2S, 1").spec()).isEqualTo("lognormal:2s,1");
        // The samples have the advertised mean.
        Rng rng = new Rng(9);
        double sum = 0;
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            sum += ln.sample(rng);
        }
        assertThat(sum / n).isCloseTo(ln.mean(), within(0.01));
        for (String spec : new String[] {"fixed:2s", "exp:1s", "lognormal:1s,0.5", "exp:500ms"}) {
            assertThat(ServiceTime.parse(ServiceTime.parse(spec).spec())).isEqualTo(ServiceTime.parse(spec));
        }
    }

    @Test
    void badServiceTimes() {
        assertThatThrownBy(() -> ServiceTime.parse("gamma:1s"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown distribution 'gamma'").hasMessageContaining("lognormal:MEDIAN,SIGMA");
        assertThatThrownBy(() -> ServiceTime.parse("lognormal:1s"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MEDIAN,SIGMA");
        assertThatThrownBy(() -> ServiceTime.parse("lognormal:1s,wide"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sigma 'wide'");
        assertThatThrownBy(() -> ServiceTime.parse("fixed:0s"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be positive");
        assertThatThrownBy(() -> ServiceTime.parse("exp:soon"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid duration 'soon'");
        assertThatThrownBy(() -> ServiceTime.parse("2s"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid service time '2s'");
    }

    @Test
    void arrivals() {
        assertThat(ArrivalProcess.parse("poisson")).isEqualTo(new ArrivalProcess.Poisson(8));
        assertThat(ArrivalProcess.parse("poisson:12.5")).isEqualTo(new ArrivalProcess.Poisson(12.5));
        assertThat(ArrivalProcess.parse("spikes")).isEqualTo(ArrivalProcess.Spikes.defaults());
        assertThat(ArrivalProcess.parse("spikes:base=2,period=2m,burst=20s,amplitude=30,stddev=0"))
                .isEqualTo(new ArrivalProcess.Spikes(2, 120, 20, 30, 0));
        assertThat(Scenario.preset("spikes").rate(7).build().arrival())
                .isEqualTo(ArrivalProcess.Spikes.defaults().withBaseRate(7));
        assertThat(Scenario.preset("poisson").rate(3).build().arrival()).isEqualTo(new ArrivalProcess.Poisson(3));
    }

    @Test
    void badArrivals() {
        assertThatThrownBy(() -> ArrivalProcess.parse("uniform"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown arrival process 'uniform'").hasMessageContaining("csv:PATH");
        assertThatThrownBy(() -> ArrivalProcess.parse("poisson:fast"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'fast' is not a rate");
        assertThatThrownBy(() -> ArrivalProcess.parse("spikes:height=3"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown spikes parameter 'height'");
        assertThatThrownBy(() -> ArrivalProcess.parse("spikes:period=10s,burst=20s"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most the period");
        assertThatThrownBy(() -> ArrivalProcess.parse("csv:"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("csv needs a path");
        assertThatThrownBy(() -> Scenario.builder().rate(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rate must be positive");
    }

    @Test
    void badLimitSchedules() {
        assertThatThrownBy(() -> LimitSchedule.parse("10s:5"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must start at 0s");
        assertThatThrownBy(() -> LimitSchedule.parse("0s:10,0s:20"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("increase strictly");
        assertThatThrownBy(() -> LimitSchedule.parse("0s:10,5m:2,1m:3"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("increase strictly");
        assertThatThrownBy(() -> LimitSchedule.parse("0s:-1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("between 0 and 1000000");
        assertThatThrownBy(() -> LimitSchedule.parse("0s:ten"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'ten' is not a whole number");
        assertThatThrownBy(() -> LimitSchedule.parse("0s:10,600s"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'600s' is not TIME:LIMIT");
        assertThatThrownBy(() -> LimitSchedule.parse("0x:10"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid limit schedule '0x:10'");
        assertThatThrownBy(() -> LimitSchedule.parse(""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("e.g. 0s:10,600s:20");
    }

    @Test
    void modesAndPresets() {
        assertThat(Mode.parse("SYNC")).isEqualTo(Mode.SYNC);
        assertThat(Mode.parse(" async")).isEqualTo(Mode.ASYNC);
        assertThatThrownBy(() -> Mode.parse("both")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected sync or async");
        assertThatThrownBy(() -> Scenario.preset("flood")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown scenario 'flood'").hasMessageContaining("spikes or poisson");
        assertThatThrownBy(() -> Scenario.builder().retries(-1).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("retries");
        assertThat(Scenario.poisson().parameters()).containsKeys("arrivals", "service time", "limit", "seed");
    }
}
