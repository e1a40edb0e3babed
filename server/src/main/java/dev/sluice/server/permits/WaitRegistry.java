package dev.sluice.server.permits;

import dev.sluice.core.Effects;
import dev.sluice.core.permit.PermitRecord;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Acquires that wait in the queue, by waiter id. A waiting request holds no thread: it holds a
 * future, completed when an operation that granted it has committed.
 */
public final class WaitRegistry {
    private final ConcurrentMap<String, CompletableFuture<PermitRecord>> waiting = new ConcurrentHashMap<>();

    /** Registers a waiter before it enters the queue, so that no grant can come before it is known. */
    public CompletableFuture<PermitRecord> register(String waiterId) {
        CompletableFuture<PermitRecord> f = new CompletableFuture<>();
        waiting.put(waiterId, f);
        return f;
    }

    public void forget(String waiterId) {
        waiting.remove(waiterId);
    }

    /** Called after commit with the grants the operation made. */
    public void granted(Effects effects) {
        for (Effects.WaiterGrant grant : effects.waiterGrants()) {
            CompletableFuture<PermitRecord> f = waiting.get(grant.waiterId());
            if (f != null) {
                f.complete(grant.permit());
            }
        }
    }

    /** The ids of the waiters registered now. */
    public java.util.Set<String> waiterIds() {
        return java.util.Set.copyOf(waiting.keySet());
    }

    public int size() {
        return waiting.size();
    }
}
