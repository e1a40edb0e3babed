package dev.sluice.server.security;

import dev.sluice.core.Limits;
import dev.sluice.core.SluiceException;
import dev.sluice.core.access.ApiKey;
import dev.sluice.core.access.Scope;
import dev.sluice.server.audit.AuditLog;
import dev.sluice.server.http.Async;
import dev.sluice.server.http.Json;
import dev.sluice.store.json.Fields;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * API keys: {@code POST /v1/keys} makes one and shows its secret once; {@code GET /v1/keys} lists
 * them (never a secret); {@code DELETE /v1/keys/{id}} revokes one at once. Admin only (see {@link Access}).
 */
final class KeyRoutes {
    private final KeyRing keys;

    KeyRoutes(KeyRing keys) {
        this.keys = keys;
    }

    void register(RoutesConfig routes) {
        routes.post("/v1/keys", this::create);
        routes.get("/v1/keys", this::list);
        routes.get("/v1/keys/{id}", this::get);
        routes.delete("/v1/keys/{id}", this::revoke);
    }

    private void create(Context ctx) {
        JsonNode body = Json.body(ctx);
        Fields.onlyKnown(body, "key", Set.of("name", "scopes"));
        String name = name(Fields.string(body, "name", Limits.MAX_KEY_NAME_LENGTH));
        List<Scope> scopes = scopes(body.get("scopes"));
        Async.respond(ctx, keys.create(name, scopes), (c, created) -> {
            AuditLog.keyCreated(Actors.of(c), created.key());
            ObjectNode view = view(created.key());
            view.put("key", created.secret());
            c.header("Cache-Control", "no-store");
            Json.send(c, 201, view);
        });
    }

    private static String name(String name) {
        if (name == null || name.isBlank()) {
            throw SluiceException.invalid("name is required: what the key is for, e.g. \"billing workers\"");
        }
        if (name.codePoints().anyMatch(Character::isISOControl)) {
            throw SluiceException.invalid("name must not contain control characters");
        }
        return name.strip();
    }

    private static List<Scope> scopes(JsonNode raw) {
        if (raw == null || !raw.isArray() || raw.isEmpty() || raw.size() > Limits.MAX_SCOPES_PER_KEY) {
            throw SluiceException.invalid("scopes is required: an array of 1 to " + Limits.MAX_SCOPES_PER_KEY
                    + " of admin, metrics, manage:<pattern>, use:<pattern>");
        }
        Set<Scope> scopes = new LinkedHashSet<>();
        for (JsonNode s : raw) {
            if (!s.isString()) {
                throw SluiceException.invalid("scopes must hold strings such as \"use:pay-*\"");
            }
            scopes.add(Scope.parse(s.stringValue()));
        }
        return List.copyOf(scopes);
    }

    /** Lists what the store holds now (reloading first), plus the configured key. */
    private void list(Context ctx) {
        Async.respond(ctx, keys.load(), (c, loaded) -> {
            ObjectNode body = Json.object();
            ArrayNode items = body.putArray("items");
            keys.all().forEach(k -> items.add(view(k)));
            Json.send(c, 200, body);
        });
    }

    private void get(Context ctx) {
        String id = ctx.pathParam("id");
        Async.respond(ctx, keys.load(), (c, loaded) -> {
            ApiKey key = keys.all().stream().filter(k -> k.id().equals(id)).findFirst()
                    .orElseThrow(() -> SluiceException.notFound("no API key " + clip(id)));
            Json.send(c, 200, view(key));
        });
    }

    private void revoke(Context ctx) {
        String id = ctx.pathParam("id");
        if (id.length() > 64) {
            throw SluiceException.notFound("no API key " + clip(id));
        }
        Async.respond(ctx, keys.revoke(id), (c, ignored) -> {
            AuditLog.keyRevoked(Actors.of(c), id);
            c.status(204);
        });
    }

    private ObjectNode view(ApiKey k) {
        ObjectNode n = Json.object();
        n.put("id", k.id());
        n.put("name", k.name());
        ArrayNode scopes = n.putArray("scopes");
        k.scopes().forEach(s -> scopes.add(s.toString()));
        n.put("createdAt", Json.instant(k.createdAt()));
        n.put("source", keys.isConfigured(k) ? "config" : "store");
        return n;
    }

    private static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
