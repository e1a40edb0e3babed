package dev.sluice.server.semaphores;

import dev.sluice.server.Engine;
import dev.sluice.server.http.Async;
import dev.sluice.server.http.Json;
import dev.sluice.server.http.Params;
import dev.sluice.server.http.Views.SemaphoreView;
import dev.sluice.store.Queries;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code GET /v1/semaphores/{name}/channels}: the channels that hold permits, have entries waiting, or are paused. */
public final class ChannelRoutes {
    /** A semaphore may have any number of channels; a view of them is for people, so it is capped. */
    static final int MAX_CHANNELS = 1000;

    private final Engine engine;

    public ChannelRoutes(Engine engine) {
        this.engine = engine;
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/semaphores/{name}/channels", this::list);
    }

    private record Listing(SemaphoreView semaphore, List<Queries.ChannelStats> channels) {}

    private void list(Context ctx) {
        String name = Params.semaphore(ctx);
        Async.respond(ctx, engine.apply(name, SemaphoreView::of)   // 404 for an unknown semaphore
                .thenCompose(v -> engine.query(q -> new Listing(v, q.channels(name, MAX_CHANNELS + 1)))), (c, l) -> {
                    ObjectNode body = Json.object();
                    ArrayNode items = body.putArray("items");
                    l.channels().stream().limit(MAX_CHANNELS).forEach(ch -> {
                        ObjectNode n = items.addObject();
                        n.put("name", ch.name());
                        n.put("inUse", ch.inUse());
                        n.put("waiting", ch.waiting());
                        n.put("paused", ch.paused());
                    });
                    body.put("truncated", l.channels().size() > MAX_CHANNELS);
                    Integer channelLimit = l.semaphore().record().config().channelLimit();
                    if (channelLimit == null) {
                        body.putNull("channelLimit");
                    } else {
                        body.put("channelLimit", channelLimit);
                    }
                    Json.send(c, 200, body);
                });
    }
}
