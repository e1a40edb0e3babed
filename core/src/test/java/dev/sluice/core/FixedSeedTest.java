package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * The fixed seed is in force: two properties of the same shape draw the same values, which two
 * random seeds would not. Without {@link FixedSeed} registered, {@link #bothDrewTheSameValues} fails.
 */
class FixedSeedTest {
    private static final int TRIES = 25;
    private static final List<Long> drawnFirst = new ArrayList<>();
    private static final List<Long> drawnSecond = new ArrayList<>();

    @Property(tries = TRIES)
    void drawsValues(@ForAll long value) {
        drawnFirst.add(value);
    }

    @Property(tries = TRIES)
    void drawsValuesAgain(@ForAll long value) {
        drawnSecond.add(value);
    }

    @AfterContainer
    static void bothDrewTheSameValues() {
        if (FixedSeed.configuredSeed().isEmpty()) {
            return;   // random seeds were asked for
        }
        assertThat(drawnFirst).hasSize(TRIES).isEqualTo(drawnSecond);
    }

    @Example
    void theSettingChoosesTheSeed() {
        assertThat(FixedSeed.seedFor(null)).contains(FixedSeed.DEFAULT_SEED);
        assertThat(FixedSeed.seedFor("")).contains(FixedSeed.DEFAULT_SEED);
        assertThat(FixedSeed.seedFor("random")).isEmpty();
        assertThat(FixedSeed.seedFor(" 42 ")).contains("42");
        assertThatThrownBy(() -> FixedSeed.seedFor("forty-two"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-Dsluice.seed is \"forty-two\"");
    }
}
