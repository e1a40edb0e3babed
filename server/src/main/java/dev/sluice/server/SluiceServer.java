package dev.sluice.server;

import dev.sluice.core.ProblemCode;
import dev.sluice.server.http.Json;
import dev.sluice.server.http.Problems;
import dev.sluice.server.jobs.ClaimRegistry;
import dev.sluice.server.jobs.JobRoutes;
import dev.sluice.server.permits.PermitRoutes;
import dev.sluice.server.permits.WaitRegistry;
import dev.sluice.server.semaphores.SemaphoreRoutes;
import dev.sluice.store.SqliteStore;
import dev.sluice.store.Store;
import io.javalin.Javalin;
import io.javalin.http.HttpResponseException;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * One Sluice node: the HTTP API over the store, with its wait and claim registries and its
 * timekeeper. Start with {@link #start}; {@link #close} stops it.
 */
public final class SluiceServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SluiceServer.class);

    private final Store store;
    private final Timekeeper timekeeper;
    private final Javalin app;

    private SluiceServer(Store store, Timekeeper timekeeper, Javalin app) {
        this.store = store;
        this.timekeeper = timekeeper;
        this.app = app;
    }

    /** Starts a node on the store the settings name: the embedded one in {@code dataDir} unless a store URL is given. */
    public static SluiceServer start(ServerSettings settings) {
        if (settings.storeUrl() != null) {
            throw new IllegalArgumentException("external stores are not available yet: " + settings.storeUrl());
        }
        Store store = SqliteStore.open(settings.dataDir());
        try {
            return start(settings, store);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    public static SluiceServer start(ServerSettings settings, Store store) {
        Engine engine = new Engine(store, Clock.systemUTC());
        WaitRegistry waits = new WaitRegistry();
        ClaimRegistry claims = new ClaimRegistry(engine);
        Timekeeper timekeeper = new Timekeeper(engine);
        engine.onCommit(committed -> {
            waits.granted(committed.effects());
            if (committed.effects().claimable()) {
                claims.wake(committed.semaphore());
            }
            timekeeper.deadlineAt(committed.effects().earliestDue());
        });
        Javalin app = Javalin.create(config -> {
            config.concurrency.useVirtualThreads = true;
            config.startup.showJavalinBanner = false;
            config.jetty.host = settings.host();
            config.jetty.port = settings.port();
            config.http.maxRequestSize = settings.maxPayloadBytes() + 64L * 1024;
            config.http.asyncTimeout = 0;
            // Javalin copies each response body through a buffer of this size, allocated per response
            // (Jetty's output buffer size, 32 KiB, by default): most of the memory a permit request
            // allocated. Answers here are small; a large one is copied in more steps.
            config.http.responseBufferSize = 4096;
            new SemaphoreRoutes(engine).register(config.routes);
            new PermitRoutes(engine, waits).register(config.routes);
            new JobRoutes(engine, claims, settings.maxPayloadBytes()).register(config.routes);
            config.routes.get("/healthz", ctx -> Json.send(ctx, 200, status("ok")));
            config.routes.get("/readyz", ctx -> {
                if (engine.isHealthy()) {
                    Json.send(ctx, 200, status("ready"));
                } else {
                    Problems.write(ctx, ProblemCode.STORE_UNAVAILABLE, "the store is not answering");
                }
            });
            config.routes.exception(HttpResponseException.class, (e, ctx) -> Problems.write(ctx, codeFor(e.getStatus()), e.getMessage()));
            config.routes.exception(Exception.class, (e, ctx) -> Problems.handle(e, ctx));
            config.routes.error(404, ctx -> {
                if (ctx.result() == null || ctx.result().isEmpty() || !"application/problem+json".equals(ctx.res().getContentType())) {
                    Problems.write(ctx, ProblemCode.NOT_FOUND, "no route " + ctx.method() + " " + ctx.path());
                }
            });
            config.routes.error(405, ctx -> Problems.write(ctx, ProblemCode.INVALID_ARGUMENT, "method " + ctx.method() + " is not allowed on " + ctx.path()));
        });
        declare(engine, settings.semaphores());
        timekeeper.start();
        app.start();
        log.info("Sluice listening on http://{}:{}", settings.host(), app.port());
        return new SluiceServer(store, timekeeper, app);
    }

    /** The config file is the truth for the semaphores it declares: each is created or given exactly that config. */
    private static void declare(Engine engine, List<ServerSettings.DeclaredSemaphore> declared) {
        for (ServerSettings.DeclaredSemaphore d : declared) {
            boolean created = engine.apply(d.name(), m -> m.put(d.config())).join();
            log.info("Semaphore {} {} from the config file (limit {})", d.name(), created ? "created" : "configured", d.config().limit());
        }
    }

    private static ProblemCode codeFor(int status) {
        return switch (status) {
            case 404 -> ProblemCode.NOT_FOUND;
            case 409 -> ProblemCode.CONFLICT;
            case 413 -> ProblemCode.PAYLOAD_TOO_LARGE;
            default -> status >= 500 ? ProblemCode.INTERNAL : ProblemCode.INVALID_ARGUMENT;
        };
    }

    private static ObjectNode status(String s) {
        ObjectNode n = Json.object();
        n.put("status", s);
        return n;
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
        timekeeper.close();
        store.close();
    }
}
