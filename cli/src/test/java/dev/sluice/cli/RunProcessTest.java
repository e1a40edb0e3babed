package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.sluice.client.Semaphore;
import dev.sluice.client.Sluice;
import dev.sluice.server.ServerSettings;
import dev.sluice.server.SluiceServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code sluice run} as a real process (a child JVM running {@link Main}, configured by
 * {@code SLUICE_SERVER} only), around a real shell command, against a real node: the command holds
 * the permit while it runs, the permit is released when it exits, on SIGTERM and on SIGINT, and
 * a lost lease stops the command.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RunProcessTest {
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final Duration LONG = Duration.ofSeconds(30);

    @TempDir
    static Path dataDir;
    static SluiceServer server;
    static Sluice sluice;
    static String url;
    static HttpClient http;

    @TempDir
    Path tmp;

    private final List<Process> started = new ArrayList<>();

    @BeforeAll
    static void start() {
        server = SluiceServer.start(ServerSettings.defaults().withPort(0).withDataDir(dataDir));
        url = "http://127.0.0.1:" + server.port();
        sluice = Sluice.connect(url);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        http.close();
        sluice.close();
        server.close();
    }

    @AfterEach
    void noLeftovers() throws InterruptedException {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor();
        }
    }

    private Semaphore newSemaphore(String prefix) {
        Semaphore s = sluice.semaphore(prefix + "-" + NAMES.incrementAndGet());
        s.create(1);
        return s;
    }

    /** {@code sluice ARGS} as a child JVM with {@code SLUICE_SERVER} set; output goes to files in tmp. */
    private Process sluiceProcess(String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "-Xshare:auto", "-cp", System.getProperty("java.class.path"),
                "dev.sluice.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectOutput(tmp.resolve("out.txt").toFile())
                .redirectError(tmp.resolve("err.txt").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("SLUICE_"));
        pb.environment().put("SLUICE_SERVER", url);
        Process p = pb.start();
        started.add(p);
        return p;
    }

    private String err() throws IOException {
        return Files.readString(tmp.resolve("err.txt"));
    }

    private static long inUse(Semaphore s) {
        return s.state().state().inUse();
    }

    /** Status of a heartbeat of the permit, sent with plain HTTP. */
    private static int heartbeat(Semaphore s, String permitId) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(url + "/v1/semaphores/" + s.name() + "/permits/" + permitId + "/heartbeat"))
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        return http.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String readWhenWritten(Path file) {
        await().atMost(LONG).until(() -> Files.exists(file) && !Files.readString(file).isBlank());
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theCommandHoldsThePermitWhileItRunsHeartbeatedAndReleasedWhenItExits() throws Exception {
        Semaphore s = newSemaphore("run");
        Path id = tmp.resolve("id");
        Path go = tmp.resolve("go");

        Process run = sluiceProcess("run", s.name(), "--lease", "2s", "--", "sh", "-c",
                "echo \"$SLUICE_PERMIT_ID\" > '" + id + "'; while [ ! -f '" + go + "' ]; do sleep 0.1; done; exit 3");

        String permitId = readWhenWritten(id);
        // held for longer than two leases: the SDK in sluice run heartbeats it
        await().during(Duration.ofSeconds(5)).atMost(LONG).until(() -> inUse(s) == 1);
        assertThat(heartbeat(s, permitId)).as("the command was given the permit that is held").isEqualTo(200);

        Files.createFile(go);

        assertThat(run.waitFor(LONG.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).as(err()).isEqualTo(3);
        assertThat(inUse(s)).isZero();
        assertThat(heartbeat(s, permitId)).as("released, not left to expire").isEqualTo(404);
    }

    @ParameterizedTest(name = "SIG{0}")
    @CsvSource({"TERM, 143", "INT, 130"})
    void aSignalStopsTheCommandAndReleasesThePermit(String signal, int exit) throws Exception {
        assumeFalse(signal.equals("INT") && sigintIgnored(),
                "this JVM was started with SIGINT ignored (a background job of a non-interactive shell), and so is sluice");
        Semaphore s = newSemaphore("signal");
        Path pid = tmp.resolve("pid");
        Path got = tmp.resolve("got");

        Process run = sluiceProcess("run", s.name(), "--", "sh", "-c",
                "trap 'echo TERM > \"" + got + "\"; exit 143' TERM; echo $$ > '" + pid + "'; while true; do sleep 0.1; done");
        long child = Long.parseLong(readWhenWritten(pid));
        assertThat(inUse(s)).isEqualTo(1);

        // the signal goes to sluice only, as from kill or a scheduler's timeout
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(run.pid())).inheritIO().start();
        assertThat(kill.waitFor()).isZero();

        assertThat(run.waitFor(LONG.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).as(err()).isEqualTo(exit);
        assertThat(readWhenWritten(got)).as("the command was sent SIGTERM").isEqualTo("TERM");
        await().atMost(LONG).until(() -> ProcessHandle.of(child).map(h -> !h.isAlive()).orElse(true));
        assertThat(inUse(s)).as("released before sluice exited, not left to its 1-minute lease").isZero();
    }

    /** Whether SIGINT is ignored here (bit 1 of SigIgn on Linux): children then inherit that, and kill -INT does nothing. */
    private static boolean sigintIgnored() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return false;
        }
        return Files.readAllLines(status).stream().filter(l -> l.startsWith("SigIgn:"))
                .map(l -> Long.parseUnsignedLong(l.substring(7).strip(), 16)).anyMatch(mask -> (mask & 2L) != 0);
    }

    @Test
    void aLostLeaseStopsTheCommandAndExits5() throws Exception {
        Semaphore s = newSemaphore("lost");
        Path pid = tmp.resolve("pid");

        Process run = sluiceProcess("run", s.name(), "--lease", "2s", "--grace", "5s", "--", "sh", "-c",
                "echo $$ > '" + pid + "'; while true; do sleep 0.1; done");
        long child = Long.parseLong(readWhenWritten(pid));

        s.delete(true); // the permit is gone: the next heartbeat is refused

        assertThat(run.waitFor(LONG.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).as(err()).isEqualTo(5);
        assertThat(err()).contains("sluice: the permit of " + s.name() + " was lost");
        assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void acquireAndReleaseFromAScript() throws Exception {
        Semaphore s = newSemaphore("script");

        Process acquire = sluiceProcess("acquire", s.name(), "--lease", "5m", "-o", "json");
        assertThat(acquire.waitFor(LONG.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(acquire.exitValue()).as(err()).isZero();
        String permitId = ServerProcess.JSON.readTree(Files.readString(tmp.resolve("out.txt"))).get("permitId").asString();
        assertThat(inUse(s)).as("held after sluice exited").isEqualTo(1);

        Process release = sluiceProcess("release", s.name(), permitId);
        assertThat(release.waitFor(LONG.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(release.exitValue()).as(err()).isZero();
        assertThat(inUse(s)).isZero();
    }
}
