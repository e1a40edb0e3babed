package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.cli.config.ConfigFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The config file: what it reads, what it refuses, and a node started with it. */
class ConfigFileTest {

    @TempDir
    Path tmp;

    private ConfigFile read(String yaml) throws Exception {
        Path f = tmp.resolve("sluice.yaml");
        Files.writeString(f, yaml);
        return ConfigFile.read(f);
    }

    @Test
    void readsServerSettingsAndSemaphoresInFileOrder() throws Exception {
        ConfigFile c = read("""
                server:
                  port: 9090
                  host: 127.0.0.1
                  data: ./somewhere
                  maxPayload: 1MiB
                semaphores:
                  - name: partner-api
                    limit: 10
                    leaseTimeout: 30s
                  - name: gpu
                    limit: 4
                    channelLimit: 2
                """);
        assertThat(c.server().port()).isEqualTo(9090);
        assertThat(c.server().data()).isEqualTo(Path.of("./somewhere"));
        assertThat(c.server().maxPayloadBytes()).isEqualTo(1024 * 1024);
        assertThat(c.semaphores()).extracting(ConfigFile.Semaphore::name).containsExactly("partner-api", "gpu");
        assertThat(c.semaphores().get(0).declared().config().leaseTimeout()).hasSeconds(30);
        assertThat(c.semaphores().get(1).declared().config().channelLimit()).isEqualTo(2);
        assertThat(c.semaphores().get(1).body().has("name")).as("the PUT body carries no name").isFalse();
    }

    @Test
    void declaresAWebhookSemaphoreWithItsSecretAsDocumented() throws Exception {
        ConfigFile c = read("""
                semaphores:
                  - name: emails
                    limit: 10
                    delivery: {mode: webhook, url: "https://processor.example.com/sluice", timeout: 30s,
                               secret: "whsec_0f9e8d7c6b5a49382716"}
                    retry: {maxAttempts: 8, onExhausted: {forward: emails-fallback}}
                """);
        var config = c.semaphores().getFirst().declared().config();
        assertThat(config.delivery().isWebhook()).isTrue();
        assertThat(config.delivery().secret()).isEqualTo("whsec_0f9e8d7c6b5a49382716");
        assertThat(config.delivery().toString()).doesNotContain("whsec_0f9e8d7c6b5a49382716");
        assertThat(config.retry().forwardTo()).isEqualTo("emails-fallback");
    }

    @Test
    void anEmptyFileDeclaresNothing() throws Exception {
        ConfigFile c = read("");
        assertThat(c.semaphores()).isEmpty();
        assertThat(c.server().port()).isNull();
    }

    @Test
    void refusesWhatItCannotUseAndSaysWhere() {
        assertThatThrownBy(() -> read("servr:\n  port: 1\n")).hasMessageContaining("unknown key servr");
        assertThatThrownBy(() -> read("server:\n  port: 70000\n")).hasMessageContaining("server.port");
        assertThatThrownBy(() -> read("server:\n  maxPayload: lots\n")).hasMessageContaining("server.maxPayload");
        assertThatThrownBy(() -> read("semaphores:\n  - limit: 3\n")).hasMessageContaining("semaphores[0]", "name");
        assertThatThrownBy(() -> read("semaphores:\n  - name: Bad Name\n    limit: 3\n")).hasMessageContaining("semaphores[0]");
        assertThatThrownBy(() -> read("semaphores:\n  - name: a\n    limit: -1\n")).hasMessageContaining("(a)", "limit");
        assertThatThrownBy(() -> read("semaphores:\n  - name: a\n    limit: 1\n  - name: a\n    limit: 2\n"))
                .hasMessageContaining("declared twice");
        assertThatThrownBy(() -> read("semaphores: [\n")).hasMessageContaining("not valid YAML");
    }

    @Test
    void aNodeStartedWithTheFileHasItsSemaphoresAndAFlagWinsOverTheFile() throws Exception {
        Path data = tmp.resolve("data");
        Path config = tmp.resolve("sluice.yaml");
        // The file asks for port 1, which the test's --port flag must override.
        Files.writeString(config, """
                server:
                  port: 1
                semaphores:
                  - name: partner-api
                    limit: 3
                """);
        try (ServerProcess server = ServerProcess.start(data, tmp.resolve("log1"), "--config", config.toString())) {
            var view = server.call("GET", "/v1/semaphores/partner-api", null);
            assertThat(view.status()).isEqualTo(200);
            assertThat(view.body().get("limit").asInt()).isEqualTo(3);
        }
        // The file is the truth for what it declares: a changed limit is applied at the next start.
        Files.writeString(config, "semaphores:\n  - name: partner-api\n    limit: 7\n");
        try (ServerProcess server = ServerProcess.start(data, tmp.resolve("log2"), "--config", config.toString())) {
            assertThat(server.call("GET", "/v1/semaphores/partner-api", null).body().get("limit").asInt()).isEqualTo(7);
        }
    }

    @Test
    void aBadFileStopsTheServerWithExit2AndTheReason() {
        Path config = tmp.resolve("bad.yaml");
        CliTest.Run r;
        try {
            Files.writeString(config, "semaphores:\n  - name: x\n    limit: nope\n");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        r = CliTest.run("server", "--config", config.toString(), "--port", "0", "--data", tmp.resolve("d").toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("semaphores[0]", "limit");
    }
}
