package dev.sluice.client;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * An API key as the server lists it ({@code GET /v1/keys}): never its secret, nor a hash of it.
 *
 * @param id         the id to revoke it by, e.g. {@code key_3f9c0a1b2c3d4e5f}
 * @param name       what it is for
 * @param scopes     its scopes: {@code admin}, {@code metrics}, {@code manage:<pattern>}, {@code use:<pattern>}
 * @param createdAt  when it was made ({@code null} if the server did not say)
 * @param configured true for the node's configured admin key ({@code SLUICE_ADMIN_KEY}), which the API cannot revoke
 * @param raw        the whole JSON object
 */
public record ApiKeyView(String id, String name, List<String> scopes, Instant createdAt, boolean configured, JsonNode raw) {

    public ApiKeyView {
        scopes = List.copyOf(scopes);
    }

    static ApiKeyView from(JsonNode n, int status) {
        List<String> scopes = new ArrayList<>();
        JsonNode s = Json.field(n, "scopes");
        if (s != null && s.isArray()) {
            s.forEach(v -> {
                if (v.isString()) {
                    scopes.add(v.stringValue());
                }
            });
        }
        String name = Json.string(n, "name");
        return new ApiKeyView(Json.required(n, "id", status), name == null ? "" : name, scopes,
                Json.instant(n, "createdAt"), "config".equals(Json.string(n, "source")), n);
    }
}
