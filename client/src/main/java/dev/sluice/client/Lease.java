package dev.sluice.client;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;

/**
 * Keeps one server-side lease (a permit's or a job's) alive and notices when it is lost.
 *
 * <p>A timed lease is heartbeated at about a third of its length, by a task on the client's single
 * heartbeat scheduler that only starts an asynchronous request (so one scheduler thread serves
 * any number of leases). A heartbeat that fails for a transient reason is retried sooner, but
 * never later than the local deadline. The lease is <em>lost</em> when a heartbeat answers
 * {@code 410} or {@code 404}, or when the local deadline passes without a successful heartbeat;
 * then {@link #isValid()} turns false and the {@code onLost} listeners run, once, on the callback
 * executor.
 *
 * <p>The local deadline is {@code min(send time + requested lease, now + (expiresAt - wall
 * clock))}: it is conservative, but it assumes the client's and server's wall clocks agree to well
 * within the lease. An untimed lease ({@code expiresAt == null}) is never heartbeated and never
 * expires locally. Thread-safe.
 */
final class Lease {
    /** Sends one heartbeat; completes with the new expiry, or null when the answer has none. */
    interface Beat {
        CompletableFuture<Instant> send(Duration timeout);
    }

    private static final long MIN_DELAY_NANOS = Duration.ofMillis(20).toNanos();
    private static final long MIN_TIMEOUT_NANOS = Duration.ofMillis(50).toNanos();

    private final Transport transport;
    private final String what;
    private final Beat beat;
    private final Duration requested;
    private final boolean timed;
    private final CompletableFuture<SluiceException> lost = new CompletableFuture<>();
    private final Object lock = new Object();

    private volatile Instant expiresAt;
    private volatile long deadlineNanos;
    private volatile long lengthNanos;
    private boolean stopped;
    private ScheduledFuture<?> next;
    private volatile SluiceException lastError;

    /**
     * @param what      "permit p-1 of payments", for messages
     * @param expiresAt the server's expiry, or null for an untimed lease
     * @param requested the lease length the holder asked for, or null for the server's default
     * @param sentNanos {@link System#nanoTime()} when the granting request was sent
     */
    Lease(Transport transport, String what, Instant expiresAt, Duration requested, long sentNanos, Beat beat) {
        this.transport = transport;
        this.what = what;
        this.beat = beat;
        this.requested = requested;
        this.timed = expiresAt != null;
        this.expiresAt = expiresAt;
        if (timed) {
            extend(expiresAt, sentNanos);
        }
    }

    /** Starts heartbeating (a no-op for an untimed lease). */
    void start() {
        if (timed) {
            scheduleNext(interval());
        }
    }

    boolean timed() {
        return timed;
    }

    Optional<Instant> expiresAt() {
        return Optional.ofNullable(expiresAt);
    }

    boolean isLost() {
        return lost.isDone();
    }

    /** Not lost and, if timed, not past the local deadline. */
    boolean isValid() {
        return !lost.isDone() && (!timed || System.nanoTime() - deadlineNanos < 0);
    }

    /** Runs {@code listener} once on the callback executor when the lease is lost (now, if already lost). */
    void onLost(Consumer<? super SluiceException> listener) {
        Objects.requireNonNull(listener, "listener");
        lost.thenAccept(e -> transport.callback(() -> listener.accept(e)));
    }

    /** Declares the lease lost (once) and stops heartbeating. */
    void markLost(SluiceException cause) {
        stop();
        if (lost.complete(cause)) {
            Transport.LOG.log(System.Logger.Level.DEBUG, () -> what + " lost: " + cause.getMessage());
        }
    }

    /** Stops heartbeating; the lease is left to the holder (released, completed, or left to expire). */
    void stop() {
        synchronized (lock) {
            stopped = true;
            if (next != null) {
                next.cancel(false);
                next = null;
            }
        }
    }

    private long interval() {
        return Math.max(MIN_DELAY_NANOS, lengthNanos / 3);
    }

    private void extend(Instant newExpiresAt, long sentNanos) {
        long now = System.nanoTime();
        long deadline;
        if (newExpiresAt != null) {
            deadline = now + saturatedNanos(Duration.between(Instant.now(), newExpiresAt));
            if (requested != null) {
                deadline = Math.min(deadline, sentNanos + saturatedNanos(requested));
            }
            expiresAt = newExpiresAt;
        } else {
            long length = requested != null ? saturatedNanos(requested) : lengthNanos;
            deadline = sentNanos + length;
            expiresAt = Instant.now().plusNanos(deadline - now);
        }
        deadlineNanos = deadline;
        lengthNanos = Math.max(0, deadline - now);
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? Long.MIN_VALUE / 2 : Long.MAX_VALUE / 2;
        }
    }

    private void scheduleNext(long delayNanos) {
        synchronized (lock) {
            if (stopped) {
                return;
            }
            next = transport.schedule(this::tick, delayNanos);
        }
    }

    private void tick() {
        synchronized (lock) {
            if (stopped) {
                return;
            }
            next = null;
        }
        long now = System.nanoTime();
        long remaining = deadlineNanos - now;
        if (remaining <= 0) {
            expireLocally();
            return;
        }
        long timeout = Math.max(MIN_TIMEOUT_NANOS, Math.min(saturatedNanos(transport.requestTimeout), remaining));
        CompletableFuture<Instant> f;
        try {
            f = beat.send(Duration.ofNanos(timeout));
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((exp, err) -> afterBeat(now, exp, err));
    }

    private void afterBeat(long sentNanos, Instant newExpiresAt, Throwable err) {
        synchronized (lock) {
            if (stopped) {
                return;
            }
        }
        if (err == null) {
            lastError = null;
            extend(newExpiresAt, sentNanos);
            scheduleNext(interval());
            return;
        }
        SluiceException e = Transport.unwrap(err);
        if (e instanceof LeaseExpiredException || e instanceof NotFoundException) {
            markLost(e);
            return;
        }
        lastError = e;
        Transport.LOG.log(System.Logger.Level.DEBUG, () -> "heartbeat of " + what + " failed, will retry: " + e);
        long remaining = deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
            expireLocally();
            return;
        }
        scheduleNext(Math.min(remaining, Math.min(interval(), Math.max(MIN_DELAY_NANOS, remaining / 3))));
    }

    private void expireLocally() {
        SluiceException last = lastError;
        LeaseExpiredException e = new LeaseExpiredException(Problem.of(ProblemCode.LEASE_EXPIRED, 0,
                what + ": the lease passed its expiry (" + expiresAt + ") without a successful heartbeat"
                        + (last == null ? "" : "; last heartbeat error: " + last.getMessage())));
        if (last != null) {
            e.initCause(last);
        }
        markLost(e);
    }
}
