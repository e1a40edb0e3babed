package dev.sluice.core.semaphore;

import dev.sluice.core.Limits;
import dev.sluice.core.SluiceException;
import java.time.Duration;
import java.time.Instant;

/** The arithmetic of leases. */
public final class Leases {
    private Leases() {}

    static void checkLease(Duration lease, String field) {
        if (lease.compareTo(Limits.MIN_LEASE) < 0 || lease.compareTo(Limits.MAX_LEASE) > 0) {
            throw SluiceException.invalid(field + " must be between " + Limits.MIN_LEASE + " and " + Limits.MAX_LEASE
                    + ", got " + lease);
        }
    }

    /**
     * The lease a grant gets: the request's own if it names one, else the semaphore's default
     * (null meaning untimed).
     */
    public static Duration effective(Duration requested, SemaphoreConfig config) {
        if (requested != null) {
            checkLease(requested, "leaseTimeout");
            return requested;
        }
        return config.leaseTimeout();
    }

    /** When a lease of {@code lease} granted at {@code now} ends; null for an untimed lease. */
    public static Instant expiry(Instant now, Duration lease) {
        return lease == null ? null : now.plus(lease);
    }
}
