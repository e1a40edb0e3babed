package dev.sluice.core.permit;

import java.time.Duration;
import java.time.Instant;

/**
 * A lease on one unit of capacity.
 *
 * @param lease     the lease length, used again by a heartbeat that names none; null when untimed
 * @param expiresAt when the lease ends; null when untimed
 * @param holderId  the job or waiting acquire it was granted to; null for an immediate acquire
 * @param state     {@link State#HELD} while it counts against the limit; an {@link State#EXPIRED}
 *                  record is kept for a while only to answer {@code 410 Gone} to its late holder
 */
public record PermitRecord(String id, String channel, long fencingToken, Instant grantedAt, Duration lease,
                           Instant expiresAt, String holderId, State state) {

    public enum State { HELD, EXPIRED }

    public boolean isExpiredAt(Instant now) {
        return state == State.EXPIRED || (expiresAt != null && !now.isBefore(expiresAt));
    }

    public PermitRecord extendedTo(Duration newLease, Instant newExpiry) {
        return new PermitRecord(id, channel, fencingToken, grantedAt, newLease, newExpiry, holderId, state);
    }

    public PermitRecord expired() {
        return new PermitRecord(id, channel, fencingToken, grantedAt, lease, expiresAt, holderId, State.EXPIRED);
    }
}
