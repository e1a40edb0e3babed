package dev.sluice.server;

import dev.sluice.core.Effects;
import dev.sluice.core.SemaphoreMachine;
import dev.sluice.server.cluster.Announcements;
import dev.sluice.store.Announced;
import dev.sluice.store.Due;
import dev.sluice.store.Peers;
import dev.sluice.store.Queries;
import dev.sluice.store.Store;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs the core's rules through the store and, once an operation has committed, tells the
 * parties it concerns: waiting acquires that were granted, and claims that may now succeed.
 * Every write of the server goes through here.
 *
 * <p>On a store shared by several nodes, each commit is also announced to the other nodes (see
 * {@link Announcements}), and what they announce reaches this node's listeners as if committed
 * here: a release on one node grants the wait held on another.
 */
public final class Engine {
    /** What an operation returned, with its effects; on a shared store it is announced with its commit. */
    private final class Outcome<T> implements Announced {
        final String semaphore;
        final T value;
        final Effects effects;
        final Instant at;

        Outcome(String semaphore, T value, Effects effects, Instant at) {
            this.semaphore = semaphore;
            this.value = value;
            this.effects = effects;
            this.at = at;
        }

        @Override
        public List<String> announcements() {
            return Announcements.encode(semaphore, effects, waiterPrefix, at, Timekeeper.LONGEST_SLEEP);
        }
    }

    private final Store store;
    private final Clock clock;
    /** Permit and job ids are capabilities: unguessable. */
    private final SecureRandom random = new SecureRandom();
    private final List<Consumer<Committed>> listeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> missedListeners = new CopyOnWriteArrayList<>();
    /** Every waiter id of this node starts with it, so other nodes can tell whose waiter it is. */
    private final String waiterPrefix;

    /** What a committed operation means for others. */
    public record Committed(String semaphore, Effects effects) {}

    public Engine(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
        this.waiterPrefix = "w" + store.nodeId() + ".";
        store.listen(new Peers() {
            @Override
            public void announced(String announcement) {
                Announcements.Announcement a = Announcements.decode(announcement);
                tell(new Committed(a.semaphore(), a.effects()));
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
     * Adds a party to tell when this node was cut off from a shared store and is back: what other
     * nodes announced meanwhile may have been missed, so whatever waits on announcements should
     * look at the store again. Runs on a thread of the store: must be quick and must not block.
     */
    public void onMissedAnnouncements(Runnable listener) {
        missedListeners.add(listener);
    }

    /** Runs an operation of the rules on one semaphore; completes after its commit. */
    public <T> CompletableFuture<T> apply(String semaphore, Function<SemaphoreMachine, T> operation) {
        return store.<Outcome<T>>inTransaction(semaphore, ledger -> run(semaphore, ledger, operation))
                .thenApply(this::committed);
    }

    private <T> Outcome<T> run(String semaphore, dev.sluice.core.Ledger ledger, Function<SemaphoreMachine, T> operation) {
        Instant at = now();
        SemaphoreMachine machine = new SemaphoreMachine(ledger, semaphore, at, random);
        T value = operation.apply(machine);
        return new Outcome<>(semaphore, value, machine.effects(), at);
    }

    private <T> T committed(Outcome<T> outcome) {
        tell(new Committed(outcome.semaphore, outcome.effects));
        return outcome.value;
    }

    private void tell(Committed committed) {
        listeners.forEach(l -> l.accept(committed));
    }

    /**
     * One timer pass: runs {@link SemaphoreMachine#tick} on every semaphore that time has made due (see
     * {@link Store#onEachDue}); completes, after the commits were announced, with the number of leases each expired.
     */
    public CompletableFuture<Due<Integer>> tickDue(Instant since, Instant now) {
        return store.<Outcome<Integer>>onEachDue(since, now, (semaphore, ledger) -> run(semaphore, ledger, SemaphoreMachine::tick))
                .thenApply(pass -> {
                    Map<String, Integer> expired = new LinkedHashMap<>();
                    pass.results().forEach((semaphore, outcome) -> expired.put(semaphore, committed(outcome)));
                    return new Due<>(expired, pass.busy());
                });
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

    /** A new waiter id: this node's prefix, then 96 random bits. */
    public String newWaiterId() {
        return waiterPrefix + HexFormat.of().toHexDigits(random.nextLong()) + HexFormat.of().toHexDigits(random.nextInt());
    }
}
