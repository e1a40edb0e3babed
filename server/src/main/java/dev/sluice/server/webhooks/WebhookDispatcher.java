package dev.sluice.server.webhooks;

import dev.sluice.core.Claimed;
import dev.sluice.core.PendingDeliveries;
import dev.sluice.core.ProblemCode;
import dev.sluice.core.SemaphoreMachine;
import dev.sluice.core.SluiceException;
import dev.sluice.core.semaphore.Delivery;
import dev.sluice.server.Engine;
import dev.sluice.server.SerialPasses;
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
 * <p>On one node a delivery is never made twice at once: per semaphore, the permits under way are
 * remembered, and one is forgotten only by a pass that read the store after its answer was
 * recorded. Several nodes on one store would each deliver what is owed; see {@link SerialPasses}
 * for where exclusivity per semaphore goes.
 */
public final class WebhookDispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);

    /** What one node knows of a semaphore's deliveries. Guarded by itself. */
    private static final class Lane {
        /** Permits whose delivery this node is making, or has made and not yet seen settled in the store. */
        final Set<String> underWay = new HashSet<>();
        /** Permits whose delivery ended (its answer recorded, or given up) since the running pass read the store. */
        final Set<String> ended = new HashSet<>();
        /** Whether the last delivery failed: failures are logged when they start and when they stop. */
        boolean failing;
    }

    private final Engine engine;
    private final WebhookClient client;
    private final ExecutorService deliveries = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("sluice-webhook-", 0).factory());
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    private final SerialPasses passes;
    private volatile boolean closed;

    public WebhookDispatcher(Engine engine) {
        this(engine, WebhookTargets.defaults());
    }

    /** A dispatcher whose deliveries go only where {@code targets} allows (checked at each new connection). */
    public WebhookDispatcher(Engine engine, WebhookTargets targets) {
        this.engine = engine;
        this.client = new WebhookClient(targets);
        this.passes = new SerialPasses("Webhook dispatch", this::pass);
    }

    /** Jobs of {@code semaphore} were granted for delivery (or may be owed): deliver what is owed. */
    public void wake(String semaphore) {
        if (!closed) {
            passes.request(semaphore);
        }
    }

    /** At start: delivers what a previous process granted but never saw answered. */
    public void recover() {
        for (String semaphore : engine.query(q -> q.semaphoresAwaitingDelivery()).join()) {
            wake(semaphore);
        }
    }

    /** Reads what the semaphore owes and starts each delivery not already under way here. */
    private CompletableFuture<?> pass(String semaphore) {
        Lane lane = lanes.computeIfAbsent(semaphore, k -> new Lane());
        Set<String> endedBefore;
        synchronized (lane) {
            endedBefore = Set.copyOf(lane.ended);
        }
        return engine.apply(semaphore, SemaphoreMachine::pendingDeliveries).handle((owed, failure) -> {
            List<Claimed> start = new ArrayList<>();
            synchronized (lane) {
                // read after those answers were recorded: what the store still owes of them is owed again
                lane.underWay.removeAll(endedBefore);
                lane.ended.removeAll(endedBefore);
                if (owed != null && !closed) {
                    for (Claimed job : owed.jobs()) {
                        if (lane.underWay.add(job.permit().id())) {
                            start.add(job);
                        }
                    }
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
            synchronized (lane) {
                lane.ended.add(permitId);
            }
        }
        if (retry) {
            wake(semaphore);   // once: a pass that fails too ends there, and the lease's end is the last resort
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
        return passes.isIdle() && lanes.values().stream().allMatch(l -> {
            synchronized (l) {
                return l.underWay.isEmpty() || l.ended.containsAll(l.underWay);
            }
        });
    }

    /** Stops delivering. Deliveries under way are abandoned unrecorded: they stay owed, for the next start. */
    @Override
    public void close() {
        closed = true;
        deliveries.shutdownNow();
        try {
            deliveries.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        client.close();
    }
}
