package dev.sluice.store;

import org.slf4j.LoggerFactory;

/**
 * Hears each transaction of operations that a store commits after it wrote rows: how many
 * operations the transaction carried and how long its commit took. On the embedded store the
 * commit is where the write-ahead log is synced to the disk, so its time is what one durable
 * commit costs there, and the operations per commit are how many share that cost (group commit).
 *
 * <p>Called on the committing thread, after the commit and before the operations' futures
 * complete: it must be quick and must not block. A store calls it {@link #guarded}.
 */
@FunctionalInterface
public interface CommitListener {
    /**
     * @param operations  the operations (and queries) the transaction ran, at least 1
     * @param commitNanos the time the commit statement took, in nanoseconds
     */
    void committed(int operations, long commitNanos);

    /** Hears nothing: a store's listener until {@link Store#onCommit} sets one. */
    CommitListener NONE = (operations, commitNanos) -> {};

    /** {@code listener}, made to log and ignore what it throws: the commit it hears of is done, and must not fail because of it. */
    static CommitListener guarded(CommitListener listener) {
        return (operations, commitNanos) -> {
            try {
                listener.committed(operations, commitNanos);
            } catch (RuntimeException e) {
                LoggerFactory.getLogger(CommitListener.class).warn("A commit listener failed: {}", e.toString());
            }
        };
    }
}
