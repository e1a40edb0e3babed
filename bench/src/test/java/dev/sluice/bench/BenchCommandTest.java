package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code sluice bench} end to end, in its tiny form (a fraction of a second per cell): every
 * system is started, measured or skipped with a reason, and the JSON report has its documented
 * shape. Never a word about speed: the figures of a tiny run on a shared machine mean nothing.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BenchCommandTest {

    @TempDir
    Path data;

    @Test
    void tinyRunReportsEverySystemAsJson() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        String[] args = {"--tiny", "--format", "json", "--data", data.toString()};
        int exit = BenchCommand.commandLine(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(progress, true, StandardCharsets.UTF_8)).execute(args);

        assertThat(exit).isZero();
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("— sluice", "try-release", "done in");
        JsonNode report = JsonMapper.builder().build().readTree(out.toString(StandardCharsets.UTF_8));

        assertThat(report.get("machine").get("cpus").asInt()).isPositive();
        assertThat(report.get("command").asString()).isEqualTo("sluice bench --tiny --format json --data " + data);
        Set<String> measured = new HashSet<>();
        for (JsonNode r : report.get("results")) {
            assertThat(r.get("scenario").asString()).isIn(Plan.SCENARIOS);
            assertThat(r.get("system").asString()).isIn(Plan.SYSTEMS);
            assertThat(r.get("clients").asInt()).isPositive();
            assertThat(r.get("throughput").isNumber()).isTrue();
            assertThat(r.get("throughput").asDouble()).isNotNegative();
            assertThat(r.get("p50Ms").isNumber() || r.get("p50Ms").isNull()).as("p50Ms of %s", r).isTrue();
            assertThat(r.get("p99Ms").isNumber() || r.get("p99Ms").isNull()).as("p99Ms of %s", r).isTrue();
            assertThat(r.get("unit").asString()).isNotBlank();
            assertThat(r.get("errors").asLong()).as("errors in %s", r).isZero();
            measured.add(r.get("system").asString());
        }
        Set<String> skippedWhole = new HashSet<>();
        for (JsonNode s : report.get("skipped")) {
            assertThat(s.get("system").asString()).isIn(Plan.SYSTEMS);
            assertThat(s.get("reason").asString()).isNotBlank();
            if (s.get("scenario").asString().equals("*")) {
                skippedWhole.add(s.get("system").asString());
            }
        }
        for (String system : Plan.SYSTEMS) {
            assertThat(measured.contains(system) || skippedWhole.contains(system))
                    .as("%s has results or a skip reason", system).isTrue();
        }
        // Sluice runs everywhere: all four scenarios, and the ratios to what else was measured.
        assertThat(report.get("results").valueStream().filter(r -> r.get("system").asString().equals("sluice"))
                .map(r -> r.get("scenario").asString()).distinct()).containsExactlyInAnyOrderElementsOf(Plan.SCENARIOS);
        // And on PostgreSQL, one node and three, all but scaling (which prefills the embedded store's file).
        for (String onPostgres : List.of("sluice-postgres", "sluice-3-nodes")) {
            assertThat(report.get("results").valueStream().filter(r -> r.get("system").asString().equals(onPostgres))
                    .map(r -> r.get("scenario").asString()).distinct()).as(onPostgres)
                    .containsExactlyInAnyOrder("try-release", "handoff", "async");
        }
        assertThat(report.get("ratios").valueStream().map(r -> r.get("versus").asString()))
                .contains("empty-http", "jdk-semaphore", "fsync", "sluice-postgres", "sluice-3-nodes");
        // Sluice tells its store's commits (each unit it completed committed something); the other systems do not.
        report.get("results").valueStream().forEach(r -> {
            if (!r.get("system").asString().startsWith("sluice")) {
                assertThat(r.get("commitsPerUnit").isNull()).as("commitsPerUnit of %s", r).isTrue();
            } else if (r.get("throughput").asDouble() > 0) {
                assertThat(r.get("commitsPerUnit").asDouble()).as("commitsPerUnit of %s", r).isPositive();
                assertThat(r.get("commitMs").asDouble()).as("commitMs of %s", r).isPositive();
            }
        });
    }

    @Test
    void unknownSystemIsRefused() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandLine cl = BenchCommand.commandLine(new String[0], System.out, System.err);
        cl.setErr(new java.io.PrintWriter(err, true, StandardCharsets.UTF_8));
        assertThat(cl.execute("--systems", "memcached")).isNotZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown system memcached");
    }
}
