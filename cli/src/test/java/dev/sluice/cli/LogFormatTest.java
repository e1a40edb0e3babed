package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** {@code sluice server --log-format json}: one JSON object per line, audit entries with their fields. */
class LogFormatTest {
    @TempDir
    Path dir;

    @Test
    void jsonLogsCarryTheAuditFields() throws Exception {
        Path log = dir.resolve("server.log");
        try (ServerProcess server = ServerProcess.start(dir.resolve("data"), log, "--log-format", "json")) {
            server.expect(201, "PUT", "/v1/semaphores/logged", "{\"limit\":2}");
            server.expect(200, "PATCH", "/v1/semaphores/logged", "{\"limit\":3}");
            await().atMost(Duration.ofSeconds(10)).until(() -> server.log().contains("\"action\""));
            List<String> lines = Arrays.stream(server.log().split("\n")).filter(l -> l.startsWith("{")).toList();
            assertThat(lines).isNotEmpty();
            List<JsonNode> entries = lines.stream().map(l -> ServerProcess.JSON.readTree(l)).toList();
            JsonNode change = entries.stream().filter(e -> "sluice.audit".equals(e.path("loggerName").asString(null))
                    && e.toString().contains("\"configure\"")).findFirst().orElseThrow(() -> new AssertionError(server.log()));
            assertThat(change.get("level").asString()).isEqualTo("INFO");
            assertThat(change.get("formattedMessage").asString()).contains("semaphore logged configured by remote:127.0.0.1");
            String kv = change.get("kvpList").toString();
            assertThat(kv).contains("\"actor\"").contains("remote:127.0.0.1").contains("\"semaphore\"").contains("logged");
            assertThat(kv).contains("\\\"limit\\\":2").contains("\\\"limit\\\":3");
        }
    }

    @Test
    void anUnknownFormatIsRefusedWithExit2() {
        CliTest.Run run = CliTest.run("server", "--log-format", "xml", "--port", "0", "--data", dir.resolve("d").toString());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("--log-format must be text or json");
    }
}
