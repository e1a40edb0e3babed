package dev.sluice.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.Api;
import dev.sluice.server.Api.Res;
import dev.sluice.server.ServerSettings;
import dev.sluice.server.TestServer;
import java.nio.file.Path;
import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** A test node that asks for API keys (--auth required) with a configured admin key, and calls with a key. */
final class SecureNode implements AutoCloseable {
    static final String ADMIN_KEY = "test-admin-key-0123456789abcdef0123456789abcdef";

    final TestServer server;
    final Api api;

    private SecureNode(TestServer server) {
        this.server = server;
        this.api = server.api();
    }

    static SecureNode start(Path dataDir) {
        return start(ServerSettings.defaults().withPort(0).withDataDir(dataDir), SecuritySettings.defaults());
    }

    static SecureNode start(ServerSettings settings, SecuritySettings security) {
        SecuritySettings s = security.adminKey() == null ? security.withAdminKey(ADMIN_KEY) : security;
        return new SecureNode(TestServer.start(settings.withSecurity(s.withAuth(AuthMode.REQUIRED))));
    }

    /** A request with {@code Authorization: Bearer key}; {@code key} null sends none. */
    Res call(String key, String method, String path, Object body) {
        return key == null ? api.send(method, path, body) : api.send(method, path, body, "Authorization", "Bearer " + key);
    }

    Res admin(String method, String path, Object body) {
        return call(ADMIN_KEY, method, path, body);
    }

    /** Makes a key with these scopes through the API; returns its secret. */
    String key(String name, String... scopes) {
        return create(name, scopes).str("key");
    }

    Res create(String name, String... scopes) {
        ObjectNode body = Api.MAPPER.createObjectNode();
        body.put("name", name);
        ArrayNode s = body.putArray("scopes");
        List.of(scopes).forEach(s::add);
        Res r = admin("POST", "/v1/keys", body);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r;
    }

    @Override
    public void close() {
        server.close();
    }
}
