package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.cli.ServerProcess.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice server} as an operator runs it, in a child process: bound off loopback it asks
 * for keys or refuses to start, and the keys it is given or makes never reach its log or its
 * data directory in clear.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SecureServerProcessTest {
    private static final String ADMIN = "cli-admin-key-0123456789abcdef0123456789abcdef";

    @TempDir
    Path tmp;

    @Test
    void offLoopbackWithoutAKeyItRefusesToStartSayingWhatToDo() throws Exception {
        Path log = tmp.resolve("refused.log");
        int exit = ServerProcess.runUntilExit(tmp.resolve("data"), log, Map.of(), Duration.ofSeconds(90), "--bind", "0.0.0.0");
        assertThat(exit).isEqualTo(2);
        assertThat(Files.readString(log)).contains("not a loopback address", "SLUICE_ADMIN_KEY", "--admin-key-file", "--insecure");

        Path shortKey = Files.writeString(tmp.resolve("short.key"), "tooshort\n");
        int exit2 = ServerProcess.runUntilExit(tmp.resolve("data"), tmp.resolve("short.log"), Map.of(), Duration.ofSeconds(90),
                "--bind", "0.0.0.0", "--admin-key-file", shortKey.toString());
        assertThat(exit2).isEqualTo(2);
        assertThat(Files.readString(tmp.resolve("short.log"))).contains("32").doesNotContain("tooshort");

        int exit3 = ServerProcess.runUntilExit(tmp.resolve("data"), tmp.resolve("bogus.log"), Map.of(), Duration.ofSeconds(90),
                "--auth", "sometimes");
        assertThat(exit3).isEqualTo(2);
        assertThat(Files.readString(tmp.resolve("bogus.log"))).contains("--auth must be auto or required");
    }

    @Test
    void offLoopbackWithAnAdminKeyItAsksForKeysAndKeepsThemOutOfItsLogAndDataInClear() throws Exception {
        Path data = tmp.resolve("data");
        Path log = tmp.resolve("server.log");
        String made;
        try (ServerProcess s = ServerProcess.start(data, log, Map.of("SLUICE_ADMIN_KEY", ADMIN), null, "--bind", "0.0.0.0")) {
            assertThat(s.call("GET", "/v1/semaphores", null).status()).isEqualTo(401);
            assertThat(s.call("GET", "/healthz", null).status()).isEqualTo(200);
            Map<String, String> admin = Map.of("Authorization", "Bearer " + ADMIN);
            assertThat(s.call("PUT", "/v1/semaphores/ops", "{\"limit\": 1}", admin).status()).isEqualTo(201);
            Reply key = s.call("POST", "/v1/keys", "{\"name\": \"worker\", \"scopes\": [\"use:ops\"]}", admin);
            assertThat(key.status()).as(key.toString()).isEqualTo(201);
            made = key.str("key");
            Map<String, String> worker = Map.of("Authorization", "Bearer " + made);
            assertThat(s.call("POST", "/v1/semaphores/ops/permits", null, worker).status()).isEqualTo(201);
            assertThat(s.call("POST", "/v1/semaphores/ops/permits", null, worker).status()).isEqualTo(429);
            assertThat(s.call("DELETE", "/v1/semaphores/ops", null, worker).status()).isEqualTo(403);
            assertThat(s.call("GET", "/v1/semaphores/ops", null, Map.of("Authorization", "Bearer " + made + "x")).status()).isEqualTo(401);
        }
        String logged = Files.readString(log);
        assertThat(logged).contains("API keys required").contains("travel in clear");
        assertThat(logged).doesNotContain(ADMIN).doesNotContain(made);
        String stored = allBytes(data);
        assertThat(stored).doesNotContain(ADMIN).doesNotContain(made);
        assertThat(stored).as("what is stored instead").contains(dev.sluice.server.security.Secrets.hash(made));
    }

    @Test
    void offLoopbackInsecureItServesWithoutKeysAndSaysSoLoudly() throws Exception {
        Path log = tmp.resolve("insecure.log");
        try (ServerProcess s = ServerProcess.start(tmp.resolve("data"), log, Map.of(), null, "--host", "0.0.0.0", "--insecure")) {
            assertThat(s.call("PUT", "/v1/semaphores/open", "{\"limit\": 1}").status()).isEqualTo(201);
        }
        assertThat(Files.readString(log)).contains("INSECURE");
    }

    private static String allBytes(Path dir) throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                all.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
            }
        }
        return all.toString();
    }
}
