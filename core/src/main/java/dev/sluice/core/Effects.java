package dev.sluice.core;

import dev.sluice.core.permit.PermitRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a committed operation means for parties outside its transaction: waiting acquires that
 * were granted, whether a pending claim might now succeed, whether webhook deliveries are owed,
 * whether a job set out for another semaphore. Acted on only after commit.
 */
public final class Effects {
    /** A waiting acquire granted by someone else's operation. */
    public record WaiterGrant(String waiterId, PermitRecord permit) {}

    private final List<WaiterGrant> waiterGrants = new ArrayList<>();
    private boolean claimable;
    private boolean deliveriesDue;
    private boolean forwarding;
    private Instant earliestDue;

    void granted(String waiterId, PermitRecord permit) {
        waiterGrants.add(new WaiterGrant(waiterId, permit));
    }

    void due(Instant at) {
        if (at != null && (earliestDue == null || at.isBefore(earliestDue))) {
            earliestDue = at;
        }
    }

    /** The earliest instant at which something this operation created falls due (a lease end, a backoff end), or null. */
    public Instant earliestDue() {
        return earliestDue;
    }

    void markClaimable() {
        claimable = true;
    }

    void markDeliveriesDue() {
        deliveriesDue = true;
    }

    void markForwarding() {
        forwarding = true;
    }

    /** Jobs were granted for webhook delivery: the dispatcher should deliver what this semaphore owes. */
    public boolean deliveriesDue() {
        return deliveriesDue;
    }

    /** A job set out for another semaphore ({@code onExhausted: forward}): the forward should be carried out. */
    public boolean forwarding() {
        return forwarding;
    }

    public List<WaiterGrant> waiterGrants() {
        return waiterGrants;
    }

    /** Capacity freed or a job became available: pending claims on this semaphore should retry. */
    public boolean claimable() {
        return claimable;
    }
}
