package dev.sluice.store.sql;

import dev.sluice.core.Ledger;
import dev.sluice.core.job.JobRecord;
import dev.sluice.core.job.JobState;
import dev.sluice.core.job.QueueEntry;
import dev.sluice.core.permit.PermitRecord;
import dev.sluice.core.semaphore.ChannelRecord;
import dev.sluice.core.semaphore.SemaphoreConfig;
import dev.sluice.core.semaphore.SemaphoreRecord;
import dev.sluice.core.semaphore.WebhookSecrets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A {@link Ledger} in SQL that both SQLite and PostgreSQL understand. It runs on the connection of
 * the caller's transaction; statements come from a per-connection cache. Given a {@link RowCache}
 * (only where nothing else writes the semaphore's rows meanwhile), semaphore, channel, permit and
 * job rows (and the paused channels) are read from it when it knows them, and every write of them
 * goes through it; it holds those of semaphore, channel and permit rows until {@link #writeHeldRows}
 * (or a query of the permits). Queue pages, which are entries, not rows, never reach it.
 */
public final class JdbcLedger implements Ledger {
    private static final String JOB_COLUMNS = "id, kind, channel, priority, seq, original_seq, state, payload, "
            + "idempotency_key, attempts, lease_ms, deadline, available_at, permit_id, last_error, created_at, updated_at, "
            + "delivered_at, forwarded_from, forwarded_to, traceparent";
    /** What a {@link QueueEntry} holds: the driver reads every column's name on each query, so a page reads no more. */
    private static final String QUEUE_COLUMNS = "id, kind, channel, priority, seq, lease_ms, deadline, available_at";
    static final String PERMIT_COLUMNS = "id, channel, fencing_token, granted_at, lease_ms, expires_at, holder, state";
    /** Saves a permit, written alone or in a JDBC batch ({@link #writeHeldRows}). */
    private static final String SAVE_PERMIT = "INSERT INTO permits (semaphore, " + PERMIT_COLUMNS + ") "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (semaphore, id) DO UPDATE SET lease_ms = excluded.lease_ms, "
            + "expires_at = excluded.expires_at, state = excluded.state";
    private static final String DELETE_PERMIT = "DELETE FROM permits WHERE semaphore = ? AND id = ?";
    private static final String DELETE_SEMAPHORE = "DELETE FROM semaphores WHERE name = ?";

    private final Statements sql;
    private final String name;
    /** The semaphore's row as this operation last read or wrote it: saving it unchanged writes nothing. */
    private SemaphoreRecord row;
    private final RowCache cache;

    public JdbcLedger(Statements sql, String semaphore) {
        this(sql, semaphore, null);
    }

    /** @param cache rows known between transactions, or null to read every row from the database */
    public JdbcLedger(Statements sql, String semaphore, RowCache cache) {
        this.sql = sql;
        this.name = semaphore;
        this.cache = cache;
    }

    @Override
    public Optional<SemaphoreRecord> semaphore() {
        Optional<SemaphoreRecord> read = cachedOrRead(c -> c.semaphore(name),
                () -> one(sql.prepare("SELECT name, config, in_use, last_fencing_token, last_seq, waiting, inflight, dead, "
                        + "created_at, updated_at FROM semaphores WHERE name = ?" + sql.lockClause()), JdbcLedger::semaphoreOf, name),
                (c, r) -> c.semaphore(name, r.orElse(null)));
        row = read.orElse(null);
        return read;
    }

    /** Reads a semaphore row: the columns of {@code semaphores} in table order. */
    public static SemaphoreRecord semaphoreOf(ResultSet rs) throws SQLException {
        SemaphoreConfig config = ConfigColumn.read(rs.getString(2));
        return new SemaphoreRecord(rs.getString(1), config, rs.getInt(3), rs.getLong(4), rs.getLong(5), rs.getLong(6),
                rs.getLong(7), rs.getLong(8), Instant.ofEpochMilli(rs.getLong(9)), Instant.ofEpochMilli(rs.getLong(10)));
    }

    @Override
    public void save(SemaphoreRecord s) {
        if (s.equals(row)) {
            return;   // most operations end by saving the row, many without a change (a refused try, a claim of nothing)
        }
        row = s;
        if (cache != null) {
            cache.wroteSemaphore(name, s);
            return;
        }
        writeSemaphore(s);
    }

    private void writeSemaphore(SemaphoreRecord s) {
        write("INSERT INTO semaphores (name, config, in_use, last_fencing_token, last_seq, waiting, inflight, dead, "
                + "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                + "config = excluded.config, in_use = excluded.in_use, last_fencing_token = excluded.last_fencing_token, "
                + "last_seq = excluded.last_seq, waiting = excluded.waiting, inflight = excluded.inflight, dead = excluded.dead, "
                + "updated_at = excluded.updated_at",
                s.name(), ConfigColumn.write(s.config()), s.inUse(), s.lastFencingToken(), s.lastSeq(),
                s.waiting(), s.inflight(), s.dead(), s.createdAt().toEpochMilli(), s.updatedAt().toEpochMilli());
    }

    @Override
    public void deleteSemaphore() {
        for (String table : List.of("jobs", "permits", "channels", "webhook_secrets")) {
            write("DELETE FROM " + table + " WHERE semaphore = ?", name);
        }
        write(DELETE_SEMAPHORE, name);
        row = null;
        if (cache != null) {
            cache.semaphoreDeleted(name);
        }
    }

    @Override
    public ChannelRecord channel(String channel) {
        return cachedOrRead(c -> c.channel(name, channel),
                () -> one(sql.prepare("SELECT name, in_use, paused FROM channels WHERE semaphore = ? AND name = ?"),
                        rs -> new ChannelRecord(rs.getString(1), rs.getInt(2), rs.getBoolean(3)), name, channel)
                        .orElse(ChannelRecord.empty(channel)),
                (c, r) -> c.channel(name, r));
    }

    @Override
    public void save(ChannelRecord c) {
        if (cache != null) {
            cache.wroteChannel(name, c);
            return;
        }
        writeChannel(c);
    }

    private void writeChannel(ChannelRecord c) {
        if (c.isEmpty()) {
            write("DELETE FROM channels WHERE semaphore = ? AND name = ?", name, c.name());
        } else {
            write("INSERT INTO channels (semaphore, name, in_use, paused) VALUES (?, ?, ?, ?) "
                    + "ON CONFLICT (semaphore, name) DO UPDATE SET in_use = excluded.in_use, paused = excluded.paused",
                    name, c.name(), c.inUse(), c.paused());
        }
    }

    @Override
    public List<String> pausedChannels() {
        return cachedOrRead(c -> c.pausedChannels(name), () -> {
            // sorted here, not by the database, so the order is the same whatever its collation
            List<String> paused = list(sql.prepare("SELECT name FROM channels WHERE semaphore = ? AND paused"),
                    rs -> rs.getString(1), name);
            if (cache != null) {
                return cache.withUnwritten(name, paused);
            }
            paused.sort(null);
            return paused;
        }, (c, r) -> c.pausedChannels(name, r));
    }

    @Override
    public Optional<WebhookSecrets> webhookSecrets() {
        return one(sql.prepare("SELECT current, previous, previous_until FROM webhook_secrets WHERE semaphore = ?"),
                rs -> new WebhookSecrets(rs.getString(1), rs.getString(2), instant(rs, 3)), name);
    }

    @Override
    public void save(WebhookSecrets w) {
        write("INSERT INTO webhook_secrets (semaphore, current, previous, previous_until) VALUES (?, ?, ?, ?) "
                + "ON CONFLICT (semaphore) DO UPDATE SET current = excluded.current, previous = excluded.previous, "
                + "previous_until = excluded.previous_until", name, w.current(), w.previous(), epoch(w.previousUntil()));
    }

    @Override
    public Optional<PermitRecord> permit(String permitId) {
        return cachedOrRead(c -> c.permit(name, permitId),
                () -> one(sql.prepare("SELECT " + PERMIT_COLUMNS + " FROM permits WHERE semaphore = ? AND id = ?"),
                        JdbcLedger::permitOf, name, permitId),
                (c, r) -> c.permit(name, permitId, r.orElse(null)));
    }

    @Override
    public Optional<PermitRecord> permitOfHolder(String holderId) {
        writeHeldRows(sql, cache);
        return one(sql.prepare("SELECT " + PERMIT_COLUMNS + " FROM permits WHERE semaphore = ? AND holder = ?"),
                JdbcLedger::permitOf, name, holderId);
    }

    static PermitRecord permitOf(ResultSet rs) throws SQLException {
        return new PermitRecord(rs.getString(1), rs.getString(2), rs.getLong(3), Instant.ofEpochMilli(rs.getLong(4)),
                duration(rs, 5), instant(rs, 6), rs.getString(7),
                PermitRecord.State.valueOf(rs.getString(8).toUpperCase(Locale.ROOT)));
    }

    @Override
    public void save(PermitRecord p) {
        if (cache != null) {
            cache.wrotePermit(name, p.id(), p);
            return;
        }
        write(SAVE_PERMIT, permitRow(p));
    }

    private Object[] permitRow(PermitRecord p) {
        return new Object[] {name, p.id(), p.channel(), p.fencingToken(), p.grantedAt().toEpochMilli(), millis(p.lease()),
                epoch(p.expiresAt()), p.holderId(), p.state().name().toLowerCase(Locale.ROOT)};
    }

    @Override
    public void deletePermit(String permitId) {
        if (cache != null) {
            cache.wrotePermit(name, permitId, null);
            return;
        }
        write(DELETE_PERMIT, name, permitId);
    }

    @Override
    public List<PermitRecord> permitsExpiredBy(Instant now, int max) {
        writeHeldRows(sql, cache);
        return list(sql.prepare("SELECT " + PERMIT_COLUMNS + " FROM permits WHERE semaphore = ? AND state = 'held' "
                + "AND expires_at <= ? ORDER BY expires_at LIMIT ?"), JdbcLedger::permitOf, name, now.toEpochMilli(), max);
    }

    @Override
    public Optional<JobRecord> job(String jobId) {
        return cachedOrRead(c -> c.job(name, jobId),
                () -> one(sql.prepare("SELECT " + JOB_COLUMNS + " FROM jobs WHERE semaphore = ? AND id = ?"),
                        JdbcLedger::jobOf, name, jobId),
                (c, r) -> c.job(name, jobId, r.orElse(null)));
    }

    @Override
    public Optional<JobRecord> jobWithIdempotencyKey(String key) {
        return one(sql.prepare("SELECT " + JOB_COLUMNS + " FROM jobs WHERE semaphore = ? AND idempotency_key = ?"),
                JdbcLedger::jobOf, name, key);
    }

    static JobRecord jobOf(ResultSet rs) throws SQLException {
        return new JobRecord(rs.getString(1), JobRecord.Kind.valueOf(rs.getString(2).toUpperCase(Locale.ROOT)),
                rs.getString(3), rs.getInt(4), rs.getLong(5), rs.getLong(6),
                JobState.valueOf(rs.getString(7).toUpperCase(Locale.ROOT)), rs.getString(8), rs.getString(9),
                rs.getInt(10), duration(rs, 11), instant(rs, 12), Instant.ofEpochMilli(rs.getLong(13)), rs.getString(14),
                rs.getString(15), Instant.ofEpochMilli(rs.getLong(16)), Instant.ofEpochMilli(rs.getLong(17)), instant(rs, 18),
                rs.getString(19), rs.getString(20), rs.getString(21));
    }

    @Override
    public void save(JobRecord j) {
        if (cache != null) {
            cache.job(name, j.id(), j);
        }
        write("INSERT INTO jobs (semaphore, " + JOB_COLUMNS + ") "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                + "ON CONFLICT (semaphore, id) DO UPDATE SET seq = excluded.seq, state = excluded.state, "
                + "attempts = excluded.attempts, available_at = excluded.available_at, permit_id = excluded.permit_id, "
                + "last_error = excluded.last_error, updated_at = excluded.updated_at, delivered_at = excluded.delivered_at, "
                + "forwarded_from = excluded.forwarded_from, forwarded_to = excluded.forwarded_to",
                name, j.id(), j.kind().name().toLowerCase(Locale.ROOT), j.channel(), j.priority(), j.seq(), j.originalSeq(),
                j.state().wireName(), j.payload(), j.idempotencyKey(), j.attempts(), millis(j.lease()), epoch(j.deadline()),
                j.availableAt().toEpochMilli(), j.permitId(), j.lastError(), j.createdAt().toEpochMilli(),
                j.updatedAt().toEpochMilli(), epoch(j.deliveredAt()), j.forwardedFrom(), j.forwardedTo(), j.traceparent());
    }

    @Override
    public void deleteJob(String jobId) {
        if (cache != null) {
            cache.job(name, jobId, null);
        }
        write("DELETE FROM jobs WHERE semaphore = ? AND id = ?", name, jobId);
    }

    @Override
    public List<QueueEntry> queuePage(Instant now, int afterPriority, long afterSeq, int max) {
        return list(sql.prepare("SELECT " + QUEUE_COLUMNS + " FROM jobs WHERE semaphore = ? AND state = 'waiting' "
                + "AND (kind = 'waiter' OR available_at <= ?) AND (priority < ? OR (priority = ? AND seq > ?)) ORDER BY priority DESC, seq LIMIT ?"),
                JdbcLedger::entryOf, name, now.toEpochMilli(), afterPriority, afterPriority, afterSeq, max);
    }

    private static QueueEntry entryOf(ResultSet rs) throws SQLException {
        return new QueueEntry(rs.getString(1), JobRecord.Kind.valueOf(rs.getString(2).toUpperCase(Locale.ROOT)),
                rs.getString(3), rs.getInt(4), rs.getLong(5), duration(rs, 6), instant(rs, 7),
                Instant.ofEpochMilli(rs.getLong(8)));
    }

    // The three below run on the index jobs_waiting_kinds (semaphore, kind, available_at) of waiting entries (V9).

    @Override
    public long countWaiters() {
        return one(sql.prepare("SELECT COUNT(*) FROM jobs WHERE semaphore = ? AND kind = 'waiter' AND state = 'waiting'"),
                rs -> rs.getLong(1), name).orElse(0L);
    }

    @Override
    public boolean anyBackingOff(Instant now) {
        return one(sql.prepare("SELECT 1 FROM jobs WHERE semaphore = ? AND kind = 'job' AND state = 'waiting' "
                + "AND available_at > ? LIMIT 1"), rs -> true, name, now.toEpochMilli()).isPresent();
    }

    @Override
    public boolean anyWaitingBelow(int priority) {
        return one(sql.prepare("SELECT 1 FROM jobs WHERE semaphore = ? AND state = 'waiting' AND priority < ? LIMIT 1"),
                rs -> true, name, priority).isPresent();
    }

    @Override
    public List<JobRecord> waitersPastDeadline(Instant now, int max) {
        return list(sql.prepare("SELECT " + JOB_COLUMNS + " FROM jobs WHERE semaphore = ? AND kind = 'waiter' "
                + "AND state = 'waiting' AND deadline <= ? LIMIT ?"), JdbcLedger::jobOf, name,
                now.equals(Instant.MAX) ? Long.MAX_VALUE : now.toEpochMilli(), max);
    }

    @Override
    public long countAhead(int priority, long seq) {
        return one(sql.prepare("SELECT COUNT(*) FROM jobs WHERE semaphore = ? AND state = 'waiting' "
                + "AND (priority > ? OR (priority = ? AND seq < ?))"), rs -> rs.getLong(1), name, priority, priority, seq)
                .orElse(0L);
    }

    @Override
    public List<JobRecord> jobsInState(JobState state, long afterSeq, int max) {
        return list(sql.prepare("SELECT " + JOB_COLUMNS + " FROM jobs WHERE semaphore = ? AND state = ? AND kind = 'job' "
                + "AND seq > ? ORDER BY seq LIMIT ?"), JdbcLedger::jobOf, name, state.wireName(), afterSeq, max);
    }

    @Override
    public List<JobRecord> jobsAwaitingDelivery(long afterSeq, int max) {
        return list(sql.prepare("SELECT " + JOB_COLUMNS + " FROM jobs WHERE semaphore = ? AND state = 'inflight' "
                + "AND delivered_at IS NULL AND seq > ? ORDER BY seq LIMIT ?"), JdbcLedger::jobOf, name, afterSeq, max);
    }

    @Override
    public int deleteWaitingJobs() {
        if (cache != null) {
            cache.forgetAll();
        }
        return write("DELETE FROM jobs WHERE semaphore = ? AND state = 'waiting' AND kind = 'job'", name);
    }

    /**
     * Writes the rows the cache holds unwritten, of any semaphore, if any: after the batch's last
     * operation and before its commit, and before a query of a table they are in. Permits go as
     * one JDBC batch of saves and one of deletes (a round trip each, however many).
     */
    public static void writeHeldRows(Statements sql, RowCache cache) {
        if (cache == null || !cache.holdsUnwritten()) {
            return;
        }
        List<Object[]> saved = new ArrayList<>();
        List<Object[]> deleted = new ArrayList<>();
        cache.forEachUnwritten((semaphore, s) -> {
            JdbcLedger ledger = new JdbcLedger(sql, semaphore);
            if (s.isPresent()) {
                ledger.writeSemaphore(s.get());
            } else {
                ledger.write(DELETE_SEMAPHORE, semaphore);
            }
        }, (semaphore, c) -> new JdbcLedger(sql, semaphore).writeChannel(c),
                (semaphore, id, p) -> {
                    if (p.isPresent()) {
                        saved.add(new JdbcLedger(sql, semaphore).permitRow(p.get()));
                    } else {
                        deleted.add(new Object[] {semaphore, id});
                    }
                });
        writeAll(sql, SAVE_PERMIT, saved);
        writeAll(sql, DELETE_PERMIT, deleted);
    }

    // ---- plumbing ---------------------------------------------------------------------------

    /** Runs a statement that changes rows, counted in {@link Statements#writes()}. */
    private int write(String statement, Object... args) {
        sql.wrote();
        return update(sql.prepare(statement), args);
    }

    /** Runs a statement once for each row of arguments, as one JDBC batch; counted as {@link #write}. */
    private static void writeAll(Statements sql, String statement, List<Object[]> rows) {
        if (rows.isEmpty()) {
            return;
        }
        sql.wrote();
        PreparedStatement ps = sql.prepare(statement);
        try {
            for (Object[] args : rows) {
                bind(ps, args);
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** What the cache knows (its lookup answers null when it does not know), else read from the database and remembered there. */
    private <T> T cachedOrRead(Function<RowCache, T> known, Supplier<T> read, BiConsumer<RowCache, T> remember) {
        T value = cache == null ? null : known.apply(cache);
        if (value == null) {
            value = read.get();
            if (cache != null) {
                remember.accept(cache, value);
            }
        }
        return value;
    }

    @FunctionalInterface
    interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    static <T> Optional<T> one(PreparedStatement ps, Row<T> row, Object... args) {
        List<T> all = list(ps, row, args);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.getFirst());
    }

    static <T> List<T> list(PreparedStatement ps, Row<T> row, Object... args) {
        try {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(row.read(rs));
                }
                return out;
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    static int update(PreparedStatement ps, Object... args) {
        try {
            bind(ps, args);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            switch (a) {
                case null -> ps.setNull(i + 1, Types.NULL);
                case String s -> ps.setString(i + 1, s);
                case Integer n -> ps.setInt(i + 1, n);
                case Long n -> ps.setLong(i + 1, n);
                case Boolean b -> ps.setBoolean(i + 1, b);
                default -> throw new IllegalArgumentException("cannot bind " + a.getClass());
            }
        }
    }

    private static Long millis(Duration d) {
        return d == null ? null : d.toMillis();
    }

    private static Long epoch(Instant t) {
        return t == null ? null : t.toEpochMilli();
    }

    private static Duration duration(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Duration.ofMillis(v);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }
}
