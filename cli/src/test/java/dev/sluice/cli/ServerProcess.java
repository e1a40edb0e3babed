package dev.sluice.cli;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code sluice server} as a child JVM (the test's own class path), with a small JSON-over-HTTP
 * client for it. {@link #kill()} sends SIGKILL: no shutdown hook, no orderly close of the store.
 */
final class ServerProcess implements AutoCloseable {
    static final JsonMapper JSON = JsonMapper.builder().build();

    /** One answer: its status and, when there is one, its JSON body. */
    record Reply(int status, JsonNode body, String raw) {
        String str(String field) {
            JsonNode n = body == null ? null : body.get(field);
            return n == null || n.isNull() ? null : n.asString();
        }

        @Override
        public String toString() {
            return status + " " + raw;
        }
    }

    private final Process process;
    private final Path log;
    private final String base;
    private final HttpClient http;

    private ServerProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.base = "http://127.0.0.1:" + port;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
    }

    /** Starts a node on a free port over {@code dataDir} and waits until {@code /readyz} answers 200. */
    static ServerProcess start(Path dataDir, Path log, String... moreArgs) throws IOException, InterruptedException {
        return start(dataDir, log, Map.of(), null, moreArgs);
    }

    /**
     * Like {@link #start(Path, Path, String...)}, with {@code env} added to the child's environment
     * and, unless null, {@code shellPrefix} run by {@code sh} before it execs the JVM (for example
     * {@code ulimit -f 4096}, a file-size limit the JVM inherits).
     */
    static ServerProcess start(Path dataDir, Path log, Map<String, String> env, String shellPrefix, String... moreArgs)
            throws IOException, InterruptedException {
        int port = freePort();
        ServerProcess server = new ServerProcess(launch(dataDir, log, env, shellPrefix, port, moreArgs), log, port);
        server.awaitReady(Duration.ofSeconds(60));
        return server;
    }

    /** Runs {@code sluice server} expecting it to stop by itself (a refusal to start); returns its exit code. */
    static int runUntilExit(Path dataDir, Path log, Map<String, String> env, Duration within, String... moreArgs)
            throws IOException, InterruptedException {
        Process p = launch(dataDir, log, env, null, freePort(), moreArgs);
        if (!p.waitFor(within.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            p.waitFor();
            throw new IllegalStateException("the server did not stop by itself within " + within);
        }
        return p.exitValue();
    }

    private static Process launch(Path dataDir, Path log, Map<String, String> env, String shellPrefix, int port, String... moreArgs)
            throws IOException {
        String java = ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = javaCommand(java, port, dataDir, moreArgs);
        if (shellPrefix != null) {
            // exec keeps one process: the JVM takes the shell's pid, so a kill reaches it
            List<String> viaShell = new ArrayList<>(List.of("sh", "-c", shellPrefix + " && exec \"$@\"", "sh"));
            viaShell.addAll(cmd);
            cmd = viaShell;
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("SLUICE_"));
        pb.environment().putAll(env);
        return pb.start();
    }

    private static List<String> javaCommand(String java, int port, Path dataDir, String... moreArgs) {
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"),
                "dev.sluice.cli.Main", "server", "--port", Integer.toString(port), "--data", dataDir.toString()));
        cmd.addAll(List.of(moreArgs));
        return cmd;
    }

    private void awaitReady(Duration within) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the server exited with " + process.exitValue() + " before it was ready:\n" + log());
            }
            try {
                if (call("GET", "/readyz", null).status() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        process.destroyForcibly();
        throw new IllegalStateException("the server was not ready within " + within + ":\n" + log());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    Reply call(String method, String path, String json) throws IOException, InterruptedException {
        return call(method, path, json, (String) null);
    }

    Reply call(String method, String path, String json, String idempotencyKey) throws IOException, InterruptedException {
        return call(method, path, json, idempotencyKey == null ? Map.of() : Map.of("Idempotency-Key", idempotencyKey));
    }

    /** A request with these headers added. */
    Reply call(String method, String path, String json, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(15))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        headers.forEach(b::header);
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        String raw = r.body();
        JsonNode body = raw == null || raw.isBlank() ? null : JSON.readTree(raw);
        return new Reply(r.statusCode(), body, raw);
    }

    /** Like {@link #call} but fails the test on an I/O error or an unexpected status. */
    Reply expect(int status, String method, String path, String json) throws IOException, InterruptedException {
        Reply r = call(method, path, json);
        if (r.status() != status) {
            throw new AssertionError(method + " " + path + " " + (json == null ? "" : json) + ": expected " + status + ", got " + r);
        }
        return r;
    }

    /** {@code http://127.0.0.1:<port>}. */
    String baseUrl() {
        return base;
    }

    /** SIGKILL (Process.destroyForcibly on Linux), then waits for the process to be gone. Returns its exit code. */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
        http.close();
        return process.exitValue();
    }

    String log() {
        try {
            String all = Files.readString(log);
            return all.length() > 8000 ? all.substring(all.length() - 8000) : all;
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        }
        http.close();
    }
}
