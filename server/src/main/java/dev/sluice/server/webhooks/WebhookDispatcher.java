package dev.sluice.server.webhooks;

import dev.sluice.core.Claimed;
import dev.sluice.core.PendingDeliveries;
import dev.sluice.core.ProblemCode;
import dev.sluice.core.SemaphoreMachine;
import dev.sluice.core.SluiceException;
import dev.sluice.core.semaphore.Delivery;
import dev.sluice.server.Engine;
import dev.sluice.server.ExclusivePasses;
import dev.sluice.server.http.Problems;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes the jobs of webhook semaphores to their processors (SPEC §3 "Delivery of async jobs").
 *
 * <p>The core grants a waiting job a permit before it is delivered, so the deliveries of a
 * semaphore never outnumber its permits; this class only carries out what the core says is owed
 * ({@link SemaphoreMachine#pendingDeliveries}) and records each answer
 * ({@link SemaphoreMachine#delivered}, {@link SemaphoreMachine#deliveryFailed}). It is woken by
 * commits that granted jobs for delivery ({@link #wake}) and once at start ({@link #recover}), never
 * by polling. Each delivery runs on its own virtual thread, bounded by the webhook's timeout and
 * by the end of its permit's lease, so a slow endpoint holds up nothing but its own deliveries.
 *
 * <p>At least once: an answer is recorded after it came; a delivery whose answer was not recorded
 * (the node died, the store failed) is still owed, and is made again, with the same job id, permit
 * and attempt number, at the next start or when its lease runs out (then as a new attempt).
 *
 * <p>A delivery is never made twice at once. Across nodes: only the node holding the semaphore's
 * work claim ({@code "webhook:" + name}) delivers for it, and it keeps the claim while any of its
 * deliveries is under way (see {@link ExclusivePasses} for how the claim passes between nodes
 * without leaving a delivery owed and unmade, and how a node that dies holding it is taken over
 * from). On the node: per semaphore, the permits under way are remembered, and one is forgotten
 * only by a pass that read the store after its answer was recorded.
 *
 * <p>A node taking over from one that died delivers again what that node had under way (same
 * permit, same attempt), as at a restart. Only a node cut off from the store while its deliveries
 * go on, whose claim another node takes, can overlap with that node's repeat of them: at least
 * once, never dropped, and processors deduplicate on {@code Sluice-Job-Id} and {@code Sluice-Attempt}.
 */
public final class WebhookDispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);

    /** The claim of a semaphore's dispatch is this prefix and its name. */
    public static final String CLAIM_PREFIX = "webhook:";

    /** What one node knows of a semaphore's deliveries. Guarded by itself. */
    private static final class Lane {
        /** Permits whose delivery this node is making, or has made and not yet seen settled in the store. */
        final Set<String> underWay = new HashSet<>();
        /** Permits whose delivery ended (its answer recorded, or given up) since the running pass read the store. */
        final Set<String> ended = new HashSet<>();
        /**
         * Permits whose delivery this node made, until a pass reads that they are owed no more: one still
         * owed (its answer could not be recorded) is not a reason to take the claim again at once.
         */
        final Set<String> made = new HashSet<>();
        /** Whether the last delivery failed: failures are logged when they start and when they stop. */
        boolean failing;

        /** Whether a delivery of this node's is under way. */
        synchronized boolean busy() {
            return !ended.containsAll(underWay);
        }

        /** Whether the permit's delivery is neither under way here nor made here already. */
        synchronized boolean isNew(String permitId) {
            return !underWay.contains(permitId) && !made.contains(permitId);
        }
    }

    private final Engine engine;
    private final WebhookClient client;
    private final ExecutorService deliveries = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("sluice-webhook-", 0).factory());
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    private final ExclusivePasses passes;
    private volatile boolean closed;

    public WebhookDispatcher(Engine engine) {
        this(engine, WebhookTargets.defaults());
    }

    /** A dispatcher whose deliveries go only where {@code targets} allows (checked at each new connection). */
    public WebhookDispatcher(Engine engine, WebhookTargets targets) {
        this.engine = engine;
        this.client = new WebhookClient(targets);
        this.passes = new ExclusivePasses(engine, "Webhook dispatch", CLAIM_PREFIX, new ExclusivePasses.Work() {
            @Override
            public CompletableFuture<?> pass(String semaphore) {
                return WebhookDispatcher.this.pass(semaphore);
            }

            @Override
            public boolean busy(String semaphore) {
                Lane lane = lanes.get(semaphore);
                return lane != null && lane.busy();
            }

            @Override
            public CompletableFuture<Boolean> owed(String semaphore) {
                Lane lane = lanes.get(semaphore);
                Instant now = engine.now();
                return engine.apply(semaphore, SemaphoreMachine::pendingDeliveries).thenApply(owed -> owed.jobs().stream()
                        .anyMatch(c -> deliverable(c, now) && (lane == null || lane.isNew(c.permit().id()))));
            }

            @Override
            public CompletableFuture<List<String>> semaphoresOwed() {
                return engine.query(q -> q.semaphoresAwaitingDelivery());
            }
        });
    }

    /** Jobs of {@code semaphore} were granted for delivery (or may be owed): deliver what is owed. */
    public void wake(String semaphore) {
        if (!closed) {
            passes.request(semaphore);
        }
    }

    /**
     * At start: delivers what a previous process granted but never saw answered; also after this
     * node may have missed announcements. On a shared store, semaphores another live node
     * dispatches are left to it.
     */
    public void recover() {
        passes.recover();
    }

    /** Whether this node dispatches {@code semaphore}'s webhook now (holds its claim). */
    public boolean dispatches(String semaphore) {
        return passes.holds(semaphore);
    }

    /** Whether the job's permit can still be delivered: its lease is not over (else the timekeeper makes it a failed attempt). */
    private static boolean deliverable(Claimed c, Instant now) {
        return c.permit().expiresAt() == null || c.permit().expiresAt().isAfter(now);
    }

    /** Reads what the semaphore owes and starts each delivery not already under way here. Runs holding the claim. */
    private CompletableFuture<?> pass(String semaphore) {
        Lane lane = lanes.computeIfAbsent(semaphore, k -> new Lane());
        Set<String> endedBefore;
        synchronized (lane) {
            endedBefore = Set.copyOf(lane.ended);
        }
        return engine.apply(semaphore, SemaphoreMachine::pendingDeliveries).handle((owed, failure) -> {
            List<Claimed> start = new ArrayList<>();
            Instant now = engine.now();
            synchronized (lane) {
                // read after those answers were recorded: what the store still owes of them is owed again
                lane.underWay.removeAll(endedBefore);
                lane.ended.removeAll(endedBefore);
                if (owed != null && !closed) {
                    Set<String> stillOwed = new HashSet<>();
                    for (Claimed job : owed.jobs()) {
                        stillOwed.add(job.permit().id());
                        if (deliverable(job, now) && lane.underWay.add(job.permit().id())) {
                            start.add(job);
                        }
                    }
                    lane.made.retainAll(stillOwed);
                }
            }
            if (failure != null) {
                if (closed) {
                    return null;   // the store is going away: what is owed stays owed, for the next start
                }
                if (Problems.unwrap(failure) instanceof SluiceException se && se.code() == ProblemCode.NOT_FOUND) {
                    lanes.remove(semaphore, lane);   // the semaphore was deleted
                    return null;
                }
                throw new IllegalStateException("reading the deliveries owed: " + Problems.unwrap(failure), failure);
            }
            for (Claimed job : start) {
                try {
                    deliveries.execute(() -> deliver(semaphore, owed, job, lane));
                } catch (RejectedExecutionException closing) {
                    break;
                }
            }
            return null;
        });
    }

    /** Makes one delivery and records its answer. Runs on its own virtual thread. */
    private void deliver(String semaphore, PendingDeliveries owed, Claimed c, Lane lane) {
        String jobId = c.job().id();
        String permitId = c.permit().id();
        boolean retry = false;
        try {
            Delivery delivery = owed.delivery();
            Instant now = engine.now();
            Instant end = now.plus(delivery.timeout());
            String timeoutText = delivery.timeout().toString();
            if (c.permit().expiresAt() != null && c.permit().expiresAt().isBefore(end)) {
                end = c.permit().expiresAt();
                timeoutText = "the end of the lease";
            }
            Duration within = Duration.between(now, end);
            if (within.toMillis() <= 0) {
                return;   // the lease is over: the timekeeper makes this a failed attempt
            }
            byte[] body = c.job().payload().getBytes(StandardCharsets.UTF_8);
            WebhookClient.Answer answer = client.post(URI.create(delivery.url()), headers(semaphore, owed, c, body), body,
                    within, timeoutText);
            if (answer.accepted()) {
                engine.apply(semaphore, m -> m.delivered(jobId, permitId)).join();
            } else {
                engine.apply(semaphore, m -> m.deliveryFailed(jobId, permitId, answer.error())).join();
            }
            logTransition(semaphore, lane, answer);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();   // closing: the answer is unknown, so the delivery stays owed
        } catch (RuntimeException e) {
            boolean gone = Problems.unwrap(e) instanceof SluiceException se && se.code() == ProblemCode.NOT_FOUND;
            if (!closed && !gone) {
                log.warn("The answer to the delivery of job {} of {} could not be recorded; it stays owed: {}",
                        jobId, semaphore, Problems.unwrap(e).toString());
                retry = true;
            }
        } finally {
            boolean last;
            synchronized (lane) {
                lane.ended.add(permitId);
                lane.made.add(permitId);
                last = !lane.busy();
            }
            // A retry once: a pass that fails too ends there, and the sweep or the lease's end is the last
            // resort. The last delivery under way ending: a pass sees it settled, and lets the claim go.
            if (retry || last) {
                wake(semaphore);
            }
        }
    }

    private Map<String, String> headers(String semaphore, PendingDeliveries owed, Claimed c, byte[] body) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", "application/json");
        h.put("User-Agent", "Sluice-Webhooks/1");
        h.put("Sluice-Job-Id", c.job().id());
        h.put("Sluice-Semaphore", semaphore);
        h.put("Sluice-Permit-Id", c.permit().id());
        h.put("Sluice-Fencing-Token", Long.toString(c.permit().fencingToken()));
        h.put("Sluice-Attempt", Integer.toString(c.job().attempts()));
        h.put(Signatures.HEADER, Signatures.header(owed.signingSecrets(), engine.clock().instant().getEpochSecond(), body));
        if (c.job().traceparent() != null) {
            h.put("traceparent", c.job().traceparent());   // the trace given at enqueue goes on across the queue
        }
        return h;
    }

    private void logTransition(String semaphore, Lane lane, WebhookClient.Answer answer) {
        boolean failed = !answer.accepted();
        boolean changed;
        synchronized (lane) {
            changed = lane.failing != failed;
            lane.failing = failed;
        }
        if (changed && failed) {
            log.warn("Webhook of {} is failing: {}; its jobs wait out their backoff", semaphore, answer.error());
        } else if (changed) {
            log.info("Webhook of {} accepts deliveries again", semaphore);
        }
    }

    /** Whether no pass runs and no delivery is under way (for tests and orderly shutdown). */
    public boolean isIdle() {
        return passes.isIdle() && lanes.values().stream().noneMatch(Lane::busy);
    }

    /**
     * Stops delivering. Deliveries under way are abandoned unrecorded: they stay owed, for the next
     * start or for the node that takes the claims over.
     */
    @Override
    public void close() {
        closed = true;
        deliveries.shutdownNow();
        try {
            deliveries.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        passes.close();   // after the deliveries stopped: no other node repeats one still under way here
        client.close();
    }
}
