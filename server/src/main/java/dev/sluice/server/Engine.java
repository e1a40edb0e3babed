package dev.sluice.server;

import dev.sluice.core.Effects;
import dev.sluice.core.SemaphoreMachine;
import dev.sluice.store.Queries;
import dev.sluice.store.Store;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs the core's rules through the store and, once an operation has committed, tells the
 * parties it concerns: waiting acquires that were granted, and claims that may now succeed.
 * Every write of the server goes through here.
 */
public final class Engine {
    private record Outcome<T>(T value, Effects effects) {}

    private final Store store;
    private final Clock clock;
    /** Permit and job ids are capabilities: unguessable. */
    private final SecureRandom random = new SecureRandom();
    private final List<Consumer<Committed>> listeners = new CopyOnWriteArrayList<>();

    /** What a committed operation means for others. */
    public record Committed(String semaphore, Effects effects) {}

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

    /** Runs an operation of the rules on one semaphore; completes after its commit. */
    public <T> CompletableFuture<T> apply(String semaphore, Function<SemaphoreMachine, T> operation) {
        return store.<Outcome<T>>inTransaction(semaphore, ledger -> {
            SemaphoreMachine machine = new SemaphoreMachine(ledger, semaphore, now(), random);
            T value = operation.apply(machine);
            return new Outcome<>(value, machine.effects());
        }).thenApply(outcome -> {
            Committed committed = new Committed(semaphore, outcome.effects());
            listeners.forEach(l -> l.accept(committed));
            return outcome.value();
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

    public String newWaiterId() {
        return "w" + HexFormat.of().toHexDigits(random.nextLong()) + HexFormat.of().toHexDigits(random.nextInt());
    }
}
