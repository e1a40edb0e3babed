package dev.sluice.core;

import dev.sluice.core.semaphore.Delivery;
import java.util.List;

/**
 * The webhook deliveries a semaphore owes, and how to make them.
 *
 * @param delivery       where and how to deliver (the semaphore's current config)
 * @param signingSecrets the secrets to sign with, the current one first (two during a rotation's grace)
 * @param jobs           inflight jobs whose delivery has not been answered, in grant order, each with its permit
 */
public record PendingDeliveries(Delivery delivery, List<String> signingSecrets, List<Claimed> jobs) {
    public static final PendingDeliveries NONE = new PendingDeliveries(Delivery.PULL, List.of(), List.of());
}
