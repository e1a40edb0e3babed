package dev.sluice.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayTest {

    @TempDir
    Path dir;

    /** Three at 0 s, one at 0.5 s, one at 5 s; limit 2; every request takes exactly 1 s. */
    private Scenario scenario() throws Exception {
        Path csv = dir.resolve("arrivals.csv");
        Files.writeString(csv, "timestamp,user\n0,a\n0,b\n\n0,c\n0.5,d\n5,e\n");
        return Scenario.builder().arrival("csv:" + csv).service("fixed:1s").limit(2).build();
    }

    @Test
    void replaysTheTimestamps() throws Exception {
        Scenario s = scenario();
        assertThat(s.duration()).isEqualTo(5.0);
        assertThat(((ArrivalProcess.Replay) s.arrival()).times()).containsExactly(0, 0, 0, 0.5, 5);

        // Sync: the first two at 0 s get the permits, the third (0 s) and the fourth (0.5 s) find them held.
        Figures sync = Simulator.run(s, Mode.SYNC).figures();
        assertThat(sync.offered()).isEqualTo(5);
        assertThat(sync.completed()).isEqualTo(3);
        assertThat(sync.rejectedPct()).isEqualTo(40.0);
        assertThat(sync.waitMean()).isZero();
        assertThat(sync.drainTime()).isEqualTo(1.0);

        // Async: c and d wait until 1 s (1 s and 0.5 s), e is granted on arrival; the last ends at 6 s.
        Figures async = Simulator.run(s, Mode.ASYNC).figures();
        assertThat(async.rejected()).isZero();
        assertThat(async.completed()).isEqualTo(5);
        assertThat(async.waitMean()).isCloseTo(1.5 / 5, within(1e-12));
        assertThat(async.waitP50()).isZero();
        assertThat(async.waitP99()).isEqualTo(1.0);
        assertThat(async.maxWaiting()).isEqualTo(2);
        assertThat(async.drainTime()).isEqualTo(1.0);
        assertThat(async.endTime()).isEqualTo(6.0);
        // Used: a, b 0–1 s; c, d 1–2 s; e 5–6 s = 5 permit-seconds of 2 × 6.
        assertThat(async.utilizationPct()).isCloseTo(100 * 5.0 / 12, within(1e-9));
    }

    @Test
    void aShorterDurationCutsTheReplay() throws Exception {
        Scenario s = scenario().toBuilder().duration(1).build();
        assertThat(Simulator.run(s, Mode.ASYNC).figures().offered()).isEqualTo(4);
    }

    @Test
    void headerIsOptionalAndUnsortedInputIsSorted() {
        ArrivalProcess.Replay r = ArrivalProcess.Replay.fromCsv("inline", "3\n1.5\r\n2\n");
        assertThat(r.times()).containsExactly(1.5, 2, 3);
        assertThat(r.lastTime()).isEqualTo(3.0);
        assertThat(ArrivalProcess.Replay.fromCsv("inline", "\"t\"\n\"1\"\n").times()).containsExactly(1.0);
    }

    @Test
    void badCsvGivesClearErrors() throws Exception {
        assertThatThrownBy(() -> ArrivalProcess.Replay.fromCsv("x.csv", "t\n1\n2\noops\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("x.csv").hasMessageContaining("line 4").hasMessageContaining("oops");
        assertThatThrownBy(() -> ArrivalProcess.Replay.fromCsv("x.csv", "t\n-1\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line 2").hasMessageContaining(">= 0");
        assertThatThrownBy(() -> ArrivalProcess.Replay.fromCsv("x.csv", "timestamp\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no timestamps");
        assertThatThrownBy(() -> Scenario.builder().arrival("csv:" + dir.resolve("missing.csv")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot read").hasMessageContaining("missing.csv");
        assertThatThrownBy(() -> scenario().toBuilder().rate(3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replay");
    }
}
