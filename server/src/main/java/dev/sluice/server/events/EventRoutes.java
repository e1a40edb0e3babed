package dev.sluice.server.events;

import dev.sluice.server.Engine;
import dev.sluice.server.http.Params;
import dev.sluice.server.http.Problems;
import dev.sluice.server.http.Views;
import dev.sluice.server.http.Views.SemaphoreView;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code GET /v1/semaphores/{name}/events}: Server-Sent Events of a semaphore's state changes,
 * a {@code snapshot} first (unless resumed with {@code Last-Event-ID}).
 */
public final class EventRoutes {
    private final Engine engine;
    private final EventHub hub;

    public EventRoutes(Engine engine, EventHub hub) {
        this.engine = engine;
        this.hub = hub;
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/semaphores/{name}/events", this::stream);
    }

    private void stream(Context ctx) {
        String name = Params.semaphore(ctx);
        String lastEventId = ctx.header("Last-Event-ID");
        CompletableFuture<Void> ended = new CompletableFuture<>();
        OutputStream out;
        try {
            out = ctx.res().getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Subscriber subscriber = new Subscriber(hub, out, () -> ended.complete(null));
        // registered before the snapshot is read, so that no event falls between the two
        boolean resumed = hub.subscribe(name, subscriber, lastEventId);
        ctx.future(() -> ended);
        engine.applySequenced(name, SemaphoreView::of).whenComplete((view, failure) -> {
            if (failure != null) {
                Problems.handle(failure, ctx);   // before the close, which ends the exchange
                subscriber.close();
                return;
            }
            try {
                ctx.status(200);
                ctx.res().setContentType("text/event-stream");
                ctx.res().setCharacterEncoding("UTF-8");
                ctx.res().setHeader("Cache-Control", "no-cache");
                ctx.res().setHeader("X-Accel-Buffering", "no");
                ctx.res().flushBuffer();
            } catch (IOException | RuntimeException e) {
                subscriber.close();
                return;
            }
            if (resumed) {
                subscriber.resume();
            } else {
                ObjectNode data = Views.semaphore(view.value());
                data.put("type", "snapshot");
                data.put("semaphore", name);
                // no id: a client that reconnects before any event gets a fresh snapshot
                subscriber.snapshot("event: snapshot\ndata: " + data + "\nretry: 2000\n\n", view.sequence());
            }
        });
    }
}
