package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.cli.CliTest.Run;
import dev.sluice.client.SemaphoreView;
import dev.sluice.client.Sluice;
import dev.sluice.server.ServerSettings;
import dev.sluice.server.SluiceServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code sluice simulate --live}: the simulated arrivals replayed against a real node by SDK clients.
 * Measured timings depend on the machine, so only what must hold whatever its speed is checked:
 * the same requests are offered, every async request completes, and the clients never held more
 * permits than the limit.
 */
class SimulateLiveTest {
    @TempDir
    static Path dataDir;
    static SluiceServer server;
    static String url;

    @BeforeAll
    static void start() {
        server = SluiceServer.start(ServerSettings.defaults().withPort(0).withDataDir(dataDir));
        url = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static final String[] SCENARIO = {"simulate", "--scenario", "poisson", "--rate", "6", "--service", "fixed:1s",
            "--limit", "3", "--duration", "10s", "--retries", "1", "--retry-backoff", "500ms", "--speed", "5"};

    private static String[] with(String... more) {
        String[] all = new String[SCENARIO.length + more.length];
        System.arraycopy(SCENARIO, 0, all, 0, SCENARIO.length);
        System.arraycopy(more, 0, all, SCENARIO.length, more.length);
        return all;
    }

    @Test
    void replaysTheModelledArrivalsAndMeasuresBothModes() {
        Run r = CliTest.run(with("--live", url, "--format", "json"));

        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode json = ServerProcess.JSON.readTree(r.out());
        long arrivals = json.get("arrivals").asLong();
        assertThat(arrivals).isPositive();
        for (String mode : new String[] {"sync", "async"}) {
            JsonNode modelled = json.get(mode).get("modelled");
            JsonNode measured = json.get(mode).get("measured");
            assertThat(modelled.get("offered").asLong()).as(mode).isEqualTo(arrivals);
            assertThat(measured.get("offered").asLong()).as(mode).isEqualTo(arrivals);
            assertThat(measured.get("completed").asLong() + measured.get("rejected").asLong()).as(mode).isEqualTo(arrivals);
            assertThat(measured.get("attempts").asLong()).as(mode).isGreaterThanOrEqualTo(arrivals);
            assertThat(measured.get("peakInUse").asInt()).as(mode + ": permits held at once").isBetween(1, 3);
            assertThat(measured.get("utilizationPct").asDouble()).as(mode).isBetween(0.0, 100.0);
        }
        assertThat(json.get("async").get("measured").get("completed").asLong()).as("the queue drops nothing").isEqualTo(arrivals);
        assertThat(json.get("async").get("measured").get("rejected").asLong()).isZero();
        assertThat(json.get("sync").get("measured").get("maxWaiting").asLong()).isZero();

        try (Sluice sluice = Sluice.connect(url)) {
            assertThat(sluice.allSemaphores().map(SemaphoreView::name)).as("temporary semaphores are deleted")
                    .noneMatch(n -> n.startsWith("sim-live-"));
        }
    }

    @Test
    void printsMeasuredBesideModelledAsATable() {
        Run r = CliTest.run(with("--live", url, "--mode", "async"));

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("live run", url, "modelled", "measured", "peak in use")
                .containsPattern("(?m)^\\s+async$").doesNotContainPattern("(?m)^\\s+sync\\b");
        assertThat(r.err()).contains("replaying");
    }

    @Test
    void anUnreachableServerOrABadUrlIsReportedClearly() throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Run unreachable = CliTest.run(with("--live", "http://127.0.0.1:" + port, "--mode", "sync"));
        assertThat(unreachable.exit()).as(unreachable.toString()).isEqualTo(6);
        assertThat(unreachable.err()).contains("sluice: ");

        assertThat(CliTest.run(with("--live", "ftp://x")).exit()).isEqualTo(2);
        assertThat(CliTest.run(with("--live", url, "--out", "x.html")).exit()).isEqualTo(2);
        assertThat(CliTest.run(with("--live", url, "--speed", "0")).exit()).isEqualTo(2);
    }
}
