package dev.sluice.server;

import dev.sluice.core.Limits;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Does what time makes due, eagerly: reclaims leases the moment they end, drops waits past their
 * deadline, and wakes claims when a retry backoff ends. It sleeps until the store's next deadline;
 * an operation that creates an earlier one wakes it ({@link #deadlineAt}).
 */
public final class Timekeeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Timekeeper.class);
    private static final Duration LONGEST_SLEEP = Duration.ofSeconds(5);
    private static final Duration HOUSEKEEPING = Duration.ofMinutes(1);

    private final Engine engine;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition earlier = lock.newCondition();
    private Instant plannedWake = Instant.MAX;
    private volatile boolean closed;
    private final Thread thread;

    public Timekeeper(Engine engine) {
        this.engine = engine;
        this.thread = Thread.ofVirtual().name("sluice-timekeeper").unstarted(this::run);
    }

    /** Recovers what a previous process left (see {@link #recoverAtStart}), then keeps time. Call before serving requests. */
    public void start() {
        recoverAtStart();
        thread.start();
    }

    /** Something becomes due at {@code at}: wake earlier than planned if need be. */
    public void deadlineAt(Instant at) {
        if (at == null) {
            return;
        }
        lock.lock();
        try {
            if (at.isBefore(plannedWake)) {
                plannedWake = at;
                earlier.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        Instant since = engine.clock().instant().minus(Limits.MAX_BACKOFF);
        Instant nextHousekeeping = engine.clock().instant();
        while (!closed) {
            try {
                Instant now = engine.now();
                Instant from = since;
                List<String> due = engine.query(q -> q.semaphoresDue(from, now)).join();
                for (String semaphore : due) {
                    engine.apply(semaphore, m -> m.tick()).exceptionally(e -> 0).join();
                }
                since = now;
                if (!now.isBefore(nextHousekeeping)) {
                    Instant cutoff = now.minus(Limits.RETENTION);
                    int deleted = engine.query(q -> q.deleteFinishedBefore(cutoff)).join();
                    if (deleted > 0) {
                        log.info("Housekeeping: deleted {} finished jobs and expired-permit records older than {}", deleted, cutoff);
                    }
                    nextHousekeeping = now.plus(HOUSEKEEPING);
                }
                Optional<Instant> next = engine.query(q -> q.nextDeadline(now)).join();
                sleepUntil(next.orElse(Instant.MAX));
            } catch (RuntimeException e) {
                if (!closed) {
                    log.warn("Timekeeper pass failed, retrying in a second: {}", e.getMessage());
                    sleepUntil(engine.clock().instant().plusSeconds(1));
                }
            }
        }
    }

    /**
     * A node that starts again on its own store: the waiting acquires of the previous process died
     * with it, so they leave the queue; and a crash may have come between a commit and the grants
     * it allowed, so everything that waits is dispatched.
     */
    private void recoverAtStart() {
        try {
            for (String semaphore : engine.query(q -> q.semaphoresWithWaiting()).join()) {
                engine.apply(semaphore, m -> m.abandonWaiters() + m.tick()).exceptionally(e -> 0).join();
            }
        } catch (RuntimeException e) {
            log.warn("Start-up dispatch failed: {}", e.getMessage());
        }
    }

    private void sleepUntil(Instant deadline) {
        lock.lock();
        try {
            Instant cap = engine.clock().instant().plus(LONGEST_SLEEP);
            Instant target = deadline.isBefore(cap) ? deadline : cap;
            if (target.isBefore(plannedWake)) {   // else keep an earlier deadline announced during the pass
                plannedWake = target;
            }
            while (!closed) {
                long millis = Duration.between(engine.clock().instant(), plannedWake).toMillis();
                if (millis <= 0) {
                    break;
                }
                earlier.awaitNanos(Duration.ofMillis(millis).toNanos());
            }
            plannedWake = Instant.MAX;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
