package dev.sluice.server;

import dev.sluice.core.Effects;
import dev.sluice.core.SemaphoreMachine;
import dev.sluice.core.SluiceException;
import dev.sluice.core.semaphore.SemaphoreRecord;
import dev.sluice.server.http.Problems;
import dev.sluice.store.Queries;
import dev.sluice.store.Store;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the core's rules through the store and, once an operation has committed, tells the
 * parties it concerns: waiting acquires that were granted, and claims that may now succeed.
 * Every write of the server goes through here.
 *
 * <p>Listeners come in two kinds. {@link #onCommit} listeners hear of each commit as soon as its
 * future completes; across store batches that can be out of commit order. {@link #onCommitInOrder}
 * listeners hear of the commits of one semaphore strictly in commit order, each with its
 * {@linkplain Committed#sequence() sequence number}: for state that must not go backwards (gauges,
 * the event stream). The order comes from a number taken inside the transaction, while it holds
 * the semaphore's lock, so it is the order in which the store serialised the operations.
 */
public final class Engine {
    private static final Logger log = LoggerFactory.getLogger(Engine.class);
    private record Outcome<T>(T value, Effects effects, long sequence, SemaphoreRecord state) {}

    /** A value with the sequence number of the commit that produced it. */
    public record Sequenced<T>(T value, long sequence) {}

    private final Store store;
    private final Clock clock;
    /** Permit and job ids are capabilities: unguessable. */
    private final SecureRandom random = new SecureRandom();
    private final List<Consumer<Committed>> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Committed>> orderedListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Refused>> refusalListeners = new CopyOnWriteArrayList<>();
    private final ConcurrentHashMap<String, Sequencer> sequencers = new ConcurrentHashMap<>();

    /**
     * What a committed operation means for others.
     *
     * @param sequence the operation's place among the commits on this semaphore through this engine (1, 2, …)
     * @param state    the semaphore as committed, or null when the operation deleted it or never read it
     * @param actor    who asked for it (see {@link #apply(String, String, Function)}), or null for the server itself
     */
    public record Committed(String semaphore, Effects effects, long sequence, SemaphoreRecord state, String actor) {
        public Committed(String semaphore, Effects effects) {
            this(semaphore, effects, 0, null, null);
        }
    }

    /** An acquire the rules refused: its operation committed nothing. */
    public record Refused(String semaphore, Effects.Rejected rejection, String actor) {}

    public Engine(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /**
     * Adds a party to tell of every committed operation, in the order added. Listeners run on the
     * thread that completes the commit, so they must be quick and must not block.
     */
    public void onCommit(Consumer<Committed> listener) {
        listeners.add(listener);
    }

    /**
     * Adds a party to tell of the committed operations of each semaphore in commit order. It runs
     * under that semaphore's delivery lock, after the {@link #onCommit} listeners: it must be quick
     * and must not block, or it delays the others of that semaphore.
     */
    public void onCommitInOrder(Consumer<Committed> listener) {
        orderedListeners.add(listener);
    }

    /** Adds a party to tell of every acquire the rules refused (a {@code try} at the limit or paused). */
    public void onRefusal(Consumer<Refused> listener) {
        refusalListeners.add(listener);
    }

    /** Runs an operation of the rules on one semaphore; completes after its commit. */
    public <T> CompletableFuture<T> apply(String semaphore, Function<SemaphoreMachine, T> operation) {
        return apply(semaphore, null, operation);
    }

    /**
     * As {@link #apply(String, Function)}, on behalf of {@code actor}: who asked, as the audit log
     * names them (e.g. {@code remote:203.0.113.7}, {@code config-file}).
     */
    public <T> CompletableFuture<T> apply(String semaphore, String actor, Function<SemaphoreMachine, T> operation) {
        return run(semaphore, actor, operation).thenApply(Outcome::value);
    }

    /** As {@link #apply(String, Function)}, also answering the commit's sequence number on this semaphore. */
    public <T> CompletableFuture<Sequenced<T>> applySequenced(String semaphore, Function<SemaphoreMachine, T> operation) {
        return run(semaphore, null, operation).thenApply(o -> new Sequenced<>(o.value(), o.sequence()));
    }

    private <T> CompletableFuture<Outcome<T>> run(String semaphore, String actor, Function<SemaphoreMachine, T> operation) {
        SemaphoreMachine[] lastRun = new SemaphoreMachine[1];
        Sequencer[] sequencer = new Sequencer[1];
        long[] ticket = new long[1];
        return store.<Outcome<T>>inTransaction(semaphore, ledger -> {
            if (ticket[0] != 0) {   // the store runs the operation again: its earlier run will never commit
                sequencer[0].arrive(ticket[0], null, orderedListeners);
                ticket[0] = 0;
            }
            SemaphoreMachine machine = new SemaphoreMachine(ledger, semaphore, now(), random);
            lastRun[0] = machine;
            T value = operation.apply(machine);
            // only operations that succeeded get a sequencer: a name that names nothing leaves nothing behind
            sequencer[0] = sequencers.computeIfAbsent(semaphore, k -> new Sequencer());
            ticket[0] = sequencer[0].take();
            boolean deleted = machine.effects().changes().stream().anyMatch(c -> c instanceof Effects.Deleted);
            return new Outcome<>(value, machine.effects(), ticket[0], deleted ? null : machine.lastKnown());
        }).whenComplete((outcome, failure) -> {
            if (failure == null) {
                Committed committed = new Committed(semaphore, outcome.effects(), outcome.sequence(), outcome.state(), actor);
                listeners.forEach(l -> tell(l, committed));
                sequencer[0].arrive(outcome.sequence(), committed, orderedListeners);
                if (outcome.state() == null && sequencer[0].drained()) {
                    // deleted (or never there): forget its numbers; a semaphore made again under the name starts at 1
                    sequencers.remove(semaphore, sequencer[0]);
                }
                return;
            }
            if (ticket[0] != 0) {   // ran, but its batch did not commit
                sequencer[0].arrive(ticket[0], null, orderedListeners);
            }
            if (Problems.unwrap(failure) instanceof SluiceException && lastRun[0] != null) {
                for (Effects.Change c : lastRun[0].effects().changes()) {
                    if (c instanceof Effects.Rejected r) {
                        Refused refused = new Refused(semaphore, r, actor);
                        refusalListeners.forEach(l -> tell(l, refused));
                    }
                }
            }
        });
    }

    /** A listener that throws is a bug; it must not keep the others, or the commit order, from going on. */
    private static <E> void tell(Consumer<E> listener, E event) {
        try {
            listener.accept(event);
        } catch (RuntimeException e) {
            log.error("A commit listener failed", e);
        }
    }

    /**
     * Hands the commits of one semaphore to the ordered listeners by sequence number. A number is
     * taken inside the transaction, so numbers follow the store's order; every number taken
     * arrives exactly once, committed or void (null), so none is waited for in vain.
     */
    private static final class Sequencer {
        private long taken;
        private long delivered;
        private final TreeMap<Long, Committed> early = new TreeMap<>();
        private static final Committed VOID = new Committed("", null);

        synchronized long take() {
            return ++taken;
        }

        /** Every number taken has arrived. */
        synchronized boolean drained() {
            return delivered == taken;
        }

        synchronized void arrive(long sequence, Committed committed, List<Consumer<Committed>> ordered) {
            early.put(sequence, committed == null ? VOID : committed);
            while (!early.isEmpty() && early.firstKey() == delivered + 1) {
                Committed next = early.pollFirstEntry().getValue();
                delivered++;
                if (next != VOID) {
                    ordered.forEach(l -> tell(l, next));
                }
            }
        }
    }

    public <T> CompletableFuture<T> query(Function<Queries, T> query) {
        return store.query(query);
    }

    public Clock clock() {
        return clock;
    }

    /** The time operations run at: to the millisecond, the precision the store keeps. */
    public Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    public boolean isHealthy() {
        return store.isHealthy();
    }

    public String newWaiterId() {
        return "w" + HexFormat.of().toHexDigits(random.nextLong()) + HexFormat.of().toHexDigits(random.nextInt());
    }
}
