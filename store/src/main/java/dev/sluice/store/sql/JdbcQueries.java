package dev.sluice.store.sql;

import dev.sluice.core.permit.PermitRecord;
import dev.sluice.core.semaphore.SemaphoreRecord;
import dev.sluice.store.KeyTable;
import dev.sluice.store.Queries;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link Queries} in SQL common to SQLite and PostgreSQL. */
public final class JdbcQueries implements Queries {
    private static final String SEMAPHORE_COLUMNS = "name, config, in_use, last_fencing_token, last_seq, waiting, "
            + "inflight, dead, created_at, updated_at";
    private final Statements sql;

    public JdbcQueries(Statements sql) {
        this.sql = sql;
    }

    @Override
    public KeyTable keys() {
        return new JdbcKeyTable(sql);
    }

    @Override
    public List<SemaphoreRecord> semaphores(String afterName, int max) {
        return JdbcLedger.list(sql.prepare("SELECT " + SEMAPHORE_COLUMNS + " FROM semaphores WHERE name > ? ORDER BY name LIMIT ?"),
                JdbcLedger::semaphoreOf, afterName == null ? "" : afterName, max);
    }

    @Override
    public Optional<Instant> nextDeadline(Instant now) {
        Optional<Long> lease = min("SELECT MIN(expires_at) FROM permits WHERE state = 'held'");
        Optional<Long> wait = min("SELECT MIN(deadline) FROM jobs WHERE kind = 'waiter'");
        Optional<Long> backoff = JdbcLedger.one(sql.prepare("SELECT MIN(available_at) FROM jobs WHERE state = 'waiting' AND kind = 'job' "
                + "AND available_at > ?"), rs -> nullable(rs.getLong(1), rs.wasNull()), now.toEpochMilli()).flatMap(o -> o);
        return java.util.stream.Stream.of(lease, wait, backoff).flatMap(Optional::stream).min(Long::compare)
                .map(Instant::ofEpochMilli);
    }

    private Optional<Long> min(String query) {
        return JdbcLedger.one(sql.prepare(query), rs -> nullable(rs.getLong(1), rs.wasNull())).flatMap(o -> o);
    }

    private static Optional<Long> nullable(long v, boolean wasNull) {
        return wasNull ? Optional.empty() : Optional.of(v);
    }

    @Override
    public List<String> semaphoresDue(Instant since, Instant now) {
        long t = now.toEpochMilli();
        return JdbcLedger.list(sql.prepare("SELECT semaphore FROM permits WHERE state = 'held' AND expires_at <= ? "
                + "UNION SELECT semaphore FROM jobs WHERE kind = 'waiter' AND deadline <= ? "
                + "UNION SELECT semaphore FROM jobs WHERE state = 'waiting' AND kind = 'job' AND available_at > ? AND available_at <= ?"),
                rs -> rs.getString(1), t, t, since.toEpochMilli(), t);
    }

    @Override
    public List<String> semaphoresWithWaiting() {
        return JdbcLedger.list(sql.prepare("SELECT name FROM semaphores WHERE waiting > 0"), rs -> rs.getString(1));
    }

    @Override
    public List<String> semaphoresAwaitingDelivery() {
        return JdbcLedger.list(sql.prepare("SELECT DISTINCT semaphore FROM jobs WHERE state = 'inflight' AND delivered_at IS NULL"),
                rs -> rs.getString(1));
    }

    @Override
    public List<String> semaphoresForwarding() {
        return JdbcLedger.list(sql.prepare("SELECT DISTINCT semaphore FROM jobs WHERE state = 'forwarding'"), rs -> rs.getString(1));
    }

    @Override
    public List<ChannelStats> channels(String semaphore, int max) {
        java.util.TreeMap<String, ChannelStats> byName = new java.util.TreeMap<>();
        for (ChannelStats c : JdbcLedger.list(sql.prepare("SELECT name, in_use, paused FROM channels WHERE semaphore = ?"),
                rs -> new ChannelStats(rs.getString(1), rs.getInt(2), 0, rs.getBoolean(3)), semaphore)) {
            byName.put(c.name(), c);
        }
        for (ChannelStats w : JdbcLedger.list(sql.prepare("SELECT channel, COUNT(*) FROM jobs WHERE semaphore = ? "
                + "AND state = 'waiting' GROUP BY channel"), rs -> new ChannelStats(rs.getString(1), 0, rs.getLong(2), false), semaphore)) {
            ChannelStats c = byName.get(w.name());
            byName.put(w.name(), c == null ? w : new ChannelStats(c.name(), c.inUse(), w.waiting(), c.paused()));
        }
        return byName.values().stream().limit(max).toList();
    }

    @Override
    public int deleteFinishedBefore(Instant before) {
        long t = before.toEpochMilli();
        return JdbcLedger.update(sql.prepare("DELETE FROM jobs WHERE state IN ('completed', 'failed', 'cancelled', 'forwarded') "
                + "AND updated_at < ?"), t)
                + JdbcLedger.update(sql.prepare("DELETE FROM permits WHERE state = 'expired' AND expires_at < ?"), t);
    }

    @Override
    public Map<String, PermitRecord> heldPermitsOf(Collection<String> holderIds) {
        Map<String, PermitRecord> held = new HashMap<>();
        for (String holder : holderIds) {
            JdbcLedger.one(sql.prepare("SELECT " + JdbcLedger.PERMIT_COLUMNS + " FROM permits WHERE holder = ? AND state = 'held'"),
                    JdbcLedger::permitOf, holder).ifPresent(p -> held.put(holder, p));
        }
        return held;
    }
}
