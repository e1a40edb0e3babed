package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/** The {@code sluice} command, run in-process through {@link Main#commandLine()} with captured output. */
class CliTest {

    /** Exit code, standard output and standard error of one run. */
    record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- out:\n" + out + "\n--- err:\n" + err;
        }
    }

    @TempDir
    Path tmp;

    /**
     * Runs the command with picocli's out/err captured, and also System.out/err (some commands,
     * like {@code server}, write there directly).
     */
    static synchronized Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        ByteArrayOutputStream sysOut = new ByteArrayOutputStream();
        ByteArrayOutputStream sysErr = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        int exit;
        try {
            System.setOut(new PrintStream(sysOut, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(sysErr, true, StandardCharsets.UTF_8));
            CommandLine cmd = Main.commandLine();
            cmd.setOut(new PrintWriter(out, true));
            cmd.setErr(new PrintWriter(err, true));
            exit = cmd.execute(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Run(exit, out + sysOut.toString(StandardCharsets.UTF_8), err + sysErr.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpListsTheCommands() {
        Run r = run("--help");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Usage: sluice", "semaphore", "server", "simulate", "--version");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void noArgumentsPrintsUsage() {
        Run r = run();
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Usage: sluice", "server", "simulate");
    }

    @Test
    void versionNamesTheProduct() {
        Run r = run("--version");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out().strip()).startsWith("sluice ").hasSizeGreaterThan("sluice ".length());
        assertThat(r.out().lines().count()).isEqualTo(1);
    }

    @Test
    void serverHelpListsItsOptions() {
        Run r = run("server", "--help");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Usage: sluice server", "--port", "--data", "--store", "--host", "SLUICE_PORT");
    }

    @Test
    void anUnreachableStoreIsReportedClearlyWithExit1() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();   // free again once closed: nothing listens there
        }
        String url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/sluice?user=sluice&password=secret&connectTimeout=2";
        Run r = run("server", "--store", url, "--port", "0", "--data", tmp.resolve("data").toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("sluice: cannot reach the store at", "127.0.0.1:" + closedPort, "password=***")
                .doesNotContain("secret");
        assertThat(tmp.resolve("data")).as("nothing is created for a failed start").doesNotExist();
    }

    @Test
    void aStoreUrlOfAnUnknownKindIsRefusedWithExit2() {
        Run r = run("server", "--store", "mysql://db/sluice", "--port", "0", "--data", tmp.resolve("data").toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("unsupported store URL mysql://db/sluice", "jdbc:postgresql://");
        assertThat(tmp.resolve("data")).doesNotExist();
    }

    @Test
    void unknownOptionExits2WithUsage() {
        Run r = run("server", "--nope");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("--nope").contains("Usage: sluice server");
    }

    @Test
    void unknownCommandExits2() {
        Run r = run("frobnicate");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("frobnicate");
    }

    @Test
    void simulatePrintsBothModesAsJson() {
        Run r = run("simulate", "--scenario", "spikes", "--mode", "both", "--format", "json", "--duration", "5m");
        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode json = ServerProcess.JSON.readTree(r.out());
        for (String mode : new String[] {"sync", "async"}) {
            JsonNode m = json.get(mode);
            assertThat(m).as(mode).isNotNull();
            assertThat(m.isObject()).isTrue();
            assertThat(m.has("offered") && m.has("completed") && m.has("rejectedPct") && m.has("utilizationPct")
                    && m.has("waitP95") && m.has("maxWaiting")).as(mode + ": " + m).isTrue();
            assertThat(m.get("offered").asLong()).isPositive();
            assertThat(m.get("rejectedPct").asDouble()).isBetween(0.0, 100.0);
        }
        // the queue never rejects and completes everything offered; the same arrivals are offered to both
        assertThat(json.get("async").get("rejectedPct").asDouble()).isZero();
        assertThat(json.get("async").get("completed").asLong()).isEqualTo(json.get("async").get("offered").asLong());
        assertThat(json.get("sync").get("offered").asLong()).isEqualTo(json.get("async").get("offered").asLong());
        // deterministic: the same options give the same figures
        assertThat(run("simulate", "--scenario", "spikes", "--mode", "both", "--format", "json", "--duration", "5m").out())
                .isEqualTo(r.out());
    }

    @Test
    void simulateOneModeLeavesTheOtherOut() {
        Run r = run("simulate", "--mode", "async", "--format", "json", "--duration", "2m");
        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode json = ServerProcess.JSON.readTree(r.out());
        assertThat(json.has("async")).isTrue();
        assertThat(json.has("sync")).isFalse();
    }

    @Test
    void simulatePrintsATableByDefault() {
        Run r = run("simulate", "--duration", "2m");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).isNotBlank().doesNotStartWith("{");
    }

    @Test
    void simulateWritesASelfContainedHtmlReport() throws Exception {
        Path file = tmp.resolve("reports").resolve("r.html");
        Run r = run("simulate", "--duration", "5m", "--out", file.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(file).exists();
        assertThat(r.out()).contains(file.getFileName().toString());
        String html = Files.readString(file);
        assertThat(html).containsIgnoringCase("<html").containsIgnoringCase("</html>");
        assertThat(html.length()).isGreaterThan(2000);
        Pattern external = Pattern.compile("<(script|link|img|iframe)\\b[^>]*\\b(src|href)\\s*=\\s*[\"']?\\s*(https?:)?//",
                Pattern.CASE_INSENSITIVE);
        assertThat(external.matcher(html).find()).as("an external resource in the report").isFalse();
        assertThat(Pattern.compile("@import\\s+url\\(\\s*[\"']?(https?:)?//", Pattern.CASE_INSENSITIVE).matcher(html).find()).isFalse();
    }

    @Test
    void simulateWithJsonAndOutKeepsStdoutPureJson() throws Exception {
        Path file = tmp.resolve("r.html");
        Run r = run("simulate", "--format", "json", "--duration", "2m", "--out", file.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(file).exists();
        ServerProcess.JSON.readTree(r.out());   // parses: the note about the report went to stderr
        assertThat(r.err()).contains("r.html");
    }

    @Test
    void badServiceTimeExits2WithAReason() {
        Run r = run("simulate", "--service", "nope");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("nope").contains("fixed:");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void badModeAndFormatExit2() {
        assertThat(run("simulate", "--mode", "sideways").exit()).isEqualTo(2);
        assertThat(run("simulate", "--format", "xml").exit()).isEqualTo(2);
        assertThat(run("simulate", "--limit", "5", "--limit-schedule", "0s:10").exit()).isEqualTo(2);
    }
}
