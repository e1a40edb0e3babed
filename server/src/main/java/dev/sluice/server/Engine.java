package dev.sluice.server;

import dev.sluice.core.Effects;
import dev.sluice.core.Ledger;
import dev.sluice.core.SemaphoreMachine;
import dev.sluice.core.SluiceException;
import dev.sluice.core.semaphore.SemaphoreRecord;
import dev.sluice.server.cluster.Announcements;
import dev.sluice.server.http.Problems;
import dev.sluice.store.Announced;
import dev.sluice.store.Due;
import dev.sluice.store.Peers;
import dev.sluice.store.Queries;
import dev.sluice.store.Store;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * listeners hear of the commits of one semaphore through this engine strictly in commit order,
 * each with its {@linkplain Committed#sequence() sequence number}: for state that must not go
 * backwards (gauges, the event stream). The order comes from a number taken inside the
 * transaction, while it holds the semaphore's lock, so it is the order in which the store
 * serialised the operations.
 *
 * <p>On a store shared by several nodes, each commit is also announced to the other nodes (see
 * {@link Announcements}), and what they announce reaches this node's {@link #onCommit} listeners
 * as if committed here (with no sequence number, state or changes): a release on one node grants
 * the wait held on another.
 */
public final class Engine {
    private static final Logger log = LoggerFactory.getLogger(Engine.class);

    /** What an operation returned, with its effects; on a shared store it is announced with its commit. */
    private final class Outcome<T> implements Announced {
        final String semaphore;
        final T value;
        final Effects effects;
        final Instant at;
        final long sequence;
        final SemaphoreRecord state;

        Outcome(String semaphore, T value, Effects effects, Instant at, long sequence, SemaphoreRecord state) {
            this.semaphore = semaphore;
            this.value = value;
            this.effects = effects;
            this.at = at;
            this.sequence = sequence;
            this.state = state;
        }

        @Override
        public List<String> announcements() {
            return Announcements.encode(semaphore, effects, waiterPrefix, at, Timekeeper.LONGEST_SLEEP);
        }
    }

    /**
     * One operation on its way through the store, which may run it more than once (a batch
     * retried): the sequence number its last run took, and what that run refused.
     */
    private final class Attempt<T> {
        final String semaphore;
        final Function<SemaphoreMachine, T> operation;
        SemaphoreMachine lastRun;
        Sequencer sequencer;
        long ticket;

        Attempt(String semaphore, Function<SemaphoreMachine, T> operation) {
            this.semaphore = semaphore;
            this.operation = operation;
        }

        /** Runs inside the transaction that holds the semaphore's lock. */
        Outcome<T> run(Ledger ledger) {
            voidTicket();   // the store runs the operation again: its earlier run will never commit
            Instant at = now();
            SemaphoreMachine machine = new SemaphoreMachine(ledger, semaphore, at, random);
            lastRun = machine;
            T value = operation.apply(machine);
            // only operations that succeeded get a sequencer: a name that names nothing leaves nothing behind
            sequencer = sequencers.computeIfAbsent(semaphore, k -> new Sequencer());
            ticket = sequencer.take();
            boolean deleted = machine.effects().changes().stream().anyMatch(c -> c instanceof Effects.Deleted);
            return new Outcome<>(semaphore, value, machine.effects(), at, ticket, deleted ? null : machine.lastKnown());
        }

        void voidTicket() {
            if (ticket != 0) {
                sequencer.arrive(ticket, null, orderedListeners);
                ticket = 0;
            }
        }

        T committed(Outcome<T> outcome, String actor) {
            Committed committed = new Committed(semaphore, outcome.effects, outcome.sequence, outcome.state, actor);
            listeners.forEach(l -> tell(l, committed));
            sequencer.arrive(outcome.sequence, committed, orderedListeners);
            ticket = 0;
            if (outcome.state == null && sequencer.drained()) {
                // deleted (or never there): forget its numbers; a semaphore made again under the name starts at 1
                sequencers.remove(semaphore, sequencer);
            }
            return outcome.value;
        }

        void failed(Throwable failure, String actor) {
            voidTicket();   // ran, but its batch did not commit
            if (Problems.unwrap(failure) instanceof SluiceException && lastRun != null) {
                for (Effects.Change c : lastRun.effects().changes()) {
                    if (c instanceof Effects.Rejected r) {
                        Refused refused = new Refused(semaphore, r, actor);
                        refusalListeners.forEach(l -> tell(l, refused));
                    }
                }
            }
        }
    }

    /** A value with the sequence number of the commit that produced it. */
    public record Sequenced<T>(T value, long sequence) {}

    private final Store store;
    private final Clock clock;
    /** Permit and job ids are capabilities: unguessable. */
    private final SecureBits random = new SecureBits();
    private final List<Consumer<Committed>> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Committed>> orderedListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Refused>> refusalListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> missedListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> keysChangedListeners = new CopyOnWriteArrayList<>();
    private final ConcurrentHashMap<String, Sequencer> sequencers = new ConcurrentHashMap<>();
    /** Every waiter id of this node starts with it, so other nodes can tell whose waiter it is. */
    private final String waiterPrefix;

    /**
     * What a committed operation means for others.
     *
     * @param sequence the operation's place among the commits on this semaphore through this engine
     *                 (1, 2, …); 0 for a commit another node announced
     * @param state    the semaphore as committed, or null when the operation deleted it or never read
     *                 it, or another node made it
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
        this.waiterPrefix = "w" + store.nodeId() + ".";
        store.listen(new Peers() {
            @Override
            public void announced(String announcement) {
                if (Announcements.isKeysChanged(announcement)) {
                    keysChangedListeners.forEach(l -> tell(Runnable::run, l));
                    return;
                }
                Announcements.Announcement a = Announcements.decode(announcement);
                Committed committed = new Committed(a.semaphore(), a.effects());
                listeners.forEach(l -> tell(l, committed));
            }

            @Override
            public void mayHaveMissedSome() {
                missedListeners.forEach(Runnable::run);
            }
        });
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

    /**
     * Adds a party to tell when this node was cut off from a shared store and is back: what other
     * nodes announced meanwhile may have been missed, so whatever waits on announcements should
     * look at the store again. Runs on a thread of the store: must be quick and must not block.
     */
    public void onMissedAnnouncements(Runnable listener) {
        missedListeners.add(listener);
    }

    /**
     * Adds a party to tell when another node announced that the API keys changed (see
     * {@link Announcements#keysChanged()}). Runs on a thread of the store: must be quick and must not block.
     */
    public void onKeysChanged(Runnable listener) {
        keysChangedListeners.add(listener);
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
        return run(semaphore, actor, operation).thenApply(o -> o.value);
    }

    /** As {@link #apply(String, Function)}, also answering the commit's sequence number on this semaphore. */
    public <T> CompletableFuture<Sequenced<T>> applySequenced(String semaphore, Function<SemaphoreMachine, T> operation) {
        return run(semaphore, null, operation).thenApply(o -> new Sequenced<>(o.value, o.sequence));
    }

    private <T> CompletableFuture<Outcome<T>> run(String semaphore, String actor, Function<SemaphoreMachine, T> operation) {
        Attempt<T> attempt = new Attempt<>(semaphore, operation);
        return store.<Outcome<T>>inTransaction(semaphore, attempt::run).whenComplete((outcome, failure) -> {
            if (failure == null) {
                attempt.committed(outcome, actor);
            } else {
                attempt.failed(failure, actor);
            }
        });
    }

    /**
     * One timer pass: runs {@link SemaphoreMachine#tick} on every semaphore that time has made due (see
     * {@link Store#onEachDue}); completes, after the commits were announced, with the number of leases each expired.
     */
    public CompletableFuture<Due<Integer>> tickDue(Instant since, Instant now) {
        Map<String, Attempt<Integer>> attempts = new ConcurrentHashMap<>();
        return store.<Outcome<Integer>>onEachDue(since, now, (semaphore, ledger) ->
                        attempts.computeIfAbsent(semaphore, s -> new Attempt<>(s, SemaphoreMachine::tick)).run(ledger))
                .whenComplete((pass, failure) -> {
                    for (Attempt<Integer> a : attempts.values()) {
                        if (pass == null || !pass.results().containsKey(a.semaphore)) {
                            a.voidTicket();   // ran, but did not commit
                        }
                    }
                })
                .thenApply(pass -> {
                    Map<String, Integer> expired = new LinkedHashMap<>();
                    pass.results().forEach((semaphore, outcome) ->
                            expired.put(semaphore, attempts.get(semaphore).committed(outcome, null)));
                    return new Due<>(expired, pass.busy());
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

    /** Whether other nodes share the store (see {@link Store#isShared()}). */
    public boolean isShared() {
        return store.isShared();
    }

    /** Claims work that must run on one node at a time (see {@link Store#tryClaim}). */
    public java.util.Optional<dev.sluice.store.WorkClaim> tryClaim(String key) {
        return store.tryClaim(key);
    }

    /** A new waiter id: this node's prefix, then 96 random bits. */
    public String newWaiterId() {
        return waiterPrefix + HexFormat.of().toHexDigits(random.nextLong()) + HexFormat.of().toHexDigits(random.nextInt());
    }
}
