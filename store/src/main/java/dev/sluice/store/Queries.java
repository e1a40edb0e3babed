package dev.sluice.store;

import dev.sluice.core.semaphore.SemaphoreRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Reads and housekeeping across semaphores, and the API keys. */
public interface Queries {

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

    /** Deletes finished jobs and expired-permit records last changed before {@code before}; says how many. */
    int deleteFinishedBefore(Instant before);
}
