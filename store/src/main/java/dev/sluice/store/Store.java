package dev.sluice.store;

import dev.sluice.core.Ledger;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The only owner of durable state. Every operation on a semaphore runs in a transaction that holds
 * that semaphore's lock; concurrent operations are committed together (group commit), and a
 * future completes only after its operation's commit is durable.
 *
 * <p>An operation that throws is undone alone: the others committed with it are unaffected. A
 * failure of the store itself fails every operation of the batch with {@link dev.sluice.store.sql.StoreException}.
 *
 * <p>A store may be <em>shared</em> by several nodes ({@link #isShared()}): then an operation's
 * result that is {@link Announced} reaches the other nodes' {@link Peers} with its commit, timer
 * work is divided between the nodes ({@link #onEachDue}), and each node has an id
 * ({@link #nodeId()}) that is live while the node is. The defaults here describe the embedded
 * store: one node, nobody to tell.
 */
public interface Store extends AutoCloseable {

    /**
     * Runs {@code operation} on the semaphore {@code name} in a transaction holding its lock. A
     * store may undo a run and run the operation again before it commits; only the run that commits
     * counts, so an operation must act only through its ledger and its result.
     */
    <T> CompletableFuture<T> inTransaction(String name, Function<Ledger, T> operation);

    /**
     * Runs a query across semaphores (or on the API keys), seeing only committed state, in one
     * transaction. A result that is {@link Announced} reaches the other nodes of a shared store
     * with its commit, as for {@link #inTransaction}.
     */
    <T> CompletableFuture<T> query(Function<Queries, T> query);

    /** Whether the store answers now. */
    boolean isHealthy();

    /** Sets who hears each commit of a transaction that wrote rows (replacing any listener set before). */
    void onCommit(CommitListener listener);

    /** Whether other nodes may share this store, so that entries in a queue may belong to live processes elsewhere. */
    default boolean isShared() {
        return false;
    }

    /**
     * This node's id among the nodes of the store, {@code [0-9a-z]{1,16}}. The server starts the
     * ids of its waiting acquires with {@code "w" + nodeId() + "."}, which is how a shared store
     * tells the waiters of a node that died ({@link Queries#waitersOfDeadNodes()}).
     */
    default String nodeId() {
        return "local";
    }

    /** Sets who hears the other nodes' announcements; the embedded store has no other nodes. */
    default void listen(Peers peers) {}

    /**
     * One timer pass: runs {@code operation} (given the semaphore's name and ledger), each in its own transaction as {@link #inTransaction}
     * does, on every semaphore that time has made due by {@code now}: a lease ended, a wait's
     * deadline passed, or a retry backoff ended after {@code since}. On a shared store a semaphore
     * is worked through by one node at a time, and a backoff end another node has already seen to
     * is not handed out again. Completes when every operation has committed.
     */
    default <T> CompletableFuture<Due<T>> onEachDue(Instant since, Instant now, BiFunction<String, Ledger, T> operation) {
        return query(q -> q.semaphoresDue(since, now)).thenCompose(names -> {
            Map<String, T> results = new LinkedHashMap<>();
            CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
            for (String name : names) {
                all = all.thenCompose(ignored -> inTransaction(name, ledger -> operation.apply(name, ledger))
                        .handle((value, failure) -> {
                            if (failure == null) {
                                results.put(name, value);
                            }
                            return null;
                        }));
            }
            return all.thenApply(ignored -> new Due<>(results, false));
        });
    }

    /**
     * Claims work that must run on one node at a time, such as dispatching one semaphore's
     * webhooks ({@code "webhook:" + name}): empty when another node (or another caller here) holds
     * {@code key}. The claim is held until closed, or until this node stops, dies or is cut off
     * from a shared store; then another node's next try gets it. On PostgreSQL it is a session
     * advisory lock on a connection of its own.
     */
    default Optional<WorkClaim> tryClaim(String key) {
        return LocalWorkClaims.tryClaim(this, key);
    }

    @Override
    void close();
}
