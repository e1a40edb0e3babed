package dev.sluice.client;

import java.time.Duration;
import java.util.Objects;

/**
 * Options of an acquire: the channel to acquire on and the lease to ask for. Immutable; start
 * from {@link #defaults()} and derive with the {@code with…} methods.
 *
 * <pre>{@code
 * pay.tryAcquire(AcquireOptions.defaults().withChannel("eu").withLeaseTimeout(Duration.ofMinutes(2)));
 * }</pre>
 *
 * @param channel      the channel, or {@code null} for the semaphore's {@code default} channel
 * @param leaseTimeout the lease to ask for, or {@code null} for the semaphore's default lease
 */
public record AcquireOptions(String channel, Duration leaseTimeout) {
    private static final AcquireOptions DEFAULTS = new AcquireOptions(null, null);

    public AcquireOptions {
        if (leaseTimeout != null && (leaseTimeout.isNegative() || leaseTimeout.isZero())) {
            throw new IllegalArgumentException("leaseTimeout must be positive, got " + leaseTimeout);
        }
    }

    /** The default channel and the semaphore's default lease. */
    public static AcquireOptions defaults() {
        return DEFAULTS;
    }

    public AcquireOptions withChannel(String channel) {
        return new AcquireOptions(Objects.requireNonNull(channel, "channel"), leaseTimeout);
    }

    /**
     * Asks for this lease instead of the semaphore's default. The SDK heartbeats with the same
     * length, which also makes its expiry tracking independent of clock skew.
     */
    public AcquireOptions withLeaseTimeout(Duration leaseTimeout) {
        return new AcquireOptions(channel, Objects.requireNonNull(leaseTimeout, "leaseTimeout"));
    }
}
