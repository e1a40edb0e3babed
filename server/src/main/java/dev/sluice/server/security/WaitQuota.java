package dev.sluice.server.security;

import dev.sluice.core.Durations;
import dev.sluice.core.ProblemCode;
import dev.sluice.core.SluiceException;
import dev.sluice.server.http.Json;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;

/**
 * At most {@code max} waiting requests per API key at once: acquires with a {@code wait}, claims
 * that long-poll. A waiting request holds a connection for up to the longest wait, so without
 * this one key could hold every connection the node accepts. The request past the limit is
 * refused with 429 {@code too_many_waits}; requests that do not wait are never counted.
 *
 * <p>{@link #enter} runs after the {@link Authenticator}, {@link #leave} after the request has
 * been answered (Javalin runs after-handlers once an async answer completes).
 */
final class WaitQuota {
    private static final Set<String> WAITING_ROUTES = Set.of(
            "POST /v1/semaphores/{name}/permits", "POST /v1/semaphores/{name}/jobs/claim");
    private static final String COUNTED = "sluice.wait-counted";

    private final int max;
    private final ConcurrentHashMap<String, AtomicInteger> waiting = new ConcurrentHashMap<>();

    WaitQuota(int max) {
        this.max = max;
    }

    void enter(Context ctx) {
        String keyId = Principal.of(ctx).keyId();
        if (keyId == null || !waits(ctx)) {
            return;
        }
        AtomicInteger n = waiting.computeIfAbsent(keyId, k -> new AtomicInteger());
        if (n.incrementAndGet() > max) {
            n.decrementAndGet();
            throw new SluiceException(ProblemCode.TOO_MANY_WAITS, "the API key " + keyId + " already has " + max
                    + " waiting requests (acquires with a wait, long-polling claims); retry when one ends");
        }
        ctx.attribute(COUNTED, keyId);
    }

    void leave(Context ctx) {
        String keyId = ctx.attribute(COUNTED);
        if (keyId != null) {
            ctx.attribute(COUNTED, null);
            waiting.computeIfPresent(keyId, (k, n) -> n.decrementAndGet() == 0 ? null : n);
        }
    }

    /** Waiting requests of this key now (for tests and metrics). */
    int waiting(String keyId) {
        AtomicInteger n = waiting.get(keyId);
        return n == null ? 0 : n.get();
    }

    /** Whether the request may wait: a waiting route with a valid, positive {@code wait}. Bad bodies are the route's to refuse. */
    private static boolean waits(Context ctx) {
        Endpoint e = ctx.endpoints().matchedHttpEndpoint();
        if (!WAITING_ROUTES.contains(e.method.name() + " " + e.path)) {
            return false;
        }
        try {
            JsonNode wait = Json.body(ctx).get("wait");
            return wait != null && wait.isString() && Durations.parse(wait.stringValue(), "wait").compareTo(Duration.ZERO) > 0;
        } catch (RuntimeException malformed) {   // the route refuses it with a 400
            return false;
        }
    }
}
