package dev.sluice.server.webhooks;

import static dev.sluice.server.Api.j;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.semaphore.Delivery;
import dev.sluice.core.semaphore.SemaphoreConfig;
import dev.sluice.server.Api.Res;
import dev.sluice.server.ServerSettings;
import dev.sluice.server.TestServer;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhook URLs a node refuses (metadata, link-local, outside an allow-list): when configured, with
 * a 400 that writes nothing, and at delivery, against the addresses the name resolves to then,
 * as a failed attempt that says why. Deliveries go over real sockets to a {@link Receiver}.
 */
class WebhookSafetyTest {
    @TempDir
    Path dataDir;

    @Test
    void aMetadataOrLinkLocalUrlIsRefusedWhenConfiguredAndNothingIsWritten() {
        try (TestServer server = TestServer.start(dataDir)) {
            for (String url : List.of("http://169.254.169.254/latest/meta-data/", "http://metadata.google.internal/computeMetadata/v1/",
                    "http://[fe80::1]:8080/hook", "http://[fd00:ec2::254]/latest/api/token")) {
                String name = TestServer.name("ssrf");
                Res r = server.api().put("/v1/semaphores/" + name, j("{'limit':1,'delivery':{'mode':'webhook','url':'" + url + "'}}"));
                assertThat(r.status()).as(r.toString()).isEqualTo(400);
                assertThat(r.contentType()).startsWith("application/problem+json");
                assertThat(r.str("code")).isEqualTo("invalid_argument");
                assertThat(r.str("detail")).startsWith("delivery.url is refused: ");
                assertThat(server.api().get("/v1/semaphores/" + name).status()).as("nothing written").isEqualTo(404);
            }
            // a PATCH to such a URL leaves the semaphore as it was
            String name = server.semaphore("ssrf-patch", "{'limit':2}");
            Res patch = server.api().patch("/v1/semaphores/" + name,
                    j("{'delivery':{'mode':'webhook','url':'http://169.254.169.254/latest/meta-data/'}}"));
            assertThat(patch.status()).as(patch.toString()).isEqualTo(400);
            assertThat(patch.str("detail")).contains("169.254.169.254, a cloud metadata address");
            assertThat(server.api().get("/v1/semaphores/" + name).json().get("delivery").get("mode").asString()).isEqualTo("pull");
        }
    }

    @Test
    void outsideTheAllowListAUrlIsRefusedWhenConfiguredAndANameWhenItsAddressIsNot() throws Exception {
        try (Receiver receiver = Receiver.answering(200);
             TestServer server = TestServer.start(dataDir, s -> s.withSecurity(s.security()
                     .withWebhookTargets(WebhookTargets.allowList("10.0.0.0/8,*.example.com"))))) {
            Hooks hooks = new Hooks(server);
            Res literal = server.api().put("/v1/semaphores/" + TestServer.name("outside"),
                    j("{'limit':1,'delivery':{'mode':'webhook','url':'" + receiver.url() + "'}}"));
            assertThat(literal.status()).as(literal.toString()).isEqualTo(400);
            assertThat(literal.str("detail")).contains("127.0.0.1, which the webhook allow-list does not allow");

            // a name is judged by what it resolves to when the delivery connects: localhost is loopback, not 10/8
            Hooks.Created named = hooks.webhook("by-name", "http://localhost:" + receiver.port() + "/hook",
                    "'limit':1,'retry':{'maxAttempts':1}", "");
            String job = hooks.enqueue(named.name(), "{'n':1}");
            hooks.awaitAll(named.name(), List.of(job), "dead", 30);
            String lastError = hooks.job(named.name(), job).get("lastError").asString();
            assertThat(lastError).startsWith("refused by this node: localhost resolves to ")
                    .contains("which the webhook allow-list does not allow (--webhook-allow 10.0.0.0/8,*.example.com)");
            assertThat(receiver.deliveries()).as("no request reached the receiver").isEmpty();
            assertThat(server.state(named.name()).get("inUse").asInt()).isZero();
        }
    }

    @Test
    void aDeliveryConnectsOnlyToTheAddressesItsNameResolvedToThatAreAllowed() throws Exception {
        // DNS that answers what the test says: a rebinding name, and one with a harmful and a harmless address
        WebhookTargets.Resolver dns = host -> switch (host) {
            case "evil.test" -> new InetAddress[] {InetAddress.ofLiteral("169.254.169.254")};
            case "mixed.test" -> new InetAddress[] {InetAddress.ofLiteral("169.254.169.254"), InetAddress.ofLiteral("127.0.0.1")};
            default -> throw new UnknownHostException(host);
        };
        WebhookTargets targets = WebhookTargets.defaults().withResolver(dns);
        targets.checkUrl("http://evil.test/hook");   // a name passes when configured: its address is checked at delivery
        try (Receiver receiver = Receiver.answering(204); WebhookClient client = new WebhookClient(targets)) {
            WebhookClient.Answer refused = client.post(URI.create("http://evil.test:" + receiver.port() + "/hook"),
                    Map.of("Content-Type", "application/json"), "{}".getBytes(), Duration.ofSeconds(10), "PT10S");
            assertThat(refused.accepted()).isFalse();
            assertThat(refused.error()).isEqualTo("refused by this node: evil.test resolves to 169.254.169.254, a cloud metadata "
                    + "address, which webhooks may never reach");

            WebhookClient.Answer mixed = client.post(URI.create("http://mixed.test:" + receiver.port() + "/hook"),
                    Map.of("Content-Type", "application/json"), "{}".getBytes(), Duration.ofSeconds(10), "PT10S");
            assertThat(mixed.accepted()).as(mixed.toString()).isTrue();
            assertThat(receiver.deliveries()).hasSize(1);

            WebhookClient.Answer unknown = client.post(URI.create("http://nowhere.test:" + receiver.port() + "/hook"),
                    Map.of(), "{}".getBytes(), Duration.ofSeconds(10), "PT10S");
            assertThat(unknown.error()).startsWith("could not connect");
        }
    }

    @Test
    void aConfigFileDeclaringARefusedUrlStopsTheStart() {
        SemaphoreConfig config = SemaphoreConfig.ofLimit(1).withDelivery(Delivery.webhook("http://169.254.169.254/", null, false));
        assertThatThrownBy(() -> TestServer.start(dataDir, s -> s.withSemaphores(List.of(new ServerSettings.DeclaredSemaphore("meta", config)))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("semaphore meta of the config file: delivery.url is refused: 169.254.169.254");
    }
}
