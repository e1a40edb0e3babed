package dev.sluice.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.server.Api;
import dev.sluice.server.ServerSettings;
import dev.sluice.server.SluiceServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When a node asks for keys, and when it refuses to start. */
class AuthModesTest {
    @TempDir
    Path tmp;

    private ServerSettings on(String host, SecuritySettings security) {
        return ServerSettings.defaults().withHost(host).withPort(0).withDataDir(tmp).withSecurity(security);
    }

    @Test
    void onLoopbackNoKeyIsAskedForByDefault() {
        try (SluiceServer server = SluiceServer.start(on("127.0.0.1", SecuritySettings.defaults()))) {
            assertThat(new Api(server.port()).get("/v1/semaphores").status()).isEqualTo(200);
            assertThat(new Api(server.port()).post("/v1/keys", Api.j("{'name':'k','scopes':['admin']}")).status())
                    .as("keys can be made before they are asked for").isEqualTo(201);
        }
    }

    @Test
    void offLoopbackWithoutAnyKeyTheNodeRefusesToStartAndSaysWhatToDo() {
        assertThatThrownBy(() -> SluiceServer.start(on("0.0.0.0", SecuritySettings.defaults())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0.0.0.0").hasMessageContaining("not a loopback address")
                .hasMessageContaining("SLUICE_ADMIN_KEY").hasMessageContaining("--admin-key-file").hasMessageContaining("--insecure");
        assertThatThrownBy(() -> SluiceServer.start(on("127.0.0.1", SecuritySettings.defaults().withAuth(AuthMode.REQUIRED))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--auth required");
    }

    @Test
    void offLoopbackWithAnAdminKeyEveryRequestNeedsAKey() {
        SecuritySettings s = SecuritySettings.defaults().withAdminKey(SecureNode.ADMIN_KEY);
        try (SluiceServer server = SluiceServer.start(on("0.0.0.0", s))) {
            Api api = new Api(server.port());
            assertThat(api.get("/v1/semaphores").status()).isEqualTo(401);
            assertThat(api.send("GET", "/v1/semaphores", null, "Authorization", "Bearer " + SecureNode.ADMIN_KEY).status()).isEqualTo(200);
            assertThat(api.get("/healthz").status()).isEqualTo(200);
        }
    }

    @Test
    void offLoopbackInsecureServesWithoutKeys() {
        try (SluiceServer server = SluiceServer.start(on("0.0.0.0", SecuritySettings.defaults().withInsecure(true)))) {
            assertThat(new Api(server.port()).get("/v1/semaphores").status()).isEqualTo(200);
        }
    }

    @Test
    void authRequiredAsksForKeysOnLoopbackToo() {
        SecuritySettings s = SecuritySettings.defaults().withAuth(AuthMode.REQUIRED).withAdminKey(SecureNode.ADMIN_KEY);
        try (SluiceServer server = SluiceServer.start(on("127.0.0.1", s))) {
            assertThat(new Api(server.port()).get("/v1/semaphores").status()).isEqualTo(401);
        }
    }

    @Test
    void contradictoryOrWeakSettingsAreRefused() {
        assertThatThrownBy(() -> SecuritySettings.defaults().withAuth(AuthMode.REQUIRED).withInsecure(true))
                .hasMessageContaining("contradict");
        assertThatThrownBy(() -> SecuritySettings.defaults().withAdminKey("short"))
                .hasMessageContaining("32").hasMessageContaining("openssl rand -hex 32").hasMessageNotContaining("short");
        assertThatThrownBy(() -> SecuritySettings.defaults().withAdminKey("has a space in it, so it is refused here!!"))
                .hasMessageContaining("visible ASCII");
        assertThatThrownBy(() -> SecuritySettings.defaults().withTls(tmp.resolve("cert.pem"), null)).hasMessageContaining("both");
        assertThat(SecuritySettings.defaults().withAdminKey(SecureNode.ADMIN_KEY).toString()).doesNotContain(SecureNode.ADMIN_KEY);
    }

    @Test
    void loopbackIsToldByAddressNotByName() {
        assertThat(Security.isLoopback("127.0.0.1")).isTrue();
        assertThat(Security.isLoopback("127.1.2.3")).isTrue();
        assertThat(Security.isLoopback("::1")).isTrue();
        assertThat(Security.isLoopback("localhost")).isTrue();
        assertThat(Security.isLoopback("0.0.0.0")).isFalse();
        assertThat(Security.isLoopback("::")).isFalse();
        assertThat(Security.isLoopback("no-such-host.invalid")).isFalse();
    }
}
