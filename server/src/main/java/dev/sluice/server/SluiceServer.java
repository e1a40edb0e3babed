package dev.sluice.server;

import dev.sluice.core.ProblemCode;
import dev.sluice.core.semaphore.SemaphoreRecord;
import dev.sluice.server.audit.AuditLog;
import dev.sluice.server.events.EventHub;
import dev.sluice.server.events.EventRoutes;
import dev.sluice.server.http.Json;
import dev.sluice.server.http.Problems;
import dev.sluice.server.http.UnreadBodies;
import dev.sluice.server.jobs.ClaimRegistry;
import dev.sluice.server.jobs.Forwarder;
import dev.sluice.server.jobs.JobRoutes;
import dev.sluice.server.metrics.MetricsRoutes;
import dev.sluice.server.metrics.SluiceMetrics;
import dev.sluice.server.openapi.OpenApiRoutes;
import dev.sluice.server.permits.PermitRoutes;
import dev.sluice.server.permits.WaitRegistry;
import dev.sluice.server.semaphores.ChannelRoutes;
import dev.sluice.server.security.Security;
import dev.sluice.server.simulate.SimulationRoutes;
import dev.sluice.server.semaphores.SemaphoreRoutes;
import dev.sluice.core.Effects;
import dev.sluice.server.webhooks.WebhookDispatcher;
import dev.sluice.server.tracing.OtelTracing;
import dev.sluice.store.Store;
import dev.sluice.store.Stores;
import io.javalin.Javalin;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * One Sluice node: the HTTP API over the store, with its wait and claim registries, its
 * timekeeper, its webhook dispatcher and forwarder. Start with {@link #start}; {@link #close} stops it.
 */
public final class SluiceServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SluiceServer.class);

    private final Store store;
    private final Timekeeper timekeeper;
    private final WebhookDispatcher webhooks;
    private final Forwarder forwarder;
    private final Javalin app;
    private final SluiceMetrics metrics;
    private final EventHub events;
    private final List<String> routes;
    private final OtelTracing tracing;
    private final Engine engine;

    private SluiceServer(Store store, Engine engine, Timekeeper timekeeper, WebhookDispatcher webhooks, Forwarder forwarder, Javalin app,
                         SluiceMetrics metrics, EventHub events, List<String> routes, OtelTracing tracing) {
        this.store = store;
        this.engine = engine;
        this.timekeeper = timekeeper;
        this.webhooks = webhooks;
        this.forwarder = forwarder;
        this.app = app;
        this.metrics = metrics;
        this.events = events;
        this.routes = routes;
        this.tracing = tracing;
    }

    /**
     * Starts a node on the store the settings name: the embedded one in {@code dataDir} unless a
     * store URL is given (PostgreSQL, shared with any number of other nodes).
     */
    public static SluiceServer start(ServerSettings settings) {
        Store store = Stores.open(settings.storeUrl(), settings.dataDir());
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
        WebhookDispatcher webhooks = new WebhookDispatcher(engine, settings.security().webhookTargets());
        Forwarder forwarder = new Forwarder(engine);
        engine.onCommit(committed -> {
            if (committed.effects().deliveriesDue()) {
                webhooks.wake(committed.semaphore());
            }
            if (committed.effects().forwarding()) {
                forwarder.wake(committed.semaphore());
            }
        });
        SluiceMetrics metrics = new SluiceMetrics(settings.observability().labelledSemaphores());
        metrics.load(allSemaphores(engine));
        if (engine.isShared()) {
            metrics.readStateBeforeScrape(() -> allSemaphores(engine));   // other nodes commit too: every node's gauges agree
        }
        metrics.install(engine);
        store.onCommit(metrics::storeCommitted);
        EventHub events = new EventHub(settings.observability().eventRing(), engine.clock());
        events.install(engine);
        metrics.registry().gauge("sluice.events.subscribers", events, EventHub::subscriberCount);
        // requests held open on this node: an acquire waiting in the queue, a claim long-polling for jobs
        metrics.registry().gauge("sluice.requests.waiting", io.micrometer.core.instrument.Tags.of("kind", "acquire"), waits, WaitRegistry::size);
        metrics.registry().gauge("sluice.requests.waiting", io.micrometer.core.instrument.Tags.of("kind", "claim"), claims, ClaimRegistry::pendingCount);
        new AuditLog().install(engine);
        OtelTracing tracing = null;
        if (settings.observability().otlpEndpoint() != null) {
            tracing = OtelTracing.start(settings.observability().otlpEndpoint());
            tracing.install(engine);
            log.info("Sending spans to {}", settings.observability().otlpEndpoint());
        }
        OtelTracing spans = tracing;
        List<String> routes = new CopyOnWriteArrayList<>();
        engine.onMissedAnnouncements(() -> {
            // Cut off from a shared store and back: grants and wake-ups may have been missed.
            Thread.ofVirtual().start(() -> {
                timekeeper.deadlineAt(java.time.Instant.EPOCH);
                claims.wakeAll();
                var ids = waits.waiterIds();
                if (!ids.isEmpty()) {
                    engine.query(q -> q.heldPermitsOf(ids)).thenAccept(held -> waits.granted(Effects.of(
                            held.entrySet().stream().map(e -> new Effects.WaiterGrant(e.getKey(), e.getValue())).toList(),
                            false, null)));
                }
                try {
                    webhooks.recover();   // deliveries and forwards made due meanwhile, unless another node has them
                    forwarder.recover();
                } catch (RuntimeException e) {
                    log.warn("Looking for deliveries and forwards owed after a break in announcements failed: {}", e.getMessage());
                }
            });
        });
        Security security = Security.start(settings.host(), settings.security(), engine);
        Javalin app = Javalin.create(config -> {
            config.concurrency.useVirtualThreads = true;
            config.startup.showJavalinBanner = false;
            config.jetty.host = settings.host();
            config.jetty.port = settings.port();
            long maxRequestSize = settings.maxPayloadBytes() + 64L * 1024;
            config.http.maxRequestSize = maxRequestSize;
            // A body declared too large is refused at once: a client waiting for "100 Continue" then never
            // sends it, and one that sends unasked has the rest read and dropped before the 413 (UnreadBodies,
            // after every request). A body without a declared length is read up to the limit (Javalin) before it is refused.
            config.routes.before(ctx -> {
                long declared = ctx.req().getContentLengthLong();
                if (declared > maxRequestSize) {
                    throw new HttpResponseException(413, "the request body is " + declared + " bytes; the limit is " + maxRequestSize);
                }
            });
            config.routes.after(ctx -> UnreadBodies.drain(ctx.req(), ctx.statusCode(), maxRequestSize));
            config.http.asyncTimeout = 0;
            config.events.handlerAdded(h -> {
                String method = h.getHttpMethod().name();
                if (!method.startsWith("BEFORE") && !method.startsWith("AFTER")) {   // filters are not routes
                    routes.add(method + " " + h.getPath());
                }
            });
            security.install(config, settings.host(), settings.port());
            config.requestLogger.http((ctx, millis) -> {
                String route = routeOf(ctx);
                metrics.httpRequest(ctx.method().name(), route, ctx.statusCode(), millis.longValue());
                if (spans != null) {
                    spans.request(ctx, route, millis.longValue());
                }
            });
            config.staticFiles.add(files -> {
                files.hostedPath = "/";
                files.directory = "/dashboard";
                files.location = Location.CLASSPATH;
                files.headers = java.util.Map.of("Cache-Control", "no-cache");
            });
            // Javalin copies each response body through a buffer of this size, allocated per response
            // (Jetty's output buffer size, 32 KiB, by default): most of the memory a permit request
            // allocated. Answers here are small; a large one is copied in more steps.
            config.http.responseBufferSize = 4096;
            new SemaphoreRoutes(engine, settings.security().webhookTargets()).register(config.routes);
            new PermitRoutes(engine, waits).register(config.routes);
            new JobRoutes(engine, claims, settings.maxPayloadBytes()).register(config.routes);
            new ChannelRoutes(engine).register(config.routes);
            new EventRoutes(engine, events).register(config.routes);
            new MetricsRoutes(metrics).register(config.routes);
            new OpenApiRoutes().register(config.routes);
            new SimulationRoutes().register(config.routes);
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
        try {
            for (ServerSettings.DeclaredSemaphore d : settings.semaphores()) {
                try {
                    settings.security().webhookTargets().check(d.config());
                } catch (dev.sluice.core.SluiceException e) {
                    throw new IllegalArgumentException("semaphore " + d.name() + " of the config file: " + e.getMessage(), e);
                }
            }
            declare(engine, settings.semaphores());
            timekeeper.start();
            webhooks.recover();
            forwarder.recover();
            app.start();
        } catch (RuntimeException e) {
            webhooks.close();
            forwarder.close();
            timekeeper.close();
            events.close();
            metrics.close();
            if (spans != null) {
                spans.close();
            }
            throw e;
        }
        log.info("Sluice listening on {}://{}:{} (dashboard at /, metrics at /metrics)", security.scheme(), settings.host(), app.port());
        return new SluiceServer(store, engine, timekeeper, webhooks, forwarder, app, metrics, events, List.copyOf(routes), spans);
    }

    /** Every semaphore, page by page: the metrics start from the state the store holds. */
    private static List<SemaphoreRecord> allSemaphores(Engine engine) {
        List<SemaphoreRecord> all = new ArrayList<>();
        String after = null;
        List<SemaphoreRecord> page;
        do {
            String from = after;
            page = engine.query(q -> q.semaphores(from, 1000)).join();
            all.addAll(page);
            after = page.isEmpty() ? null : page.getLast().name();
        } while (page.size() == 1000);
        return all;
    }

    /** The route template a request matched (bounded, for metric labels), or what it fell to. */
    private static String routeOf(io.javalin.http.Context ctx) {
        try {
            var endpoint = ctx.endpoints().matchedHttpEndpoint();
            if (endpoint != null) {
                return endpoint.path;
            }
        } catch (RuntimeException ignored) {
            // no endpoint matched
        }
        return ctx.statusCode() == 404 ? "NOT_FOUND" : "static";
    }

    /** The config file is the truth for the semaphores it declares: each is created or given exactly that config. */
    private static void declare(Engine engine, List<ServerSettings.DeclaredSemaphore> declared) {
        for (ServerSettings.DeclaredSemaphore d : declared) {
            record Put(boolean created, boolean secretGenerated) {}
            Put put = engine.apply(d.name(), "config-file", m -> new Put(m.put(d.config()), m.generatedSecret() != null)).join();
            log.info("Semaphore {} {} from the config file (limit {})", d.name(), put.created() ? "created" : "configured",
                    d.config().limit());
            if (put.secretGenerated()) {
                log.warn("Semaphore {} delivers by webhook and the config file gives no delivery.secret: one was generated, "
                        + "and it is never shown. Declare the secret (e.g. from an environment variable) or set a new one "
                        + "with PATCH /v1/semaphores/{} {{\"delivery\": {{\"secret\": …}}}}", d.name(), d.name());
            }
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

    /** The routes served, as {@code METHOD /path/{param}}, in the order registered. */
    public List<String> routes() {
        return routes;
    }

    /** The engine every write of this node goes through (for tests: to hear what it hears). */
    public Engine engine() {
        return engine;
    }

    /** The webhook dispatcher (for tests: which node dispatches a semaphore). */
    public WebhookDispatcher webhooks() {
        return webhooks;
    }

    public SluiceMetrics metrics() {
        return metrics;
    }

    public EventHub events() {
        return events;
    }

    @Override
    public void close() {
        events.close();   // ends the open event streams, so the HTTP server can stop at once
        app.stop();
        webhooks.close();
        forwarder.close();
        timekeeper.close();
        store.close();
        metrics.close();
        if (tracing != null) {
            tracing.close();   // sends the spans still buffered
        }
    }
}
