package dev.sluice.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A million arrivals run through both modes (timing is printed, never asserted). */
class MillionArrivalsTest {

    @Test
    void aMillionArrivals() {
        Scenario s = Scenario.builder().rate(1000).service("exp:1s").limit(1000).duration(1000).seed(11).build();
        for (Mode mode : Mode.values()) {
            long t0 = System.nanoTime();
            SimulationResult r = Simulator.run(s, mode);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("%s: %,d arrivals simulated in %d ms%n", mode.label(), r.figures().offered(), ms);
            assertThat(r.figures().offered()).isBetween(990_000L, 1_010_000L);
            assertThat(r.figures().completed() + r.figures().rejected()).isEqualTo(r.figures().offered());
            assertThat(r.series().size()).isBetween(200, 500);
        }
    }
}
