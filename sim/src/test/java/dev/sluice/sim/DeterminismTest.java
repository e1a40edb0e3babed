package dev.sluice.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeterminismTest {

    private static String both(Scenario s) {
        return JsonReport.render(Simulator.run(s, Mode.SYNC), Simulator.run(s, Mode.ASYNC), true);
    }

    @Test
    void sameSeedGivesIdenticalOutput() {
        Scenario s = Scenario.spikes().toBuilder().seed(42).retries(3).service("lognormal:800ms,0.6").build();
        String first = both(s);
        String second = both(Scenario.spikes().toBuilder().seed(42).retries(3).service("lognormal:800ms,0.6").build());
        assertThat(second).isEqualTo(first);
        assertThat(HtmlReport.render(s, Simulator.run(s, Mode.SYNC), Simulator.run(s, Mode.ASYNC)))
                .isEqualTo(HtmlReport.render(s, Simulator.run(s, Mode.SYNC), Simulator.run(s, Mode.ASYNC)));
    }

    @Test
    void differentSeedGivesDifferentOutput() {
        Scenario s = Scenario.spikes();
        assertThat(both(s.toBuilder().seed(2).build())).isNotEqualTo(both(s.toBuilder().seed(1).build()));
        Scenario p = Scenario.poisson();
        assertThat(JsonReport.render(Simulator.run(p.toBuilder().seed(7).build(), Mode.ASYNC), null))
                .isNotEqualTo(JsonReport.render(Simulator.run(p.toBuilder().seed(8).build(), Mode.ASYNC), null));
    }

    @Test
    void syncAndAsyncSeeTheSameArrivals() {
        Scenario s = Scenario.spikes();
        Series sync = Simulator.run(s, Mode.SYNC).series();
        Series async = Simulator.run(s, Mode.ASYNC).series();
        // Common random numbers: identical arrival counts in every bucket both runs share.
        int n = Math.min(sync.size(), async.size());
        for (int i = 0; i < n; i++) {
            assertThat(async.arrivals()[i]).as("bucket %d", i).isEqualTo(sync.arrivals()[i]);
        }
    }

    @Test
    void randomStreamsAreReproducible() {
        Rng a = new Rng(123);
        Rng b = new Rng(123);
        for (int i = 0; i < 1000; i++) {
            assertThat(a.nextGaussian()).isEqualTo(b.nextGaussian());
            assertThat(a.nextExponential(1)).isEqualTo(b.nextExponential(1));
        }
        assertThat(Rng.stream(1, 1).nextLong()).isNotEqualTo(Rng.stream(1, 2).nextLong());
        assertThat(Rng.stream(1, 1).nextLong()).isNotEqualTo(Rng.stream(2, 1).nextLong());
    }
}
