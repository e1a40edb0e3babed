package dev.sluice.core.semaphore;

import dev.sluice.core.Limits;
import dev.sluice.core.SluiceException;
import java.time.Duration;

/**
 * What an operator declares about a semaphore. Validated on construction, so a config that
 * exists is a valid one.
 *
 * @param limit          the most permits held at once; 0 closes the gate
 * @param channelLimit   the most permits held at once per channel, or null for no per-channel cap
 * @param leaseTimeout   the default lease of a permit, or null for untimed permits
 * @param paused         whether granting is stopped (ingress goes on)
 * @param delivery       how jobs reach their processor: pulled by workers, or pushed by webhook
 * @param retry          what happens after a failed attempt
 * @param onLeaseExpired what happens to a job whose processor let its lease run out
 */
public record SemaphoreConfig(int limit, Integer channelLimit, Duration leaseTimeout, boolean paused,
                              Delivery delivery, RetryPolicy retry, LeaseExpiryAction onLeaseExpired) {

    public SemaphoreConfig {
        if (limit < 0 || limit > Limits.MAX_LIMIT) {
            throw SluiceException.invalid("limit must be between 0 and " + Limits.MAX_LIMIT + ", got " + limit);
        }
        if (channelLimit != null && (channelLimit < 1 || channelLimit > Limits.MAX_LIMIT)) {
            throw SluiceException.invalid("channelLimit must be between 1 and " + Limits.MAX_LIMIT + ", or null");
        }
        if (leaseTimeout != null) {
            Leases.checkLease(leaseTimeout, "leaseTimeout");
        }
        if (delivery == null) {
            delivery = Delivery.PULL;
        }
        if (retry == null) {
            retry = RetryPolicy.DEFAULT;
        }
        if (onLeaseExpired == null) {
            onLeaseExpired = LeaseExpiryAction.RETRY;
        }
        if (delivery.isWebhook() && leaseTimeout != null && delivery.timeout().compareTo(leaseTimeout) > 0) {
            // a delivery is cut off when its permit's lease ends, so a longer timeout could never be waited out
            throw SluiceException.invalid("delivery.timeout (" + delivery.timeout() + ") must not be longer than leaseTimeout ("
                    + leaseTimeout + ")");
        }
    }

    public static SemaphoreConfig ofLimit(int limit) {
        return new SemaphoreConfig(limit, null, Limits.DEFAULT_LEASE, false, null, null, null);
    }

    public SemaphoreConfig withLimit(int newLimit) {
        return new SemaphoreConfig(newLimit, channelLimit, leaseTimeout, paused, delivery, retry, onLeaseExpired);
    }

    public SemaphoreConfig withDelivery(Delivery newDelivery) {
        return new SemaphoreConfig(limit, channelLimit, leaseTimeout, paused, newDelivery, retry, onLeaseExpired);
    }

    public SemaphoreConfig withPaused(boolean newPaused) {
        return new SemaphoreConfig(limit, channelLimit, leaseTimeout, newPaused, delivery, retry, onLeaseExpired);
    }
}
