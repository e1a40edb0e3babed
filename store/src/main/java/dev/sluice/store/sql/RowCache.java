package dev.sluice.store.sql;

import dev.sluice.core.job.JobRecord;
import dev.sluice.core.permit.PermitRecord;
import dev.sluice.core.semaphore.ChannelRecord;
import dev.sluice.core.semaphore.SemaphoreRecord;
import java.util.ArrayList;
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
 * Whatever an operation records goes into the cache at once, and what it replaced into an undo
 * log: {@link #operationUndone} puts back what the operation replaced, {@link #rolledBack} what
 * the whole batch replaced, {@link #committed} forgets the log. So an undone operation or a
 * failed commit never leaves a row the database does not hold, and a row costs one map entry
 * however many layers of undo it is under. A row not in the map is unknown (read from the
 * database); one known to be missing is held as such. At most {@code capacity} rows are kept, the
 * least recently used go (a row dropped is only unknown again, which is always safe).
 *
 * <p>Not thread-safe: the writer thread alone uses it.
 */
public final class RowCache {
    static final int MAX_JOB_PAYLOAD = 1024;
    /** A row known to be missing. */
    private static final Object ABSENT = new Object();

    private record SemaphoreKey(String name) {}

    private record ChannelKey(String semaphore, String channel) {}

    private record PermitKey(String semaphore, String id) {}

    private record JobKey(String semaphore, String id) {}

    private record PausedKey(String semaphore) {}

    /** What a key held before a change of the open batch; a null value: the key was not there. */
    private record Replaced(Object key, Object value) {}

    private final Map<Object, Object> rows;
    /** Every change of the open batch, in order: undone from the end. */
    private final List<Replaced> undo = new ArrayList<>();
    /** Where the open operation's changes begin in {@link #undo}. */
    private int operationStart;

    public RowCache(int capacity) {
        this.rows = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Object, Object> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The semaphore's row if known (empty when known to be absent); null when unknown. */
    Optional<SemaphoreRecord> semaphore(String name) {
        Object known = rows.get(new SemaphoreKey(name));
        return known == null ? null : known == ABSENT ? Optional.empty() : Optional.of((SemaphoreRecord) known);
    }

    /** Records the semaphore's row as this operation read or wrote it; null when it has none. */
    void semaphore(String name, SemaphoreRecord row) {
        put(new SemaphoreKey(name), row == null ? ABSENT : row);
    }

    /** The channel's row if known (an {@linkplain ChannelRecord#isEmpty() empty} one when it has none), else null. */
    ChannelRecord channel(String semaphore, String channel) {
        return (ChannelRecord) rows.get(new ChannelKey(semaphore, channel));
    }

    /** Records the channel's row as this operation read or wrote it, and keeps the list of paused channels true. */
    void channel(String semaphore, ChannelRecord row) {
        put(new ChannelKey(semaphore, row.name()), row);
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
        return (List<String>) rows.get(new PausedKey(semaphore));
    }

    void pausedChannels(String semaphore, List<String> sorted) {
        put(new PausedKey(semaphore), List.copyOf(sorted));
    }

    /** The permit's row if known (empty when known to be absent); null when unknown. */
    Optional<PermitRecord> permit(String semaphore, String id) {
        Object known = rows.get(new PermitKey(semaphore, id));
        return known == null ? null : known == ABSENT ? Optional.empty() : Optional.of((PermitRecord) known);
    }

    /** Records the permit's row as this operation read or wrote it; null when it has none. */
    void permit(String semaphore, String id, PermitRecord row) {
        put(new PermitKey(semaphore, id), row == null ? ABSENT : row);
    }

    /** The job's whole row if known (empty when known to be absent); null when unknown. */
    Optional<JobRecord> job(String semaphore, String id) {
        Object known = rows.get(new JobKey(semaphore, id));
        return known == null ? null : known == ABSENT ? Optional.empty() : Optional.of((JobRecord) known);
    }

    /** Records the job's whole row as this operation read or wrote it; null when it has none. */
    void job(String semaphore, String id, JobRecord row) {
        boolean small = row == null || row.payload() == null || row.payload().length() <= MAX_JOB_PAYLOAD;
        put(new JobKey(semaphore, id), row == null ? ABSENT : small ? row : null);
    }

    /**
     * Forgets every row: for changes too wide to follow one by one (a semaphore deleted with all it
     * owns, housekeeping across semaphores). An empty cache is true whatever is undone later.
     */
    public void forgetAll() {
        rows.clear();
        undo.clear();
        operationStart = 0;
    }

    public void operationDone() {
        operationStart = undo.size();
    }

    public void operationUndone() {
        undoTo(operationStart);
    }

    public void committed() {
        undo.clear();
        operationStart = 0;
    }

    public void rolledBack() {
        undoTo(0);
        operationStart = 0;
    }

    /** Holds {@code value} for {@code key}; null: the row is unknown. */
    private void put(Object key, Object value) {
        Object before = value == null ? rows.remove(key) : rows.put(key, value);
        undo.add(new Replaced(key, before));
    }

    private void undoTo(int start) {
        for (int i = undo.size() - 1; i >= start; i--) {
            Replaced r = undo.remove(i);
            if (r.value() == null) {
                rows.remove(r.key());
            } else {
                rows.put(r.key(), r.value());
            }
        }
    }
}
