package dev.sluice.store.sql;

import dev.sluice.core.job.JobRecord;
import dev.sluice.core.permit.PermitRecord;
import dev.sluice.core.semaphore.ChannelRecord;
import dev.sluice.core.semaphore.SemaphoreRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Semaphore, channel, permit and job rows, and each semaphore's list of paused channels, kept in
 * memory, so that an operation reads them without a statement. Jobs are kept only with a payload
 * of at most {@value #MAX_JOB_PAYLOAD} characters, which bounds the memory along with the number
 * of rows. Valid only while nothing else writes those rows: the embedded store keeps one between
 * transactions (its writer, which holds its directory's lock, is the database's only writer); the
 * PostgreSQL store keeps one per batch, under the semaphore's row lock.
 *
 * <p>Read-through. Whatever an operation records goes into the cache at once, and what it
 * replaced into an undo log: {@link #operationUndone} puts back what the operation replaced,
 * {@link #rolledBack} what the whole batch replaced, {@link #committed} forgets the log. So an
 * undone operation or a failed commit never leaves a row the database does not hold, and a row
 * costs one map entry however many layers of undo it is under. A row not in the map is unknown
 * (read from the database); one known to be missing is held as such. At most {@code capacity}
 * rows are kept, the least recently used go (a row dropped is only unknown again, which is always
 * safe).
 *
 * <p>Write-through for job rows; <em>write-behind</em> for semaphore, channel and permit rows:
 * those are written together ({@link #forEachUnwritten}) at the end of the batch, or before a
 * query reads their table, however many of its operations changed them, which spares a statement
 * per change (and a round trip to a database server): a semaphore's row changed by every
 * operation of a batch is written once, a permit granted and released within it only deleted.
 * Rows held unwritten are never dropped, and an undone operation leaves them as they were before
 * it; they must be written before the batch commits.
 *
 * <p>Not thread-safe: one thread at a time uses it.
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
    /** Keys whose row the database may not hold yet (a key no longer in {@link #rows} is known to the database again). */
    private final Set<Object> unwritten = new LinkedHashSet<>();
    /** Every change of the open batch, in order: undone from the end. */
    private final List<Replaced> undo = new ArrayList<>();
    /** Where the open operation's changes begin in {@link #undo}. */
    private int operationStart;

    public RowCache(int capacity) {
        this.rows = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Object, Object> eldest) {
                return size() > capacity && !unwritten.contains(eldest.getKey());
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

    /** Records the semaphore's row as this operation wrote it (null: deleted), held for {@link #forEachUnwritten}. */
    void wroteSemaphore(String name, SemaphoreRecord row) {
        semaphore(name, row);
        unwritten.add(new SemaphoreKey(name));
    }

    /** As {@link #wroteSemaphore}, for a channel's row (an empty one: deleted). */
    void wroteChannel(String semaphore, ChannelRecord row) {
        channel(semaphore, row);
        unwritten.add(new ChannelKey(semaphore, row.name()));
    }

    /** As {@link #wroteSemaphore}, for a permit's row (null: deleted). */
    void wrotePermit(String semaphore, String id, PermitRecord row) {
        permit(semaphore, id, row);
        unwritten.add(new PermitKey(semaphore, id));
    }

    /** Whether rows are held unwritten: a query of their tables must not run before they are written. */
    boolean holdsUnwritten() {
        return !unwritten.isEmpty();
    }

    /**
     * The paused channels the database lists, as the rows held unwritten change them: the list
     * the database would give once they are written.
     */
    List<String> withUnwritten(String semaphore, List<String> pausedInDatabase) {
        List<String> paused = new ArrayList<>(pausedInDatabase);
        for (Object key : unwritten) {
            if (key instanceof ChannelKey k && k.semaphore().equals(semaphore) && rows.get(k) instanceof ChannelRecord c) {
                paused.remove(c.name());
                if (c.paused()) {
                    paused.add(c.name());
                }
            }
        }
        paused.sort(null);
        return paused;
    }

    /** Where a permit row held unwritten is to be written. */
    interface PermitWrite {
        /** @param row empty: delete it */
        void write(String semaphore, String id, Optional<PermitRecord> row);
    }

    /**
     * Hands each row held unwritten to be written: a semaphore's (empty: delete it), a channel's
     * (an empty one: delete it) and a permit's (empty: delete it). They count as written once
     * this returns.
     */
    void forEachUnwritten(BiConsumer<String, Optional<SemaphoreRecord>> semaphore, BiConsumer<String, ChannelRecord> channel,
                          PermitWrite permit) {
        for (Object key : unwritten) {
            Object value = rows.get(key);
            if (value == null) {
                continue;   // undone back to unknown: the database holds it as it was
            }
            switch (key) {
                case SemaphoreKey k -> semaphore.accept(k.name(), value == ABSENT ? Optional.empty() : Optional.of((SemaphoreRecord) value));
                case ChannelKey k -> channel.accept(k.semaphore(), (ChannelRecord) value);
                case PermitKey k -> permit.write(k.semaphore(), k.id(), value == ABSENT ? Optional.empty() : Optional.of((PermitRecord) value));
                default -> throw new IllegalStateException("no write is held for " + key);
            }
        }
        unwritten.clear();
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
     * Forgets every row but those held unwritten: for changes too wide to follow one by one
     * (housekeeping across semaphores, a purge of the queue). The undo log stays: what it puts
     * back was true before the operation, and is again once the database has undone it too.
     */
    public void forgetAll() {
        rows.keySet().retainAll(unwritten);
    }

    /** Forgets every row, as {@link #forgetAll}, and records the semaphore, its channels and permits as deleted. */
    void semaphoreDeleted(String name) {
        forgetAll();
        for (Object key : List.copyOf(rows.keySet())) {
            if (key instanceof ChannelKey k && k.semaphore().equals(name)) {
                wroteChannel(name, ChannelRecord.empty(k.channel()));
            } else if (key instanceof PermitKey k && k.semaphore().equals(name)) {
                wrotePermit(name, k.id(), null);
            }
        }
        wroteSemaphore(name, null);
    }

    public void operationDone() {
        operationStart = undo.size();
    }

    public void operationUndone() {
        undoTo(operationStart);
    }

    public void committed() {
        if (!unwritten.isEmpty()) {
            throw new IllegalStateException(unwritten.size() + " rows were committed unwritten");
        }
        undo.clear();
        operationStart = 0;
    }

    public void rolledBack() {
        undoTo(0);
        unwritten.clear();   // all back as the database holds them
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
