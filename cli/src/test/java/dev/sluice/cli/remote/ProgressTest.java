package dev.sluice.cli.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressTest {

    @Test
    void offATerminalItWritesWholeLinesAndNothingForTheLastStep() {
        StringWriter err = new StringWriter();
        Progress p = new Progress(new PrintWriter(err, true), "jobs submitted", 4, false, Duration.ZERO);
        for (int i = 0; i < 4; i++) {
            p.step();
        }
        p.finish();

        assertThat(err.toString().lines()).containsExactly(
                "1/4 jobs submitted (25%)", "2/4 jobs submitted (50%)", "3/4 jobs submitted (75%)");
        assertThat(p.done()).isEqualTo(4);
    }

    @Test
    void aShortOperationWritesNothing() {
        StringWriter err = new StringWriter();
        Progress p = new Progress(new PrintWriter(err, true), "semaphores applied", 100, false, Duration.ofHours(1));
        for (int i = 0; i < 100; i++) {
            p.step();
        }
        p.finish();
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void onATerminalItRewritesOneLineAndClearsItAtTheEnd() {
        StringWriter err = new StringWriter();
        Progress p = new Progress(new PrintWriter(err, true), "jobs submitted", 3, true, Duration.ZERO);
        p.step();
        p.step();
        p.step();
        p.finish();

        assertThat(err.toString()).isEqualTo("\r\033[K1/3 jobs submitted (33%)\r\033[K2/3 jobs submitted (66%)\r\033[K");
    }
}
