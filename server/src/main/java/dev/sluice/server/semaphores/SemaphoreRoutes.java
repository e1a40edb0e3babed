package dev.sluice.server.semaphores;

import dev.sluice.core.Limits;
import dev.sluice.core.Names;
import dev.sluice.core.semaphore.SemaphoreConfig;
import dev.sluice.core.semaphore.SemaphoreRecord;
import dev.sluice.core.access.Action;
import dev.sluice.server.Engine;
import dev.sluice.server.http.Async;
import dev.sluice.server.http.Json;
import dev.sluice.server.http.Params;
import dev.sluice.server.http.Views;
import dev.sluice.server.http.Views.SemaphoreView;
import dev.sluice.server.security.Principal;
import dev.sluice.store.json.ConfigCodec;
import dev.sluice.store.json.Fields;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Semaphores: create, configure, read, list, delete, pause and resume. */
public final class SemaphoreRoutes {
    private final Engine engine;

    public SemaphoreRoutes(Engine engine) {
        this.engine = engine;
    }

    public void register(RoutesConfig routes) {
        routes.put("/v1/semaphores/{name}", this::put);
        routes.patch("/v1/semaphores/{name}", this::patch);
        routes.get("/v1/semaphores/{name}", this::get);
        routes.get("/v1/semaphores", this::list);
        routes.delete("/v1/semaphores/{name}", this::delete);
        routes.post("/v1/semaphores/{name}/pause", ctx -> setPaused(ctx, true));
        routes.post("/v1/semaphores/{name}/resume", ctx -> setPaused(ctx, false));
    }

    private record Put(boolean created, SemaphoreView view) {}

    private void put(Context ctx) {
        String name = Params.semaphore(ctx);
        SemaphoreConfig config = ConfigCodec.fromJson(Json.body(ctx));
        Async.respond(ctx, engine.apply(name, m -> {
            boolean created = m.put(config);
            return new Put(created, SemaphoreView.of(m));
        }), (c, r) -> Json.send(c, r.created() ? 201 : 200, Views.semaphore(r.view())));
    }

    /**
     * A JSON merge patch (RFC 7386) of the config, except that {@code null} sets a field to null
     * rather than removing it: {@code "leaseTimeout": null} means untimed permits, as in PUT.
     */
    private void patch(Context ctx) {
        String name = Params.semaphore(ctx);
        JsonNode patch = Json.body(ctx);
        Fields.onlyKnown(patch, "semaphore patch", ConfigCodec.FIELDS);
        Async.respond(ctx, engine.apply(name, m -> {
            m.update(current -> ConfigCodec.fromJson(merge(ConfigCodec.toJson(current), patch)));
            return SemaphoreView.of(m);
        }), (c, v) -> Json.send(c, 200, Views.semaphore(v)));
    }

    private static ObjectNode merge(ObjectNode target, JsonNode patch) {
        for (String field : patch.propertyNames()) {
            JsonNode value = patch.get(field);
            JsonNode existing = target.get(field);
            if (value.isObject() && existing != null && existing.isObject()) {
                merge((ObjectNode) existing, value);
            } else {
                target.set(field, value);
            }
        }
        return target;
    }

    private void get(Context ctx) {
        String name = Params.semaphore(ctx);
        Async.respond(ctx, engine.apply(name, SemaphoreView::of), (c, v) -> Json.send(c, 200, Views.semaphore(v)));
    }

    private void list(Context ctx) {
        int limit = Params.pageSize(ctx);
        String cursor = ctx.queryParam("cursor");
        if (cursor != null) {
            Names.semaphore(cursor);
        }
        Async.respond(ctx, engine.query(q -> q.semaphores(cursor, limit + 1)), (c, page) -> {
            ObjectNode body = Json.object();
            ArrayNode items = body.putArray("items");
            List<SemaphoreRecord> shown = page.subList(0, Math.min(limit, page.size()));
            shown.stream().filter(s -> Principal.of(c).allows(Action.MANAGE_OR_USE, s.name())).forEach(s -> items.add(Views.semaphore(s)));
            body.put("nextCursor", page.size() > limit ? shown.getLast().name() : null);
            Json.send(c, 200, body);
        });
    }

    private void delete(Context ctx) {
        String name = Params.semaphore(ctx);
        boolean force = Params.flag(ctx, "force");
        Async.respond(ctx, engine.apply(name, m -> {
            m.delete(force);
            return true;
        }), (c, ignored) -> c.status(204));
    }

    private void setPaused(Context ctx, boolean paused) {
        String name = Params.semaphore(ctx);
        JsonNode body = Json.body(ctx);
        Fields.onlyKnown(body, "pause body", Set.of("channel"));
        String channel = body.has("channel") ? Names.channel(Fields.string(body, "channel", Limits.MAX_CHANNEL_LENGTH)) : null;
        Async.respond(ctx, engine.apply(name, m -> {
            if (paused) {
                m.pause(channel);
            } else {
                m.resume(channel);
            }
            return SemaphoreView.of(m);
        }), (c, v) -> Json.send(c, 200, Views.semaphore(v)));
    }
}
