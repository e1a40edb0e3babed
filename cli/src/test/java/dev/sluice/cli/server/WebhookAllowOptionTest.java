package dev.sluice.cli.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.SluiceException;
import dev.sluice.server.security.SecuritySettings;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code sluice server --webhook-allow}: parsed into the node's webhook targets, a bad entry named. */
class WebhookAllowOptionTest {

    private static SecuritySettings parse(String... args) {
        SecurityOptions options = new SecurityOptions();
        new CommandLine(options).parseArgs(args);
        return options.settings(null);
    }

    @Test
    void theListRestrictsWebhookTargets() {
        SecuritySettings s = parse("--webhook-allow", "*.hooks.example.com, 10.0.0.0/8");
        assertThat(s.webhookTargets().restricted()).isTrue();
        s.webhookTargets().checkUrl("https://a.hooks.example.com/x");
        s.webhookTargets().checkUrl("http://10.1.2.3/x");
        assertThatThrownBy(() -> s.webhookTargets().checkUrl("http://192.168.1.1/x")).isInstanceOf(SluiceException.class)
                .hasMessageContaining("allow-list does not allow");
    }

    @Test
    void withoutItOnlyMetadataAndLinkLocalAreRefused() {
        SecuritySettings s = parse();
        assertThat(s.webhookTargets().restricted()).isFalse();
        s.webhookTargets().checkUrl("http://127.0.0.1:9000/x");
        assertThatThrownBy(() -> s.webhookTargets().checkUrl("http://169.254.169.254/")).isInstanceOf(SluiceException.class);
    }

    @Test
    void aBadEntryIsNamed() {
        assertThatThrownBy(() -> parse("--webhook-allow", "hooks.example.com,not a/host"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a/host' is not an address or CIDR block");
        assertThatThrownBy(() -> parse("--webhook-allow", "10.0.0.0/40"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'10.0.0.0/40': the prefix length must be 0 … 32");
    }
}
