package dev.sluice.server.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.SluiceException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The rules of {@link WebhookTargets}: what a URL may name, and which resolved addresses a delivery may use. */
class WebhookTargetsTest {

    private static InetAddress ip(String literal) {
        return InetAddress.ofLiteral(literal);
    }

    /** A resolver that answers from a table, each name in turn with the next of its answers (the last one repeats). */
    private static WebhookTargets.Resolver table(Map<String, List<List<String>>> answers) {
        Map<String, Deque<List<String>>> left = new java.util.HashMap<>();
        answers.forEach((k, v) -> left.put(k, new ArrayDeque<>(v)));
        return host -> {
            Deque<List<String>> q = left.get(host);
            if (q == null) {
                throw new UnknownHostException(host);
            }
            List<String> next = q.size() > 1 ? q.poll() : q.peek();
            return next.stream().map(WebhookTargetsTest::ip).toArray(InetAddress[]::new);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "http://169.254.169.254/latest/meta-data/", "http://169.254.170.2/v2/credentials", "http://169.254.1.1:8080/",
        "http://[fe80::1]/hook", "http://[fd00:ec2::254]/latest", "http://100.100.100.200/", "http://168.63.129.16/",
        "http://metadata.google.internal/computeMetadata/v1/", "http://METADATA.google.internal./", "http://metadata.goog/",
        "http://metadata/", "http://instance-data/latest/", "http://[::ffff:169.254.169.254]/", "http://2852039166/",
        "http://0.0.0.0:9000/", "http://[::]/", "http://224.0.0.1/"
    })
    void metadataLinkLocalAndNonAddressesAreRefusedByDefault(String url) {
        assertThatThrownBy(() -> WebhookTargets.defaults().checkUrl(url))
                .isInstanceOfSatisfying(SluiceException.class, e -> assertThat(e.code().wireName()).isEqualTo("invalid_argument"))
                .hasMessageStartingWith("delivery.url is refused: ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:8080/hook", "http://localhost/", "http://[::1]/", "http://10.1.2.3/",
        "http://192.168.0.10/", "http://172.16.5.4/", "https://hooks.example.com/sluice", "http://[fd12:3456::1]/"})
    void loopbackPrivateAndPublicTargetsAreAllowedByDefault(String url) {
        assertThatCode(() -> WebhookTargets.defaults().checkUrl(url)).doesNotThrowAnyException();
    }

    @Test
    void theRefusalSaysWhy() {
        assertThatThrownBy(() -> WebhookTargets.defaults().checkUrl("http://169.254.169.254/"))
                .hasMessageContaining("169.254.169.254, a cloud metadata address");
        assertThatThrownBy(() -> WebhookTargets.defaults().checkUrl("http://169.254.3.4/"))
                .hasMessageContaining("link-local").hasMessageContaining("--webhook-allow");
        assertThatThrownBy(() -> WebhookTargets.defaults().checkUrl("http://metadata.google.internal/"))
                .hasMessageContaining("metadata.google.internal is a cloud metadata service");
    }

    @Test
    void anAllowListOfHostsAllowsThoseNamesOnly() {
        WebhookTargets t = WebhookTargets.allowList("hooks.example.com, *.internal.example.org");
        assertThat(t.restricted()).isTrue();
        assertThatCode(() -> t.checkUrl("https://hooks.example.com/x")).doesNotThrowAnyException();
        assertThatCode(() -> t.checkUrl("https://a.b.internal.example.org/x")).doesNotThrowAnyException();
        assertThatThrownBy(() -> t.checkUrl("https://internal.example.org/x")).hasMessageContaining("not in the webhook allow-list");
        assertThatThrownBy(() -> t.checkUrl("https://evil.com/x")).hasMessageContaining("not in the webhook allow-list");
        assertThatThrownBy(() -> t.checkUrl("https://hooks.example.com.evil.com/x")).hasMessageContaining("not in the webhook allow-list");
        assertThatThrownBy(() -> t.checkUrl("http://127.0.0.1/x")).hasMessageContaining("the webhook allow-list does not allow");
        // an allowed name never unlocks a refused address
        WebhookTargets rebinding = t.withResolver(table(Map.of("hooks.example.com", List.of(List.of("169.254.169.254")))));
        assertThatThrownBy(() -> rebinding.addresses("hooks.example.com", 80))
                .isInstanceOf(WebhookTargets.RefusedTarget.class).hasMessageContaining("a cloud metadata address");
    }

    @Test
    void anAllowListOfBlocksAllowsAddressesInsideThem() throws Exception {
        WebhookTargets t = WebhookTargets.allowList("10.0.0.0/8 fd00::/8,127.0.0.1").withResolver(table(Map.of(
                "inside.test", List.of(List.of("10.9.8.7")),
                "outside.test", List.of(List.of("192.168.1.1")),
                "mixed.test", List.of(List.of("192.168.1.1", "10.1.1.1", "fd00::5")))));
        assertThatCode(() -> t.checkUrl("http://10.2.3.4/")).doesNotThrowAnyException();
        assertThatCode(() -> t.checkUrl("http://127.0.0.1:9/")).doesNotThrowAnyException();
        assertThatThrownBy(() -> t.checkUrl("http://127.0.0.2/")).hasMessageContaining("allow-list does not allow");
        assertThatCode(() -> t.checkUrl("http://any.name.test/")).as("names are judged by their addresses, at delivery")
                .doesNotThrowAnyException();
        assertThat(t.addresses("inside.test", 80)).containsExactly(new InetSocketAddress(ip("10.9.8.7"), 80));
        assertThat(t.addresses("mixed.test", 443)).as("only the allowed addresses are used")
                .containsExactly(new InetSocketAddress(ip("10.1.1.1"), 443), new InetSocketAddress(ip("fd00::5"), 443));
        assertThatThrownBy(() -> t.addresses("outside.test", 80)).isInstanceOf(WebhookTargets.RefusedTarget.class)
                .hasMessage("outside.test resolves to 192.168.1.1, which the webhook allow-list does not allow "
                        + "(--webhook-allow 10.0.0.0/8,fd00::/8,127.0.0.1)");
    }

    @Test
    void linkLocalIsReachableOnlyThroughABlockInsideIt() throws Exception {
        WebhookTargets inside = WebhookTargets.allowList("169.254.10.0/24");
        assertThatCode(() -> inside.checkUrl("http://169.254.10.5/")).doesNotThrowAnyException();
        assertThatThrownBy(() -> inside.checkUrl("http://169.254.11.5/")).hasMessageContaining("link-local");
        WebhookTargets everything = WebhookTargets.allowList("0.0.0.0/0");
        assertThatThrownBy(() -> everything.checkUrl("http://169.254.10.5/")).as("a block merely containing link-local is no opt-in")
                .hasMessageContaining("link-local");
        WebhookTargets metadata = WebhookTargets.allowList("169.254.169.0/24");
        assertThatThrownBy(() -> metadata.checkUrl("http://169.254.169.254/")).as("metadata addresses never")
                .hasMessageContaining("cloud metadata address");
    }

    @Test
    void aNameIsCheckedByTheAddressesItResolvesToAtEachConnection() throws Exception {
        // DNS rebinding: a harmless answer when the URL is configured, the metadata address when delivering
        WebhookTargets t = WebhookTargets.defaults().withResolver(table(Map.of(
                "rebind.test", List.of(List.of("93.184.216.34"), List.of("169.254.169.254")),
                "six.test", List.of(List.of("::ffff:169.254.169.254", "fe80::1")))));
        t.checkUrl("http://rebind.test/hook");
        assertThat(t.addresses("rebind.test", 80)).containsExactly(new InetSocketAddress(ip("93.184.216.34"), 80));
        assertThatThrownBy(() -> t.addresses("rebind.test", 80)).isInstanceOf(WebhookTargets.RefusedTarget.class)
                .hasMessage("rebind.test resolves to 169.254.169.254, a cloud metadata address, which webhooks may never reach");
        assertThatThrownBy(() -> t.addresses("six.test", 80)).isInstanceOf(WebhookTargets.RefusedTarget.class)
                .hasMessageContaining("169.254.169.254");
        assertThatThrownBy(() -> t.addresses("metadata.google.internal", 80)).isInstanceOf(WebhookTargets.RefusedTarget.class);
        assertThatThrownBy(() -> t.addresses("unknown.test", 80)).isInstanceOf(UnknownHostException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"hooks..example.com", "*", "**.example.com", "10.0.0.0/33", "fd00::/129", "10.0.0.0/x", "exa_mple.com",
        "http://hooks.example.com", "a.*.example.com"})
    void aBadAllowListEntryIsRefusedNamingIt(String entry) {
        assertThatThrownBy(() -> WebhookTargets.allowList("hooks.example.com," + entry))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(entry);
    }

    @Test
    void aBlankAllowListIsNone() {
        assertThat(WebhookTargets.allowList("  ").restricted()).isFalse();
        assertThat(WebhookTargets.allowList(null).restricted()).isFalse();
    }
}
