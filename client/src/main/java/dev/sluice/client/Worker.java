package dev.sluice.client;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Processes a semaphore's jobs: claims them with long polls, runs a {@link JobHandler} for each on
 * a virtual thread, heartbeats their leases, and completes or fails them. Created with
 * {@link Sluice#worker(String, JobHandler)}:
 *
 * <pre>{@code
 * try (Worker w = sluice.worker("payments", job -> charge(job.payload(Order.class)))
 *         .concurrency(8)
 *         .start()) {
 *     awaitShutdownSignal();
 * }
 * }</pre>
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li>At most {@link #concurrency()} jobs are in flight at any instant: the worker only claims
 *       as many jobs as it has free slots ({@code max} in the claim request), and a slot is freed
 *       only after the job was settled.</li>
 *   <li>A handler that returns completes its job; one that throws fails it as retryable with the
 *       exception's message; one that settled its job itself is left alone (see {@link JobHandler}).
 *       Jobs that finish while a completion request is in flight are completed together by the
 *       next one (up to 100 a request), so a busy worker sends far fewer requests than jobs.
 *       A settle request that fails for a transient reason is retried a few times; after that, or
 *       when the lease was already lost, the failure goes to the {@link Builder#onError error
 *       listener} and the server's lease expiry takes care of the job.</li>
 *   <li>A claim that fails (server down, semaphore missing, …) is reported to the error listener
 *       and retried with exponential backoff (100 ms … 5 s, with jitter); the worker never
 *       gives up on its own.</li>
 * </ul>
 *
 * <h2>Stopping</h2>
 * {@link #close()} stops claiming, then waits up to the shutdown timeout for running handlers to
 * finish and settle. Handlers still running after that are interrupted and their jobs are
 * abandoned: neither completed nor failed and no longer heartbeated, so the server reclaims them
 * when their leases run out ({@code onLeaseExpired}). Jobs that a pending claim receives after
 * {@code close()} began are handed back to the queue ({@code reschedule}).
 *
 * <p>Thread-safe.
 */
public final class Worker implements AutoCloseable {
    private static final Duration MIN_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    private static final int SETTLE_ATTEMPTS = 3;
    /** The most jobs one claim may ask for (the server's limit); a larger concurrency claims in several requests. */
    static final int MAX_CLAIM = 100;

    private final Sluice owner;
    private final Semaphore semaphore;
    private final BatchedCompletions completions;
    private final JobHandler handler;
    private final int concurrency;
    private final Duration leaseTimeout;
    private final Duration pollWait;
    private final Duration shutdownTimeout;
    private final Consumer<? super SluiceException> onError;

    private final java.util.concurrent.Semaphore slots;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Set<Job> running = ConcurrentHashMap.newKeySet();
    private final ExecutorService handlers;
    private final Thread claimer;
    private volatile boolean stopping;
    private volatile boolean abandoning;
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();

    private Worker(Builder b) {
        this.owner = b.owner;
        this.semaphore = b.semaphore;
        this.completions = new BatchedCompletions(b.semaphore);
        this.handler = b.handler;
        this.concurrency = b.concurrency;
        this.leaseTimeout = b.leaseTimeout;
        this.pollWait = b.pollWait;
        this.shutdownTimeout = b.shutdownTimeout;
        this.onError = b.onError;
        this.slots = new java.util.concurrent.Semaphore(concurrency);
        String prefix = "sluice-worker-" + semaphore.name();
        this.handlers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(prefix + "-job-", 0).factory());
        this.claimer = Thread.ofVirtual().name(prefix + "-claim").unstarted(this::claimLoop);
    }

    /** The semaphore this worker serves. */
    public String semaphore() {
        return semaphore.name();
    }

    /** The most jobs in flight at once. */
    public int concurrency() {
        return concurrency;
    }

    /** How many jobs are claimed and not yet settled or abandoned, now. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Whether the worker is claiming: started and not closed. */
    public boolean isRunning() {
        return !stopping && claimer.isAlive();
    }

    private void claimLoop() {
        long backoffNanos = MIN_BACKOFF.toNanos();
        try {
            while (!stopping) {
                slots.acquire();
                int n = 1;
                while (n < MAX_CLAIM && slots.tryAcquire()) {
                    n++;
                }
                int used = 0;
                try {
                    long started = System.nanoTime();
                    List<Job> jobs;
                    try {
                        // an interrupt (close) cancels the claim; jobs it still receives are handed back
                        jobs = Transport.awaitInterruptibly(semaphore.claimAsync(n, pollWait, leaseTimeout));
                    } catch (RuntimeException e) {
                        if (stopping) {
                            break;
                        }
                        report(e instanceof SluiceException se ? se
                                : new SluiceException(Problem.of(ProblemCode.INVALID_RESPONSE, 0, "claim failed: " + e), e));
                        sleepNanos(jitter(backoffNanos));
                        backoffNanos = Math.min(backoffNanos * 2, MAX_BACKOFF.toNanos());
                        continue;
                    }
                    backoffNanos = MIN_BACKOFF.toNanos();
                    for (Job job : jobs) {
                        if (used == n || stopping) {
                            semaphore.handBack(job); // never more than concurrency in flight
                            continue;
                        }
                        used++;
                        start(job);
                    }
                    if (jobs.isEmpty() && System.nanoTime() - started < pollWait.toNanos() / 2) {
                        // the server answered an empty claim early: do not spin
                        sleepNanos(jitter(MIN_BACKOFF.toNanos()));
                    }
                } finally {
                    slots.release(n - used);
                }
            }
        } catch (InterruptedException | java.util.concurrent.CancellationException e) {
            // close() interrupts the claimer
        } catch (Throwable t) {
            Transport.LOG.log(System.Logger.Level.ERROR, "the claim loop of " + this + " died", t);
        }
    }

    private void start(Job job) {
        inFlight.incrementAndGet();
        running.add(job);
        try {
            handlers.execute(() -> run(job));
        } catch (RuntimeException e) { // executor shut down: give it back
            running.remove(job);
            inFlight.decrementAndGet();
            slots.release();
            semaphore.handBack(job);
        }
    }

    private void run(Job job) {
        try {
            Throwable failure = null;
            try {
                handler.handle(job);
            } catch (Throwable t) {
                failure = t;
            }
            if (!job.isSettled() && !abandoning) {
                settle(job, failure);
            }
            if (failure instanceof Error error && !(failure instanceof StackOverflowError)) {
                throw error;
            }
        } finally {
            job.abandon();
            running.remove(job);
            inFlight.decrementAndGet();
            slots.release();
        }
    }

    private void settle(Job job, Throwable failure) {
        for (int attempt = 1; ; attempt++) {
            try {
                if (failure == null) {
                    Transport.await(completions.complete(job));
                } else {
                    job.fail(errorText(failure), true);
                }
                return;
            } catch (SluiceException e) {
                boolean transientFailure = e instanceof SluiceTransportException || e instanceof StoreUnavailableException
                        || e.status() >= 500;
                if (!transientFailure || attempt >= SETTLE_ATTEMPTS || Thread.currentThread().isInterrupted()) {
                    report(e);
                    return;
                }
                try {
                    sleepNanos(jitter(MIN_BACKOFF.toNanos() << attempt));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    report(e);
                    return;
                }
            }
        }
    }

    static String errorText(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getName() : m;
    }

    private void report(SluiceException e) {
        try {
            onError.accept(e);
        } catch (Throwable t) {
            Transport.LOG.log(System.Logger.Level.WARNING, "the error listener of " + this + " threw", t);
        }
    }

    private static long jitter(long nanos) {
        return nanos / 2 + ThreadLocalRandom.current().nextLong(nanos / 2 + 1);
    }

    private static void sleepNanos(long nanos) throws InterruptedException {
        TimeUnit.NANOSECONDS.sleep(nanos);
    }

    /**
     * Stops claiming and waits up to the shutdown timeout for running handlers; see the class
     * comment. Idempotent; concurrent callers all wait. If the calling thread is interrupted, it
     * stops waiting (abandoning what still runs) and its interrupt status is set.
     */
    @Override
    public void close() {
        boolean first;
        synchronized (this) {
            first = !stopping;
            stopping = true;
        }
        if (!first) {
            try {
                terminated.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException ignored) {
                // not completed exceptionally
            }
            return;
        }
        boolean interrupted = false;
        long begin = System.nanoTime();
        try {
            claimer.interrupt();
            handlers.shutdown();
            try {
                claimer.join(shutdownTimeout);
                long left = Math.max(0, shutdownTimeout.toNanos() - (System.nanoTime() - begin));
                if (!handlers.awaitTermination(left, TimeUnit.NANOSECONDS)) {
                    abandonRunning();
                }
            } catch (InterruptedException e) {
                interrupted = true;
                abandonRunning();
            }
        } finally {
            owner.forget(this);
            terminated.complete(null);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void abandonRunning() {
        abandoning = true;
        for (Job job : running) {
            job.abandon();
        }
        handlers.shutdownNow();
        if (!running.isEmpty()) {
            Transport.LOG.log(System.Logger.Level.WARNING, () -> this + " stopped with " + running.size()
                    + " handler(s) still running; their jobs are left to lease expiry");
        }
    }

    @Override
    public String toString() {
        return "Worker[" + semaphore.name() + ", concurrency=" + concurrency + ", inFlight=" + inFlight.get() + "]";
    }

    /**
     * Configures and starts a {@link Worker}. Obtained from {@link Sluice#worker(String, JobHandler)}.
     * Not thread-safe.
     */
    public static final class Builder {
        private final Sluice owner;
        private final Semaphore semaphore;
        private final JobHandler handler;
        private int concurrency = 1;
        private Duration leaseTimeout;
        private Duration pollWait = Duration.ofSeconds(20);
        private Duration shutdownTimeout = Duration.ofSeconds(30);
        private Consumer<? super SluiceException> onError = e ->
                Transport.LOG.log(System.Logger.Level.WARNING, "Sluice worker: " + e);

        Builder(Sluice owner, Semaphore semaphore, JobHandler handler) {
            this.owner = owner;
            this.semaphore = semaphore;
            this.handler = Objects.requireNonNull(handler, "handler");
        }

        /** The most jobs in flight at once (default 1). */
        public Builder concurrency(int concurrency) {
            if (concurrency < 1) {
                throw new IllegalArgumentException("concurrency must be positive, got " + concurrency);
            }
            this.concurrency = concurrency;
            return this;
        }

        /** The lease to ask for per job (default: the semaphore's). Heartbeats keep it alive. */
        public Builder leaseTimeout(Duration leaseTimeout) {
            this.leaseTimeout = Objects.requireNonNull(leaseTimeout, "leaseTimeout");
            return this;
        }

        /** How long one claim long-polls when no job is available (default 20 s). */
        public Builder pollWait(Duration pollWait) {
            if (pollWait.isNegative()) {
                throw new IllegalArgumentException("pollWait must not be negative");
            }
            this.pollWait = pollWait;
            return this;
        }

        /** How long {@link Worker#close()} waits for running handlers (default 30 s). */
        public Builder shutdownTimeout(Duration shutdownTimeout) {
            if (shutdownTimeout.isNegative()) {
                throw new IllegalArgumentException("shutdownTimeout must not be negative");
            }
            this.shutdownTimeout = shutdownTimeout;
            return this;
        }

        /**
         * Receives what the worker could not hand to the server: failed claims and failed
         * completions/failures (e.g. {@link LeaseExpiredException}). Called on worker threads;
         * should not block. Default: log a warning through {@link System.Logger}.
         */
        public Builder onError(Consumer<? super SluiceException> onError) {
            this.onError = Objects.requireNonNull(onError, "onError");
            return this;
        }

        /** Starts claiming at once and returns the running worker. */
        public Worker start() {
            Worker w = new Worker(this);
            owner.register(w);
            w.claimer.start();
            return w;
        }
    }
}
