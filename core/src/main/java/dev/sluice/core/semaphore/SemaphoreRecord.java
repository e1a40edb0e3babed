package dev.sluice.core.semaphore;

import java.time.Instant;

/**
 * A semaphore's durable row: its config and the counters that the rules keep exact. Immutable;
 * every change makes a new record that the operation saves before it commits.
 *
 * @param inUse            permits held now (across all channels)
 * @param lastFencingToken the token of the most recent grant; tokens only grow
 * @param lastSeq          the enqueue sequence of the newest queue entry; defines FIFO order
 * @param waiting          entries (jobs and waiting acquires) in state waiting
 * @param inflight         jobs holding a permit
 * @param dead             jobs in the dead-letter list
 */
public record SemaphoreRecord(String name, SemaphoreConfig config, int inUse, long lastFencingToken, long lastSeq,
                              long waiting, long inflight, long dead, Instant createdAt, Instant updatedAt) {

    public static SemaphoreRecord create(String name, SemaphoreConfig config, Instant now) {
        return new SemaphoreRecord(name, config, 0, 0, 0, 0, 0, 0, now, now);
    }

    public SemaphoreRecord withConfig(SemaphoreConfig newConfig, Instant now) {
        return new SemaphoreRecord(name, newConfig, inUse, lastFencingToken, lastSeq, waiting, inflight, dead, createdAt, now);
    }

    /** One more permit held, under a fresh fencing token. */
    public SemaphoreRecord granted() {
        return new SemaphoreRecord(name, config, inUse + 1, lastFencingToken + 1, lastSeq, waiting, inflight, dead, createdAt, updatedAt);
    }

    public SemaphoreRecord released() {
        if (inUse <= 0) {
            throw new IllegalStateException("release with no permit in use on " + name);
        }
        return new SemaphoreRecord(name, config, inUse - 1, lastFencingToken, lastSeq, waiting, inflight, dead, createdAt, updatedAt);
    }

    public SemaphoreRecord withNextSeq() {
        return new SemaphoreRecord(name, config, inUse, lastFencingToken, lastSeq + 1, waiting, inflight, dead, createdAt, updatedAt);
    }

    public SemaphoreRecord counted(long dWaiting, long dInflight, long dDead) {
        return new SemaphoreRecord(name, config, inUse, lastFencingToken, lastSeq,
                waiting + dWaiting, inflight + dInflight, dead + dDead, createdAt, updatedAt);
    }
}
