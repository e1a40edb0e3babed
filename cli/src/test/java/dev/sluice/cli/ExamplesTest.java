package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.client.Sluice;
import dev.sluice.server.ServerSettings;
import dev.sluice.server.SluiceServer;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The runnable examples under {@code examples/}, run for real against a real node. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ExamplesTest {
    private static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();

    @TempDir
    static Path dataDir;
    static SluiceServer server;
    static String url;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        server = SluiceServer.start(ServerSettings.defaults().withPort(0).withDataDir(dataDir));
        url = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** Runs a process to its end (output merged into a file) and returns exit code and output. */
    private CliTest.Run exec(ProcessBuilder pb, String name) throws Exception {
        Path log = tmp.resolve(name + ".log");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        try {
            boolean exited = p.waitFor(150, TimeUnit.SECONDS);
            assertThat(exited).as(name + " did not finish:\n" + Files.readString(log)).isTrue();
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        return new CliTest.Run(p.exitValue(), Files.readString(log), "");
    }

    @Test
    void theJavaWorkerKeepsTheFakePartnerApiWithinItsLimitUsingOnlyTheSdkAndJackson() throws Exception {
        // the SDK and Jackson, nothing else: what examples/java-worker/run.sh puts on the class path
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> {
                    String f = Path.of(e).getFileName().toString();
                    return e.replace('\\', '/').endsWith("client/target/classes") || f.startsWith("sluice-client-")
                            || f.startsWith("jackson-core-") || f.startsWith("jackson-databind-")
                            || f.startsWith("jackson-annotations-");
                })
                .reduce((a, b) -> a + File.pathSeparator + b).orElseThrow();
        Path source = EXAMPLES.resolve("java-worker/src/main/java/example/PartnerWorker.java");
        ProcessBuilder pb = new ProcessBuilder(java(), "-cp", classPath, source.toString(), "20", "3");
        pb.environment().keySet().removeIf(k -> k.startsWith("SLUICE_"));
        pb.environment().put("SLUICE_URL", url);

        CliTest.Run r = exec(pb, "java-worker");

        assertThat(r.exit()).as(r.out()).isZero();
        Matcher m = Pattern.compile("processed (\\d+) jobs in \\d+ ms; partner API: (\\d+) calls, peak (\\d+) in flight "
                + "\\(allowed 3\\), (\\d+) rejected").matcher(r.out());
        assertThat(m.find()).as(r.out()).isTrue();
        assertThat(Integer.parseInt(m.group(1))).isEqualTo(20);
        assertThat(Integer.parseInt(m.group(3))).as("peak in flight").isBetween(1, 3);
        assertThat(Integer.parseInt(m.group(4))).as("rejected by the partner").isZero();
    }

    @Test
    void theNightlyReportRunsOneAtATimeWhenStartedTwice() throws Exception {
        // a `sluice` on the PATH that runs this build's command line
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path sluice = bin.resolve("sluice");
        Files.writeString(sluice, "#!/bin/sh\nexec '" + java() + "' -Xshare:auto -XX:TieredStopAtLevel=1 -cp '" + System.getProperty("java.class.path")
                + "' dev.sluice.cli.Main \"$@\"\n", StandardCharsets.UTF_8);
        assertThat(sluice.toFile().setExecutable(true)).isTrue();
        Path log = tmp.resolve("report.log");
        String semaphore = "nightly-report-" + System.nanoTime();

        List<Process> runs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ProcessBuilder pb = new ProcessBuilder("bash", EXAMPLES.resolve("shell/nightly-report.sh").toString())
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("run-" + i + ".log").toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("SLUICE_"));
            pb.environment().put("PATH", bin + File.pathSeparator + System.getenv("PATH"));
            pb.environment().put("SLUICE_SERVER", url);
            pb.environment().put("SEMAPHORE", semaphore);
            pb.environment().put("REPORT_SECONDS", "2");
            pb.environment().put("REPORT_LOG", log.toString());
            runs.add(pb.start());
        }
        try {
            for (int i = 0; i < runs.size(); i++) {
                Process p = runs.get(i);
                assertThat(p.waitFor(150, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue()).as(Files.readString(tmp.resolve("run-" + i + ".log"))).isZero();
            }
        } finally {
            for (Process p : runs) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }

        List<String> lines = Files.readAllLines(log);
        assertThat(lines).hasSize(4);
        String first = lines.get(0).substring("start ".length());
        String second = lines.get(2).substring("start ".length());
        assertThat(lines).as("the second report started only after the first ended")
                .containsExactly("start " + first, "end " + first, "start " + second, "end " + second);
        assertThat(second).isNotEqualTo(first);
        try (Sluice client = Sluice.connect(url)) {
            assertThat(client.semaphore(semaphore).state().limit()).isEqualTo(1);
            assertThat(client.semaphore(semaphore).state().state().inUse()).isZero();
        }
    }
}
