package dev.sluice.store.sql;

import dev.sluice.core.permit.PermitRecord;
import dev.sluice.core.semaphore.ChannelRecord;
import dev.sluice.core.semaphore.SemaphoreRecord;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Semaphore, channel and permit rows kept in memory between transactions, so that an operation
 * reads them without a statement. Only for a database that one thread alone writes (the embedded
 * store's writer, which holds its directory's lock): the cache is then never stale.
 *
 * <p>Read-through and write-through: the database stays the truth, the cache only spares reads.
 * What an operation reads or writes is held apart until the store says how the operation ended:
 * {@link #operationDone} makes it part of the batch, {@link #operationUndone} drops it; the
 * batch's rows become the committed ones at {@link #committed} and are dropped at
 * {@link #rolledBack}. So an undone operation or a failed commit never leaves a row the database
 * does not hold. At most {@code capacity} committed rows are kept, the least recently used go.
 *
 * <p>Not thread-safe: the writer thread alone uses it.
 */
public final class RowCache {
    private static final Object ABSENT = new Object();

    private record SemaphoreKey(String name) {}

    private record ChannelKey(String semaphore, String channel) {}

    private record PermitKey(String semaphore, String id) {}

    private final Map<Object, Object> committed;
    private final Map<Object, Object> batch = new HashMap<>();
    private final Map<Object, Object> operation = new HashMap<>();
    /** Whether the operation, or the batch, forgot every row: the layers below it no longer count. */
    private boolean operationForgot;
    private boolean batchForgot;

    public RowCache(int capacity) {
        this.committed = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Object, Object> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The semaphore's row if known (empty when known to be absent); null when unknown. */
    Optional<SemaphoreRecord> semaphore(String name) {
        Object known = get(new SemaphoreKey(name));
        return known == null ? null : known == ABSENT ? Optional.empty() : Optional.of((SemaphoreRecord) known);
    }

    /** Records the semaphore's row as this operation read or wrote it; null when it has none. */
    void semaphore(String name, SemaphoreRecord row) {
        operation.put(new SemaphoreKey(name), row == null ? ABSENT : row);
    }

    /** The channel's row if known (an {@linkplain ChannelRecord#isEmpty() empty} one when it has none), else null. */
    ChannelRecord channel(String semaphore, String channel) {
        return (ChannelRecord) get(new ChannelKey(semaphore, channel));
    }

    void channel(String semaphore, ChannelRecord row) {
        operation.put(new ChannelKey(semaphore, row.name()), row);
    }

    /** The permit's row if known (empty when known to be absent); null when unknown. */
    Optional<PermitRecord> permit(String semaphore, String id) {
        Object known = get(new PermitKey(semaphore, id));
        return known == null ? null : known == ABSENT ? Optional.empty() : Optional.of((PermitRecord) known);
    }

    /** Records the permit's row as this operation read or wrote it; null when it has none. */
    void permit(String semaphore, String id, PermitRecord row) {
        operation.put(new PermitKey(semaphore, id), row == null ? ABSENT : row);
    }

    /**
     * Forgets every row: for changes too wide to follow one by one (a semaphore deleted with all it
     * owns, housekeeping across semaphores).
     */
    public void forgetAll() {
        operation.clear();
        operationForgot = true;
    }

    public void operationDone() {
        if (operationForgot) {
            batch.clear();
            batchForgot = true;
        }
        batch.putAll(operation);
        operation.clear();
        operationForgot = false;
    }

    public void operationUndone() {
        operation.clear();
        operationForgot = false;
    }

    public void committed() {
        operationUndone();
        if (batchForgot) {
            committed.clear();
        }
        committed.putAll(batch);
        batch.clear();
        batchForgot = false;
    }

    public void rolledBack() {
        operationUndone();
        batch.clear();
        batchForgot = false;
    }

    private Object get(Object key) {
        Object known = operation.get(key);
        if (known != null || operationForgot) {
            return known;
        }
        known = batch.get(key);
        if (known != null || batchForgot) {
            return known;
        }
        return committed.get(key);
    }
}
