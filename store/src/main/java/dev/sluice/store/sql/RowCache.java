package dev.sluice.store.sql;

import dev.sluice.core.job.JobRecord;
import dev.sluice.core.permit.PermitRecord;
import dev.sluice.core.semaphore.ChannelRecord;
import dev.sluice.core.semaphore.SemaphoreRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Semaphore, channel, permit and job rows, and each semaphore's list of paused channels, kept in
 * memory between transactions, so that an operation reads them without a statement. Jobs are kept
 * only with a payload of at most {@value #MAX_JOB_PAYLOAD} characters, which bounds the memory
 * along with the number of rows. Only for a database that one thread alone writes (the embedded
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
    static final int MAX_JOB_PAYLOAD = 1024;
    private static final Object ABSENT = new Object();
    /** Shadows what the layers below know: the row must be read from the database. */
    private static final Object UNKNOWN = new Object();

    private record SemaphoreKey(String name) {}

    private record ChannelKey(String semaphore, String channel) {}

    private record PermitKey(String semaphore, String id) {}

    private record JobKey(String semaphore, String id) {}

    private record PausedKey(String semaphore) {}

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

    /** Records the channel's row as this operation read or wrote it, and keeps the list of paused channels true. */
    void channel(String semaphore, ChannelRecord row) {
        operation.put(new ChannelKey(semaphore, row.name()), row);
        List<String> paused = pausedChannels(semaphore);
        if (paused != null && paused.contains(row.name()) != row.paused()) {
            List<String> changed = new ArrayList<>(paused);
            if (row.paused()) {
                changed.add(row.name());
                changed.sort(null);
            } else {
                changed.remove(row.name());
            }
            pausedChannels(semaphore, changed);
        }
    }

    /** The semaphore's paused channels, sorted, if known; else null. */
    @SuppressWarnings("unchecked")
    List<String> pausedChannels(String semaphore) {
        return (List<String>) get(new PausedKey(semaphore));
    }

    void pausedChannels(String semaphore, List<String> sorted) {
        operation.put(new PausedKey(semaphore), List.copyOf(sorted));
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

    /** The job's whole row if known (empty when known to be absent); null when unknown. */
    Optional<JobRecord> job(String semaphore, String id) {
        Object known = get(new JobKey(semaphore, id));
        return known == null ? null : known == ABSENT ? Optional.empty() : Optional.of((JobRecord) known);
    }

    /** Records the job's whole row as this operation read or wrote it; null when it has none. */
    void job(String semaphore, String id, JobRecord row) {
        boolean small = row == null || row.payload() == null || row.payload().length() <= MAX_JOB_PAYLOAD;
        operation.put(new JobKey(semaphore, id), row == null ? ABSENT : small ? row : UNKNOWN);
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
        batch.forEach((key, value) -> {
            if (value == UNKNOWN) {
                committed.remove(key);
            } else {
                committed.put(key, value);
            }
        });
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
        if (known == null && !operationForgot) {
            known = batch.get(key);
            if (known == null && !batchForgot) {
                known = committed.get(key);
            }
        }
        return known == UNKNOWN ? null : known;
    }
}
