package dev.sluice.server.jobs;

import dev.sluice.core.Claimed;
import dev.sluice.server.Engine;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Long-polling claims. A claim that finds nothing waits here as a future, not a thread; when an
 * operation frees capacity or adds a job on its semaphore, the pending claims are served, oldest
 * first, in one transaction. Only one such pass runs per semaphore at a time; a wake-up that
 * comes during a pass causes one more pass after it. A claim whose wait ends while a pass that
 * took it is in flight gets that pass's outcome (jobs granted to it are not taken back for a
 * deadline missed by the length of one transaction).
 */
public final class ClaimRegistry {
    private static final class Pending {
        final int max;
        final Duration lease;
        final CompletableFuture<List<Claimed>> result = new CompletableFuture<>();
        /** Guarded by the lane: taken by a pass in flight; its wait ended meanwhile; its client has gone. */
        boolean inPass;
        boolean waitEnded;
        boolean clientGone;

        Pending(int max, Duration lease) {
            this.max = max;
            this.lease = lease;
        }
    }

    private static final class Lane {
        final ArrayDeque<Pending> pending = new ArrayDeque<>();
        boolean serving;
        boolean again;
    }

    private final Engine engine;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();

    public ClaimRegistry(Engine engine) {
        this.engine = engine;
    }

    /** Claims up to {@code max} jobs, waiting up to {@code wait} for one to become claimable. */
    public CompletableFuture<List<Claimed>> claim(String semaphore, int max, Duration lease, Duration wait) {
        return claim(semaphore, max, lease, wait, new CompletableFuture<>());
    }

    /**
     * As {@link #claim(String, int, Duration, Duration)}, for a client that may go away while it
     * waits: when {@code clientGone} completes, the claim ends with no jobs, and jobs a pass in
     * flight grants it go back to their place in the queue, as for a claim whose wait ended.
     */
    public CompletableFuture<List<Claimed>> claim(String semaphore, int max, Duration lease, Duration wait,
                                                  CompletableFuture<Void> clientGone) {
        if (wait.isZero()) {
            return engine.apply(semaphore, m -> m.claim(max, lease));
        }
        Pending p = new Pending(max, lease);
        Lane lane = lanes.computeIfAbsent(semaphore, k -> new Lane());
        synchronized (lane) {
            lane.pending.add(p);
        }
        CompletableFuture.delayedExecutor(wait.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            synchronized (lane) {
                if (p.inPass) {
                    p.waitEnded = true;   // the pass in flight decides
                    return;
                }
            }
            p.result.complete(List.of());
        });
        clientGone.thenRun(() -> {
            synchronized (lane) {
                p.clientGone = true;
                if (p.inPass) {
                    p.waitEnded = true;   // the pass in flight hands back what it grants
                    return;
                }
            }
            p.result.complete(List.of());
        });
        p.result.whenComplete((v, e) -> {
            synchronized (lane) {
                lane.pending.remove(p);
            }
        });
        serve(semaphore);
        return p.result;
    }

    /** Something on the semaphore may have become claimable. */
    public void wake(String semaphore) {
        Lane lane = lanes.get(semaphore);
        if (lane != null) {
            serve(semaphore);
        }
    }

    /** Anything may have become claimable (this node may have missed announcements): every pending claim retries. */
    public void wakeAll() {
        lanes.keySet().forEach(this::wake);
    }

    public int pendingCount() {
        return lanes.values().stream().mapToInt(l -> {
            synchronized (l) {
                return l.pending.size();
            }
        }).sum();
    }

    private void serve(String semaphore) {
        Lane lane = lanes.get(semaphore);
        List<Pending> batch;
        synchronized (lane) {
            if (lane.serving) {
                lane.again = true;
                return;
            }
            batch = lane.pending.stream().filter(p -> !p.result.isDone() && !p.waitEnded).toList();
            if (batch.isEmpty()) {
                return;
            }
            batch.forEach(p -> p.inPass = true);
            lane.serving = true;
        }
        engine.apply(semaphore, m -> {
            Map<Pending, List<Claimed>> served = new LinkedHashMap<>();
            for (Pending p : batch) {
                List<Claimed> jobs = m.claim(p.max, p.lease);
                if (jobs.isEmpty()) {
                    break;   // nothing more fits: the claims behind this one would get nothing either
                }
                served.put(p, jobs);
            }
            return served;
        }).whenComplete((served, failure) -> {
            if (failure != null) {
                batch.forEach(p -> p.result.completeExceptionally(failure));
            } else {
                served.forEach((p, jobs) -> {
                    boolean gone;
                    synchronized (lane) {
                        gone = p.clientGone;
                    }
                    if (gone || !p.result.complete(jobs)) {
                        handBack(semaphore, jobs);
                    }
                });
            }
            // Then, and not before: a wait that ends from here on completes by itself.
            List<Pending> ended = new ArrayList<>();
            synchronized (lane) {
                for (Pending p : batch) {
                    p.inPass = false;
                    if (p.waitEnded) {
                        ended.add(p);
                    }
                }
            }
            ended.forEach(p -> p.result.complete(List.of()));
            boolean again;
            synchronized (lane) {
                lane.serving = false;
                again = lane.again;
                lane.again = false;
            }
            if (again) {
                serve(semaphore);
            }
        });
    }

    /** Jobs granted to a claim that timed out or whose client went away meanwhile go back to their place in the queue. */
    private void handBack(String semaphore, List<Claimed> jobs) {
        List<String> ids = new ArrayList<>();
        jobs.forEach(c -> ids.add(c.job().id()));
        engine.apply(semaphore, m -> {
            ids.forEach(m::reschedule);
            return null;
        });
    }
}
