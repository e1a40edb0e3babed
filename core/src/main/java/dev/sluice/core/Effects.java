package dev.sluice.core;

import dev.sluice.core.permit.PermitRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a committed operation means for parties outside its transaction: waiting acquires that
 * were granted, and whether a pending claim might now succeed. Acted on only after commit.
 */
public final class Effects {
    /** A waiting acquire granted by someone else's operation. */
    public record WaiterGrant(String waiterId, PermitRecord permit) {}

    private final List<WaiterGrant> waiterGrants = new ArrayList<>();
    private boolean claimable;
    private Instant earliestDue;

    /**
     * Effects as another node announced them, for this node's listeners: the nodes of a shared
     * store tell each other what their commits mean (the server's {@code Announcements}).
     */
    public static Effects of(List<WaiterGrant> waiterGrants, boolean claimable, Instant earliestDue) {
        Effects e = new Effects();
        e.waiterGrants.addAll(waiterGrants);
        e.claimable = claimable;
        e.earliestDue = earliestDue;
        return e;
    }

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

    public List<WaiterGrant> waiterGrants() {
        return waiterGrants;
    }

    /** Capacity freed or a job became available: pending claims on this semaphore should retry. */
    public boolean claimable() {
        return claimable;
    }
}
