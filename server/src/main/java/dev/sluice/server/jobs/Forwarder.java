package dev.sluice.server.jobs;

import dev.sluice.core.ProblemCode;
import dev.sluice.core.SluiceException;
import dev.sluice.core.job.JobRecord;
import dev.sluice.server.Engine;
import dev.sluice.server.ExclusivePasses;
import dev.sluice.server.http.Problems;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out {@code retry.onExhausted: {forward: target}}: moves a job whose retries ran out to
 * another semaphore, under the same id, with its payload and history.
 *
 * <p>The store runs one transaction per semaphore, so the move is three durable steps, like an
 * outbox: (1) on the source the job became {@code forwarding}, in the transaction of its last
 * failed attempt; (2) the target takes it in ({@code acceptForward}), which does nothing if the
 * target has it already; (3) the source marks it {@code forwarded} ({@code forwardDone}), which
 * does nothing if it is no longer forwarding. A crash between any two steps leaves the job
 * {@code forwarding} on the source, and the next pass (at the next start, see {@link #recover})
 * repeats the steps: step 2 finds the job there and takes nothing in twice. So the job is never
 * lost and never doubled. A target that does not exist dead-letters the job on the source.
 *
 * <p>Woken by commits that started a forward ({@link #wake}); a pass that fails (the store
 * failed) is tried again a second later.
 *
 * <p>On a shared store the forwards of a source are carried out by one node at a time, the one
 * holding its work claim ({@code "forward:" + source}, see {@link ExclusivePasses}). Each step is
 * idempotent, so two nodes doing the same forward would still take the job in once, except in one
 * race: a target created between one node's failed step 2 and another's successful one would
 * leave the job both dead on the source and waiting on the target. Under the claim that race
 * cannot happen, and every forward is read, taken in and marked once.
 */
public final class Forwarder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Forwarder.class);

    private final Engine engine;
    /** The claim of a source semaphore's forwards is this prefix and its name. */
    public static final String CLAIM_PREFIX = "forward:";

    private final ExclusivePasses passes;
    private volatile boolean closed;

    public Forwarder(Engine engine) {
        this.engine = engine;
        this.passes = new ExclusivePasses(engine, "Forward", CLAIM_PREFIX, new ExclusivePasses.Work() {
            @Override
            public CompletableFuture<?> pass(String source) {
                return Forwarder.this.pass(source);
            }

            @Override
            public boolean busy(String source) {
                return false;   // a pass carries out every forward it read before it ends
            }

            @Override
            public CompletableFuture<Boolean> owed(String source) {
                return engine.apply(source, m -> !m.pendingForwards().isEmpty());
            }

            @Override
            public CompletableFuture<List<String>> semaphoresOwed() {
                return engine.query(q -> q.semaphoresForwarding());
            }
        });
    }

    /** Jobs of {@code source} set out for another semaphore: carry the forwards out. */
    public void wake(String source) {
        if (!closed) {
            passes.request(source);
        }
    }

    /** At start: finishes the forwards a previous process left half done; also after this node may have missed announcements. */
    public void recover() {
        passes.recover();
    }

    private CompletableFuture<?> pass(String source) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofVirtual().name("sluice-forward-" + source).start(() -> {
            try {
                List<JobRecord> pending = engine.apply(source, m -> m.pendingForwards()).join();
                for (JobRecord job : pending) {
                    if (closed) {
                        break;
                    }
                    forward(source, job);
                }
                done.complete(null);
            } catch (RuntimeException e) {
                if (closed) {
                    done.complete(null);   // the store is going away: the forward is finished at the next start
                    return;
                }
                done.completeExceptionally(e);
                if (!(Problems.unwrap(e) instanceof SluiceException)) {
                    CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS).execute(() -> wake(source));
                }
            }
        });
        return done;
    }

    /** Steps 2 and 3 of one job's move. */
    private void forward(String source, JobRecord job) {
        String target = job.forwardedTo();
        String failure = null;
        try {
            boolean accepted = engine.apply(target, m -> m.acceptForward(job, source)).join();
            log.info("Job {} forwarded from {} to {}{}", job.id(), source, target, accepted ? "" : " (it was there already)");
        } catch (RuntimeException e) {
            if (!(Problems.unwrap(e) instanceof SluiceException refused)) {
                throw e;   // the store failed: the job stays forwarding, tried again by the next pass
            }
            failure = refused.code() == ProblemCode.NOT_FOUND ? "no semaphore named " + target : refused.getMessage();
            log.warn("Job {} of {} could not be forwarded to {}: {}; it is dead on {}", job.id(), source, target, failure, source);
        }
        String reason = failure;
        engine.apply(source, m -> {
            m.forwardDone(job.id(), reason);
            return null;
        }).join();
    }

    @Override
    public void close() {
        closed = true;
        passes.close();
    }
}
