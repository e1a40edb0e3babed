package dev.sluice.server;

import dev.sluice.core.Limits;
import java.time.Duration;
import java.time.Instant;
import dev.sluice.store.Due;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Does what time makes due, eagerly: reclaims leases the moment they end, drops waits past their
 * deadline, and wakes claims when a retry backoff ends. It sleeps until the store's next deadline;
 * an operation that creates an earlier one wakes it ({@link #deadlineAt}).
 *
 * <p>On a store shared by several nodes every node keeps time, and the store hands each due
 * semaphore to one of them at a time ({@link dev.sluice.store.Store#onEachDue}); a node that was
 * passed over looks again a moment later, in case the one working on it died. Every node also
 * takes the waiting acquires of dead nodes out of the queue.
 */
public final class Timekeeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Timekeeper.class);
    /** The longest it sleeps without looking at the store: a deadline made on another node is found within this. */
    public static final Duration LONGEST_SLEEP = Duration.ofSeconds(5);
    private static final Duration HOUSEKEEPING = Duration.ofMinutes(1);
    /** On a shared store: how often to look for waiters of dead nodes. */
    private static final Duration SWEEP = Duration.ofSeconds(10);
    /** When another node was working through a due semaphore: look again after this. */
    private static final Duration BUSY_RETRY = Duration.ofMillis(250);
    /** How far back a pass that was passed over keeps looking for backoff ends. */
    private static final Duration MAX_LAG = Duration.ofMinutes(1);

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
        Instant nextSweep = engine.clock().instant().plus(SWEEP);
        while (!closed) {
            try {
                Instant now = engine.now();
                Due<Integer> pass = engine.tickDue(since, now).join();
                // Passed over: the backoff ends since `since` may still be unseen if the other node failed.
                if (!pass.busy() || since.isBefore(now.minus(MAX_LAG))) {
                    since = now;
                }
                if (!now.isBefore(nextHousekeeping)) {
                    Instant cutoff = now.minus(Limits.RETENTION);
                    int deleted = engine.query(q -> q.deleteFinishedBefore(cutoff)).join();
                    if (deleted > 0) {
                        log.info("Housekeeping: deleted {} finished jobs and expired-permit records older than {}", deleted, cutoff);
                    }
                    nextHousekeeping = now.plus(HOUSEKEEPING);
                }
                if (engine.isShared() && !now.isBefore(nextSweep)) {
                    dropWaitersOfDeadNodes();
                    nextSweep = now.plus(SWEEP);
                }
                Instant next = engine.query(q -> q.nextDeadline(now)).join().orElse(Instant.MAX);
                if (pass.busy() && next.isBefore(now.plus(BUSY_RETRY))) {
                    next = now.plus(BUSY_RETRY);
                }
                sleepUntil(next);
            } catch (RuntimeException e) {
                if (!closed) {
                    log.warn("Timekeeper pass failed, retrying in a second: {}", e.getMessage());
                    sleepUntil(engine.clock().instant().plusSeconds(1));
                }
            }
        }
    }

    /** Waiting acquires of nodes that died: their requests died too, so they leave the queue. */
    private void dropWaitersOfDeadNodes() {
        Map<String, List<String>> dead = engine.query(q -> q.waitersOfDeadNodes()).join();
        dead.forEach((semaphore, waiters) -> {
            int dropped = engine.apply(semaphore, m -> {
                waiters.forEach(m::endWait);
                m.tick();
                return waiters.size();
            }).exceptionally(e -> 0).join();
            if (dropped > 0) {
                log.info("Took {} waiting acquires of nodes no longer live out of the queue of {}", dropped, semaphore);
            }
        });
    }

    /**
     * A node that starts again on its own store: the waiting acquires of the previous process died
     * with it, so they leave the queue (on a shared store: those of every node that is not live); and a crash may have come between a commit and the grants
     * it allowed, so everything that waits is dispatched.
     */
    private void recoverAtStart() {
        try {
            if (engine.isShared()) {
                // Other nodes may be live, with waiters of their own: only those of dead nodes leave.
                dropWaitersOfDeadNodes();
            }
            for (String semaphore : engine.query(q -> q.semaphoresWithWaiting()).join()) {
                engine.apply(semaphore, m -> (engine.isShared() ? 0 : m.abandonWaiters()) + m.tick()).exceptionally(e -> 0).join();
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
