package dev.sluice.store;

import dev.sluice.core.Ledger;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The only owner of durable state. Every operation on a semaphore runs in a transaction that holds
 * that semaphore's lock; concurrent operations are committed together (group commit), and a
 * future completes only after its operation's commit is durable.
 *
 * <p>An operation that throws is undone alone: the others committed with it are unaffected. A
 * failure of the store itself fails every operation of the batch with {@link dev.sluice.store.sql.StoreException}.
 */
public interface Store extends AutoCloseable {

    /** Runs {@code operation} on the semaphore {@code name} in a transaction holding its lock. */
    <T> CompletableFuture<T> inTransaction(String name, Function<Ledger, T> operation);

    /** Runs a query across semaphores, seeing only committed state. */
    <T> CompletableFuture<T> query(Function<Queries, T> query);

    /** Whether the store answers now. */
    boolean isHealthy();

    @Override
    void close();
}
