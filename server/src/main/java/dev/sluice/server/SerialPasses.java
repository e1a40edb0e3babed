package dev.sluice.server;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a pass over one semaphore at a time per semaphore. A request that comes while that
 * semaphore's pass runs is not lost and not queued up: it causes exactly one more pass once the
 * running one ends. Passes of different semaphores run independently. Holds no thread.
 *
 * <p>This is the single entry point through which background work on a semaphore starts, so it is
 * also where exclusivity across nodes would go (run the pass only while holding the semaphore's
 * lease in the store).
 */
public final class SerialPasses {
    private static final Logger log = LoggerFactory.getLogger(SerialPasses.class);

    private enum State { RUNNING, AGAIN }

    private final String what;
    private final Function<String, CompletableFuture<?>> pass;
    private final Map<String, State> states = new ConcurrentHashMap<>();

    /**
     * @param what names the passes in logs
     * @param pass starts a pass over a semaphore; the future completes when it is over
     */
    public SerialPasses(String what, Function<String, CompletableFuture<?>> pass) {
        this.what = what;
        this.pass = pass;
    }

    /** A pass over {@code semaphore} is wanted: starts one now, or one more after the running one. */
    public void request(String semaphore) {
        if (states.compute(semaphore, (k, s) -> s == null ? State.RUNNING : State.AGAIN) == State.RUNNING) {
            run(semaphore);
        }
    }

    /** Whether a pass runs or is wanted on any semaphore. */
    public boolean isIdle() {
        return states.isEmpty();
    }

    private void run(String semaphore) {
        CompletableFuture<?> running;
        try {
            running = pass.apply(semaphore);
        } catch (RuntimeException e) {
            running = CompletableFuture.failedFuture(e);
        }
        running.whenComplete((ignored, failure) -> {
            if (failure != null) {
                log.warn("{} pass on {} failed: {}", what, semaphore, failure.toString());
            }
            if (states.compute(semaphore, (k, s) -> s == State.AGAIN ? State.RUNNING : null) == State.RUNNING) {
                run(semaphore);
            }
        });
    }
}
