package dev.sluice.server.permits;

import dev.sluice.core.AcquireOutcome;
import dev.sluice.core.Limits;
import dev.sluice.core.Names;
import dev.sluice.core.ProblemCode;
import dev.sluice.core.ReleaseOutcome;
import dev.sluice.core.SemaphoreMachine;
import dev.sluice.core.SluiceException;
import dev.sluice.core.permit.PermitRecord;
import dev.sluice.server.Engine;
import dev.sluice.server.http.Async;
import dev.sluice.server.http.ConnectionWatch;
import dev.sluice.server.http.Json;
import dev.sluice.server.http.Params;
import dev.sluice.server.http.Problems;
import dev.sluice.server.http.Views;
import dev.sluice.store.json.Fields;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Permits: acquire (try or wait), heartbeat, release. */
public final class PermitRoutes {
    private final Engine engine;
    private final WaitRegistry waits;

    public PermitRoutes(Engine engine, WaitRegistry waits) {
        this.engine = engine;
        this.waits = waits;
    }

    public void register(RoutesConfig routes) {
        routes.post("/v1/semaphores/{name}/permits", this::acquire);
        routes.post("/v1/semaphores/{name}/permits/{id}/heartbeat", this::heartbeat);
        routes.delete("/v1/semaphores/{name}/permits/{id}", this::release);
    }

    private void acquire(Context ctx) {
        String name = Params.semaphore(ctx);
        JsonNode body = Json.body(ctx);
        Fields.onlyKnown(body, "acquire body", Set.of("channel", "leaseTimeout", "wait"));
        String channel = Names.channel(Fields.string(body, "channel", Limits.MAX_CHANNEL_LENGTH));
        Duration lease = Fields.duration(body, "leaseTimeout");
        Duration wait = waitOf(body);
        CompletableFuture<PermitRecord> permit;
        if (wait.isZero()) {
            permit = engine.apply(name, m -> m.tryAcquire(channel, lease));
        } else {
            ConnectionWatch client = ConnectionWatch.start(ctx);
            permit = client.stoppedWhen(acquireWaiting(name, channel, lease, wait, client.closed()));
        }
        Async.respond(ctx, permit, (c, p) -> Json.send(c, 201, Views.permit(name, p)));
    }

    static Duration waitOf(JsonNode body) {
        Duration wait = Fields.duration(body, "wait");
        if (wait == null) {
            return Duration.ZERO;
        }
        if (wait.compareTo(Limits.MAX_WAIT) > 0) {
            throw SluiceException.invalid("wait must be at most " + Limits.MAX_WAIT);
        }
        return wait;
    }

    /** How a wait in the queue ends, before the operation that settles it. */
    private sealed interface WaitEnd {
        record Granted(PermitRecord permit) implements WaitEnd {}

        record Elapsed() implements WaitEnd {}

        record ClientGone() implements WaitEnd {}
    }

    /**
     * Joins the queue and waits for a grant. The waiter is registered before it enters the queue;
     * when the wait elapses, a second operation takes it out, or returns the permit granted in
     * the meantime, so a grant is never lost to the race between the two. When the client closes
     * its connection first, the waiter is taken out likewise, or the permit granted meanwhile is
     * released: nobody would hold it.
     */
    private CompletableFuture<PermitRecord> acquireWaiting(String name, String channel, Duration lease, Duration wait,
                                                           CompletableFuture<Void> clientGone) {
        String waiterId = engine.newWaiterId();
        CompletableFuture<PermitRecord> granted = waits.register(waiterId);
        Instant deadline = engine.now().plus(wait);
        return engine.apply(name, m -> m.acquireOrWait(waiterId, channel, lease, deadline))
                .thenCompose(outcome -> switch (outcome) {
                    case AcquireOutcome.Granted g -> CompletableFuture.completedFuture(g.permit());
                    case AcquireOutcome.Rejected r -> CompletableFuture.failedFuture(refused(name, r.reason()));
                    case AcquireOutcome.Queued q -> waitEnd(granted, wait, clientGone).thenCompose(end -> switch (end) {
                        case WaitEnd.Granted g -> CompletableFuture.completedFuture(g.permit());
                        case WaitEnd.Elapsed e -> engine.apply(name, m -> endWait(m, waiterId, channel)).thenCompose(last -> switch (last) {
                            case AcquireOutcome.Granted g -> CompletableFuture.completedFuture(g.permit());
                            case AcquireOutcome.Rejected r -> CompletableFuture.<PermitRecord>failedFuture(refused(name, r.reason()));
                            case AcquireOutcome.Queued ignored -> throw new IllegalStateException("still queued");
                        });
                        case WaitEnd.ClientGone gone -> engine.apply(name, m -> m.abandonWait(waiterId))
                                .thenCompose(released -> CompletableFuture.<PermitRecord>failedFuture(new SluiceException(
                                        ProblemCode.LIMIT_REACHED, "the wait was given up: the client closed its connection")));
                    });
                })
                .whenComplete((p, e) -> waits.forget(waiterId));
    }

    /** The first of: the grant, the end of the wait, the client closing its connection. */
    private static CompletableFuture<WaitEnd> waitEnd(CompletableFuture<PermitRecord> granted, Duration wait,
                                                      CompletableFuture<Void> clientGone) {
        CompletableFuture<WaitEnd> end = new CompletableFuture<>();
        granted.thenAccept(p -> end.complete(new WaitEnd.Granted(p)));
        clientGone.thenRun(() -> end.complete(new WaitEnd.ClientGone()));
        return end.completeOnTimeout(new WaitEnd.Elapsed(), wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Ends a wait. The timekeeper takes a waiter out at its deadline, which can come a moment
     * before this: the rules then no longer know the waiter's channel, so a paused gate is told
     * from a full one here.
     */
    private static AcquireOutcome endWait(SemaphoreMachine m, String waiterId, String channel) {
        AcquireOutcome end = m.endWait(waiterId);
        if (end instanceof AcquireOutcome.Rejected r && r.reason() == ProblemCode.LIMIT_REACHED
                && (m.view().config().paused() || m.pausedChannels().contains(channel))) {
            return new AcquireOutcome.Rejected(ProblemCode.PAUSED);
        }
        return end;
    }

    private static SluiceException refused(String name, ProblemCode reason) {
        return new SluiceException(reason, reason == ProblemCode.PAUSED
                ? "semaphore " + name + " (or the channel) stayed paused for the whole wait"
                : "no permit of " + name + " became free within the wait");
    }

    private void heartbeat(Context ctx) {
        String name = Params.semaphore(ctx);
        String id = Params.id(ctx, "id");
        JsonNode body = Json.body(ctx);
        Fields.onlyKnown(body, "heartbeat body", Set.of("leaseTimeout"));
        Duration lease = Fields.duration(body, "leaseTimeout");
        Async.respond(ctx, engine.apply(name, m -> m.heartbeat(id, lease)), (c, p) -> {
            ObjectNode n = Json.object();
            n.put("permitId", p.id());
            n.put("expiresAt", Json.instant(p.expiresAt()));
            Json.send(c, 200, n);
        });
    }

    private void release(Context ctx) {
        String name = Params.semaphore(ctx);
        String id = Params.id(ctx, "id");
        Async.respond(ctx, engine.apply(name, m -> m.release(id)), (c, outcome) -> {
            if (outcome == ReleaseOutcome.EXPIRED) {
                Problems.write(c, ProblemCode.LEASE_EXPIRED, "the lease of permit " + id
                        + " had expired and the permit was reclaimed; the work it guarded may have overlapped another holder's");
            } else {
                c.status(204);
            }
        });
    }
}
