package dev.sluice.store;

import dev.sluice.core.permit.PermitRecord;
import dev.sluice.core.semaphore.SemaphoreRecord;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads and housekeeping across semaphores, and the API keys. */
public interface Queries {

    /** A channel of a semaphore with something in it: permits held, entries waiting, or paused. */
    record ChannelStats(String name, int inUse, long waiting, boolean paused) {}

    /** The API keys. */
    KeyTable keys();

    /** Semaphores by name, strictly after {@code afterName} (null for the first page). */
    List<SemaphoreRecord> semaphores(String afterName, int max);

    /** The earliest instant at which time makes something due: a lease end, a backoff end, a wait deadline. */
    Optional<Instant> nextDeadline(Instant now);

    /** Semaphores with a lease or a wait ended by {@code now}, or a backoff that ended in (since, now]. */
    List<String> semaphoresDue(Instant since, Instant now);

    /** Semaphores with entries waiting: dispatched once at start, in case a node died mid-way. */
    List<String> semaphoresWithWaiting();

    /**
     * Semaphores with webhook deliveries owed (inflight jobs whose delivery is unanswered): at
     * start, those a previous process granted or had under way when it stopped.
     */
    List<String> semaphoresAwaitingDelivery();

    /** Semaphores with jobs on their way to another semaphore: at start, forwards a previous process left half done. */
    List<String> semaphoresForwarding();

    /**
     * The channels of a semaphore that hold permits, have entries waiting or are paused, by name,
     * at most {@code max}; a channel with none of these has no state.
     */
    List<ChannelStats> channels(String semaphore, int max);

    /** Deletes finished jobs and expired-permit records last changed before {@code before}; says how many. */
    int deleteFinishedBefore(Instant before);

    /**
     * The held permits granted to any of these holders (waiting acquires), by holder id: for a
     * node that may have missed the announcement of a grant.
     */
    Map<String, PermitRecord> heldPermitsOf(Collection<String> holderIds);

    /**
     * On a shared store: the waiting acquires, by semaphore, of nodes that are no longer live
     * (their requests died with them). Empty on a store with one node.
     */
    default Map<String, List<String>> waitersOfDeadNodes() {
        return Map.of();
    }
}
