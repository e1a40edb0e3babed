package dev.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.server.TestServer;
import dev.sluice.server.security.AuthMode;
import dev.sluice.server.security.SecuritySettings;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key management through the SDK ({@code sluice.keys()}), against a real node that asks for keys. */
class ApiKeysTest {
    static final String ADMIN = "sdk-admin-key-0123456789abcdef0123456789";

    @TempDir
    static Path dataDir;
    static TestServer server;
    static Sluice admin;

    @BeforeAll
    static void start() {
        server = TestServer.start(dataDir, s -> s.withSecurity(
                SecuritySettings.defaults().withAuth(AuthMode.REQUIRED).withAdminKey(ADMIN)));
        admin = client(ADMIN);
    }

    @AfterAll
    static void stop() {
        admin.close();
        server.close();
    }

    static Sluice client(String key) {
        return Sluice.builder().baseUrl("http://127.0.0.1:" + server.port()).apiKey(key).build();
    }

    @Test
    void aKeyIsMadeWithItsScopesListedWithoutItsSecretAndRevokedAtOnce() {
        String name = TestServer.name("keys");
        admin.semaphore(name).create(1);

        CreatedApiKey made = admin.keys().create("workers of " + name, List.of("use:" + name));
        assertThat(made.secret()).startsWith("sluice_");
        assertThat(made.key().id()).isNotBlank();
        assertThat(made.key().name()).isEqualTo("workers of " + name);
        assertThat(made.key().scopes()).containsExactly("use:" + name);
        assertThat(made.key().configured()).isFalse();
        assertThat(made.key().createdAt()).isNotNull();
        assertThat(made.toString()).doesNotContain(made.secret()).contains(made.key().id());

        List<ApiKeyView> listed = admin.keys().list();
        assertThat(listed).extracting(ApiKeyView::id).contains(made.key().id(), "config");
        assertThat(listed).filteredOn(ApiKeyView::configured).extracting(ApiKeyView::id).containsExactly("config");
        assertThat(listed.toString()).doesNotContain(made.secret());
        assertThat(listed.stream().filter(k -> k.id().equals(made.key().id())).findFirst().orElseThrow().raw().has("key"))
                .as("a list never shows a secret").isFalse();

        try (Sluice worker = client(made.secret())) {
            assertThat(worker.semaphore(name).tryAcquire()).as("the key works for its scope").isPresent();
            assertThatThrownBy(() -> worker.keys().list()).as("and for nothing else").isInstanceOf(ForbiddenException.class);

            admin.keys().revoke(made.key().id());

            assertThatThrownBy(() -> worker.semaphore(name).state()).isInstanceOf(UnauthorizedException.class);
        }
        assertThat(admin.keys().list()).extracting(ApiKeyView::id).doesNotContain(made.key().id());
        assertThatThrownBy(() -> admin.keys().revoke(made.key().id())).isInstanceOf(NotFoundException.class);
    }

    @Test
    void refusalsAreTyped() {
        assertThatThrownBy(() -> admin.keys().create("bad", List.of("root"))).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> admin.keys().create("none", List.of())).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> admin.keys().revoke("config")).isInstanceOf(ConflictException.class);
        try (Sluice nobody = client(null)) {
            assertThatThrownBy(() -> nobody.keys().list()).isInstanceOf(UnauthorizedException.class);
        }
        assertThat(admin.keys().createAsync("async", List.of("metrics")).join().key().scopes()).containsExactly("metrics");
    }
}
