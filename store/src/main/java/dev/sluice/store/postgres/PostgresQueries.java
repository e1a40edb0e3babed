package dev.sluice.store.postgres;

import dev.sluice.core.permit.PermitRecord;
import dev.sluice.core.semaphore.SemaphoreRecord;
import dev.sluice.store.Queries;
import dev.sluice.store.sql.JdbcLedger;
import dev.sluice.store.sql.JdbcQueries;
import dev.sluice.store.sql.Statements;
import dev.sluice.store.sql.StoreException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link Queries} on PostgreSQL: the portable ones of {@link JdbcQueries}, and those that must know
 * of the other nodes (timer claims, dead nodes) or of PostgreSQL's collations.
 */
final class PostgresQueries implements Queries {
    private static final String SEMAPHORE_COLUMNS = "name, config, in_use, last_fencing_token, last_seq, waiting, "
            + "inflight, dead, created_at, updated_at";
    /** Housekeeping deletes at most this many rows per statement, so it never holds many row locks. */
    private static final int DELETE_BATCH = 5_000;

    private final Statements sql;
    private final JdbcQueries portable;
    private final boolean mayJudgeOthers;

    /** @param mayJudgeOthers whether this node has been connected long enough to tell a dead node from one reconnecting */
    PostgresQueries(Statements sql, boolean mayJudgeOthers) {
        this.sql = sql;
        this.portable = new JdbcQueries(sql);
        this.mayJudgeOthers = mayJudgeOthers;
    }

    /** By name in byte order ({@code COLLATE "C"}), as SQLite orders them, whatever the database's collation. */
    @Override
    public List<SemaphoreRecord> semaphores(String afterName, int max) {
        List<SemaphoreRecord> page = new ArrayList<>();
        try {
            PreparedStatement ps = sql.prepare("SELECT " + SEMAPHORE_COLUMNS + " FROM semaphores "
                    + "WHERE name COLLATE \"C\" > ? ORDER BY name COLLATE \"C\" LIMIT ?");
            ps.setString(1, afterName == null ? "" : afterName);
            ps.setInt(2, max);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    page.add(JdbcLedger.semaphoreOf(rs));
                }
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
        return page;
    }

    @Override
    public Optional<Instant> nextDeadline(Instant now) {
        return portable.nextDeadline(now);
    }

    /**
     * As on SQLite, less the backoff ends another node has already seen to: those at or before
     * the semaphore's {@code timers.checked_at}.
     */
    @Override
    public List<String> semaphoresDue(Instant since, Instant now) {
        long t = now.toEpochMilli();
        List<String> due = new ArrayList<>();
        try {
            PreparedStatement ps = sql.prepare("SELECT semaphore FROM permits WHERE state = 'held' AND expires_at <= ? "
                    + "UNION SELECT semaphore FROM jobs WHERE kind = 'waiter' AND deadline <= ? "
                    + "UNION SELECT j.semaphore FROM jobs j LEFT JOIN timers t ON t.semaphore = j.semaphore "
                    + "WHERE j.state = 'waiting' AND j.kind = 'job' AND j.available_at > ? AND j.available_at <= ? "
                    + "AND (t.checked_at IS NULL OR j.available_at > t.checked_at)");
            ps.setLong(1, t);
            ps.setLong(2, t);
            ps.setLong(3, since.toEpochMilli());
            ps.setLong(4, t);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    due.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
        return due;
    }

    @Override
    public List<String> semaphoresWithWaiting() {
        return portable.semaphoresWithWaiting();
    }

    /**
     * Deletes in batches with {@code FOR UPDATE SKIP LOCKED}, so nodes doing housekeeping at the
     * same time divide the rows instead of queueing on them; also drops the timer rows of deleted
     * semaphores and the rows of nodes long dead.
     */
    @Override
    public int deleteFinishedBefore(Instant before) {
        long t = before.toEpochMilli();
        int deleted = 0;
        deleted += repeat("DELETE FROM jobs WHERE (semaphore, id) IN (SELECT semaphore, id FROM jobs "
                + "WHERE state IN ('completed', 'failed', 'cancelled') AND updated_at < ? LIMIT " + DELETE_BATCH
                + " FOR UPDATE SKIP LOCKED)", t);
        deleted += repeat("DELETE FROM permits WHERE (semaphore, id) IN (SELECT semaphore, id FROM permits "
                + "WHERE state = 'expired' AND expires_at < ? LIMIT " + DELETE_BATCH + " FOR UPDATE SKIP LOCKED)", t);
        update("DELETE FROM timers t WHERE NOT EXISTS (SELECT 1 FROM semaphores s WHERE s.name = t.semaphore)");
        update("DELETE FROM nodes WHERE seen_at < " + NodeLink.DB_NOW + " - ?", NodeLink.NODE_TIMEOUT.toMillis() * 30);
        return deleted;
    }

    private int repeat(String statement, long arg) {
        int total = 0;
        int n;
        do {
            n = update(statement, arg);
            total += n;
        } while (n == DELETE_BATCH);
        return total;
    }

    private int update(String statement, long... args) {
        try {
            PreparedStatement ps = sql.prepare(statement);
            for (int i = 0; i < args.length; i++) {
                ps.setLong(i + 1, args[i]);
            }
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    @Override
    public Map<String, PermitRecord> heldPermitsOf(Collection<String> holderIds) {
        return portable.heldPermitsOf(holderIds);
    }

    /**
     * Waiters whose id names a node that is gone from {@code nodes} (it stopped, or died long
     * ago), or whose row is stale (not refreshed for {@link NodeLink#NODE_TIMEOUT}). A stale row
     * is judged only when PostgreSQL itself has been up that long (after its restart no node could
     * refresh its row) and by a node connected that long itself (after an outage of its own, the
     * others may still be reconnecting).
     */
    @Override
    public Map<String, List<String>> waitersOfDeadNodes() {
        Map<String, List<String>> dead = new LinkedHashMap<>();
        try {
            PreparedStatement ps = sql.prepare("SELECT j.semaphore, j.id FROM jobs j WHERE j.kind = 'waiter' "
                    + "AND j.state = 'waiting' AND NOT EXISTS (SELECT 1 FROM nodes n WHERE j.id LIKE 'w' || n.id || '.%' "
                    + "AND (n.seen_at >= " + NodeLink.DB_NOW + " - ? OR NOT ? "
                    + "OR pg_postmaster_start_time() >= clock_timestamp() - make_interval(secs => ?)))");
            ps.setLong(1, NodeLink.NODE_TIMEOUT.toMillis());
            ps.setBoolean(2, mayJudgeOthers);
            ps.setDouble(3, NodeLink.NODE_TIMEOUT.toMillis() / 1000.0);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    dead.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
                }
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
        return dead;
    }

    @Override
    public List<String> semaphoresAwaitingDelivery() {
        return portable.semaphoresAwaitingDelivery();
    }

    @Override
    public List<String> semaphoresForwarding() {
        return portable.semaphoresForwarding();
    }

    @Override
    public List<ChannelStats> channels(String semaphore, int max) {
        return portable.channels(semaphore, max);
    }

    @Override
    public dev.sluice.store.KeyTable keys() {
        return portable.keys();
    }
}
