package dev.sluice.server;

import dev.sluice.store.WorkClaim;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background work on a semaphore that must be done by one node at a time, across every node of
 * the store: the webhook deliveries of a semaphore, its forwards. On top of {@link SerialPasses}
 * (one pass at a time per semaphore on this node) a pass runs only while this node holds the
 * semaphore's {@link WorkClaim} ({@code keyPrefix + name}: on PostgreSQL a session advisory lock,
 * lost with the node's connection).
 *
 * <p>The rules, and why no work is left undone while every node thinks another has it:
 * <ol>
 *   <li>Every node hears of every commit that makes work due (its own, and the others' by their
 *   announcements) and asks for a pass. A node that cannot get the claim does nothing: the
 *   holder is at work on that semaphore.</li>
 *   <li>The holder keeps the claim while work it started is under way ({@link Work#busy}), and
 *   the end of that work asks for another pass. When a pass ends with nothing under way, the
 *   holder lets the claim go and <em>then</em> reads the store once more ({@link Work#owed}):
 *   what was made due while it held the claim, by a commit whose other wake-ups found the claim
 *   taken, committed before that read and is found by it; the holder then asks for a pass
 *   again (and gets the claim, unless another node just took it and reads for itself). A
 *   wake-up therefore cannot fall between the holder's last read and its letting go.</li>
 *   <li>A holder that dies (or is cut off) loses the claim with its connection but cannot read
 *   again. So on a shared store each node looks every {@link #SWEEP} for semaphores with work
 *   owed ({@link Work#semaphoresOwed}) whose claim it does not hold, and asks for a pass on
 *   each: whichever node gets the claim takes the work over. This is the only polling, a
 *   safety net for a node that died; every other pass is started by a commit.</li>
 * </ol>
 * A pass that fails (the store is away) lets the claim go without the read; the sweep, or the
 * next commit, tries again. On the embedded store there is one node: the claim is taken and the
 * read after letting go and the sweep are skipped.
 */
public final class ExclusivePasses implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ExclusivePasses.class);
    /** How often each node of a shared store looks for owed work that no node has claimed. */
    public static final Duration SWEEP = Duration.ofSeconds(5);

    /** The work itself. Its methods must not block, except {@link #pass}'s future, which may take long. */
    public interface Work {
        /** One pass over the semaphore, run while this node holds its claim; completes when the pass is over. */
        CompletableFuture<?> pass(String semaphore);

        /** Whether work this node started on the semaphore is still under way: the claim is kept meanwhile. */
        boolean busy(String semaphore);

        /**
         * Read after the claim was let go: whether the store holds work on the semaphore that a pass
         * here would take up. It must be false when a pass would start nothing, or passes would follow
         * each other for ever.
         */
        CompletableFuture<Boolean> owed(String semaphore);

        /** The semaphores that have work owed, for the sweep and for {@link #recover}. */
        CompletableFuture<List<String>> semaphoresOwed();
    }

    private final Engine engine;
    private final String what;
    private final String keyPrefix;
    private final Work work;
    private final SerialPasses passes;
    /** The claims this node holds, by semaphore: taken and let go by passes, which run one at a time per semaphore. */
    private final Map<String, WorkClaim> held = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition closing = lock.newCondition();
    private final Thread sweeper;
    /** Where the calls that may block (the claim's, in the store) run. */
    private final Executor threads;
    private volatile boolean closed;

    /**
     * @param what      names the work in logs, e.g. {@code "Webhook dispatch"}
     * @param keyPrefix the claim of semaphore {@code s} is {@code keyPrefix + s}, e.g. {@code "webhook:"}
     */
    public ExclusivePasses(Engine engine, String what, String keyPrefix, Work work) {
        this.engine = engine;
        this.what = what;
        this.keyPrefix = keyPrefix;
        this.work = work;
        this.passes = new SerialPasses(what, this::run);
        String threadName = "sluice-" + keyPrefix.replace(":", "");
        this.threads = task -> Thread.ofVirtual().name(threadName).start(task);
        if (engine.isShared()) {
            sweeper = Thread.ofVirtual().name(threadName + "-sweep").start(this::sweepEvery);
        } else {
            sweeper = null;
        }
    }

    /** Work on {@code semaphore} may be due: a pass now (if this node gets the claim), or one more after the running one. */
    public void request(String semaphore) {
        if (!closed) {
            passes.request(semaphore);
        }
    }

    /** Asks for a pass on every semaphore with work owed: at start, and after announcements may have been missed. */
    public void recover() {
        work.semaphoresOwed().join().forEach(this::request);
    }

    /** Whether no pass runs or is wanted here. */
    public boolean isIdle() {
        return passes.isIdle();
    }

    /** Whether this node holds the claim on {@code semaphore} now (as far as it knows: it may just have been cut off). */
    public boolean holds(String semaphore) {
        return held.containsKey(semaphore);
    }

    /**
     * A pass: take (or check) the claim, run the work, then keep the claim or let it go. The claim's
     * calls to the store block, so they run on threads of their own: requests come from commit
     * listeners and from the thread that hears the other nodes, which must not be held up.
     */
    private CompletableFuture<?> run(String semaphore) {
        if (closed) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.supplyAsync(() -> !closed && claim(semaphore), threads)
                .thenCompose(claimed -> claimed ? passHolding(semaphore) : CompletableFuture.completedFuture(null));
    }

    private CompletableFuture<Void> passHolding(String semaphore) {
        CompletableFuture<?> pass;
        try {
            pass = work.pass(semaphore);
        } catch (RuntimeException e) {
            pass = CompletableFuture.failedFuture(e);
        }
        return pass.handle((ignored, failure) -> failure).thenComposeAsync(failure -> {
            if (closed || work.busy(semaphore)) {
                return outcome(failure);   // kept: the end of the work under way asks for the next pass
            }
            letGo(semaphore);
            if (failure != null || !engine.isShared()) {
                return outcome(failure);
            }
            // Let go, then look: work made due while the claim was held here is found now (rule 2).
            return work.owed(semaphore).handle((owed, readFailure) -> {
                if (Boolean.TRUE.equals(owed)) {
                    request(semaphore);
                }
                return (Void) null;
            });
        }, threads);
    }

    private static CompletableFuture<Void> outcome(Throwable failure) {
        return failure == null ? CompletableFuture.completedFuture(null) : CompletableFuture.failedFuture(failure);
    }

    /** Whether this node holds the semaphore's claim, taking it if it is free. */
    private boolean claim(String semaphore) {
        WorkClaim mine = held.get(semaphore);
        if (mine != null) {
            if (mine.isHeld()) {
                return true;
            }
            held.remove(semaphore, mine);
            mine.close();
            log.warn("{} of {}: this node lost its claim (cut off from the store){}", what, semaphore,
                    work.busy(semaphore) ? " while work was under way; a node that takes it over may repeat that work" : "");
        }
        try {
            Optional<WorkClaim> taken = engine.tryClaim(keyPrefix + semaphore);
            taken.ifPresent(c -> held.put(semaphore, c));
            return taken.isPresent();
        } catch (RuntimeException e) {
            log.debug("{} of {}: cannot claim it now: {}", what, semaphore, e.getMessage());
            return false;   // the store is away: the sweep or the next commit tries again
        }
    }

    private void letGo(String semaphore) {
        WorkClaim mine = held.remove(semaphore);
        if (mine != null) {
            mine.close();
        }
    }

    private void sweepEvery() {
        while (!closed) {
            lock.lock();
            try {
                closing.awaitNanos(SWEEP.toNanos());
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            if (closed) {
                return;
            }
            try {
                for (String semaphore : work.semaphoresOwed().join()) {
                    if (!held.containsKey(semaphore)) {
                        request(semaphore);   // claimed by a live node: its try fails, and nothing happens
                    }
                }
            } catch (RuntimeException e) {
                log.debug("{}: the sweep could not read the store: {}", what, e.getMessage());
            }
        }
    }

    /** Stops asking for passes and lets every claim go. Call after the work under way has stopped. */
    @Override
    public void close() {
        closed = true;
        lock.lock();
        try {
            closing.signalAll();
        } finally {
            lock.unlock();
        }
        held.keySet().forEach(this::letGo);
    }
}
