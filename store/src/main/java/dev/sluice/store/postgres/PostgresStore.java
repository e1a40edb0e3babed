package dev.sluice.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.sluice.core.Ledger;
import dev.sluice.store.Announced;
import dev.sluice.store.CommitListener;
import dev.sluice.store.Due;
import dev.sluice.store.Peers;
import dev.sluice.store.Queries;
import dev.sluice.store.Store;
import dev.sluice.store.WorkClaim;
import dev.sluice.store.sql.JdbcLedger;
import dev.sluice.store.sql.RowCache;
import dev.sluice.store.sql.Statements;
import dev.sluice.store.sql.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Phaser;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store for several nodes: PostgreSQL (14 or newer), through a HikariCP pool, with the same
 * Flyway-versioned schema as the embedded store.
 *
 * <p><b>Locks.</b> Each operation on a semaphore runs in a transaction that first locks the
 * semaphore's row ({@code SELECT … FOR UPDATE}); a semaphore that has no row yet (it is being
 * created) is locked by a transaction-scoped advisory lock on its name instead, so two nodes
 * cannot both create it. Operations on different semaphores run in parallel on the pool.
 *
 * <p><b>Group commit.</b> Operations on one semaphore queue in its <em>lane</em>; one virtual
 * thread per busy lane takes everything queued, runs it in one transaction and commits once.
 * Under the row lock nothing else changes the semaphore's rows, so the batch keeps those it read
 * or wrote in a {@link RowCache} and holds the writes of the semaphore's, its channels' and its
 * permits' rows, written together at its end (or before a query of permits): a try-acquire then
 * costs no statement of its own, a release one, where each cost seven or eight. A refused operation is
 * undone alone: most have written nothing, so the batch runs without savepoints, and only when
 * one fails after it wrote is the transaction rolled back and the batch run again, each operation
 * under a savepoint of its own. Operations may therefore run twice; only the run that commits
 * counts (see {@link Store#inTransaction}).
 *
 * <p><b>Other nodes.</b> Announcements of an operation's result ({@link Announced}) are sent with
 * {@code pg_notify} in its transaction, so they are delivered exactly when it commits; each
 * node listens on a connection of its own ({@link NodeLink}), which also keeps the node's row in
 * {@code nodes} fresh. Timer work is claimed per semaphore with {@code FOR UPDATE SKIP LOCKED}
 * on its {@code timers} row ({@link #onEachDue}).
 *
 * <p><b>Failures.</b> A lost connection fails the operations of its batch with
 * {@link StoreException} (answered 503); the pool and the link reconnect by themselves.
 */
public final class PostgresStore implements Store {
    private static final Logger log = LoggerFactory.getLogger(PostgresStore.class);
    /** The NOTIFY channel of Sluice's announcements. */
    static final String CHANNEL = "sluice";
    /** Advisory-lock namespace (first key) for creating a semaphore that has no row yet. */
    static final int CREATE_LOCK = 0x534c4301;
    private static final int MAX_BATCH = 256;
    /** Rows a batch keeps in memory (its semaphore's row is locked, so no other node changes them meanwhile). */
    private static final int BATCH_ROWS = 10_000;
    private static final int TIMER_BATCH = 32;
    private static final Duration WAIT_FOR_CONNECTION = Duration.ofSeconds(3);

    private record Task<T>(Function<Ledger, T> operation, Function<Queries, T> query, CompletableFuture<T> result) {}

    /** The queue of one semaphore's operations, drained by at most one thread at a time. */
    private static final class Lane {
        final ArrayDeque<Task<?>> queue = new ArrayDeque<>();
        boolean draining;
        boolean retired;
    }

    private final PostgresUrl url;
    private final HikariDataSource pool;
    private final String nodeId;
    private final NodeLink link;
    private final PostgresWorkClaims claims;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    /** Counts work in progress, so that close can let it finish. */
    private final Phaser inProgress = new Phaser(1);
    private volatile boolean closed;
    /** False from a failed connection until the next success on any connection. */
    private volatile boolean reachable = true;
    private volatile CommitListener commitListener = CommitListener.NONE;

    private PostgresStore(PostgresUrl url, HikariDataSource pool, String nodeId) {
        this.url = url;
        this.pool = pool;
        this.nodeId = nodeId;
        this.link = new NodeLink(url, nodeId, this::markReachable);
        this.claims = new PostgresWorkClaims(url, nodeId);
    }

    /**
     * Connects to the PostgreSQL the URL names (see {@link PostgresUrl}), migrates its schema to
     * this version and registers this node. Fails with a {@link StoreException} that says why
     * when the database cannot be reached.
     */
    public static PostgresStore open(String storeUrl) {
        PostgresUrl url = PostgresUrl.parse(storeUrl);
        // 48 random bits: two live nodes with one id would take each other's announcements for their own
        String nodeId = HexFormat.of().toHexDigits(new java.security.SecureRandom().nextLong()).substring(4);
        HikariConfig config = new HikariConfig();
        config.setPoolName("sluice-" + nodeId);
        config.setJdbcUrl(url.jdbcUrl());
        if (url.user() != null) {
            config.setUsername(url.user());
        }
        if (url.password() != null) {
            config.setPassword(url.password());
        }
        config.setMaximumPoolSize(url.poolSize());
        config.setMinimumIdle(Math.min(2, url.poolSize()));
        config.setAutoCommit(false);
        config.setConnectionTimeout(WAIT_FOR_CONNECTION.toMillis());
        config.setValidationTimeout(1_000);
        NodeLink.defaults(url.jdbcUrl()).forEach(config::addDataSourceProperty);
        config.addDataSourceProperty("ApplicationName", "sluice " + nodeId);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException("cannot reach the store at " + url + ": " + rootMessage(e), e);
        }
        try {
            // db/postgresql: what only PostgreSQL has (storage parameters), numbered between the shared ones
            Flyway.configure().dataSource(pool).locations("classpath:db/migration", "classpath:db/postgresql").load().migrate();
            PostgresStore store = new PostgresStore(url, pool, nodeId);
            store.link.start();
            log.info("PostgreSQL store at {} (node {}, pool of {})", url, nodeId, url.poolSize());
            return store;
        } catch (RuntimeException e) {
            pool.close();
            throw e instanceof StoreException se ? se
                    : new StoreException("cannot open the store at " + url + ": " + rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    public PostgresUrl url() {
        return url;
    }

    @Override
    public boolean isShared() {
        return true;
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public void listen(Peers peers) {
        link.listen(peers);
    }

    /** A session advisory lock of this node's (see {@link PostgresWorkClaims}). */
    @Override
    public Optional<WorkClaim> tryClaim(String key) {
        if (closed) {
            throw StoreException.closed();
        }
        return claims.tryClaim(key);
    }

    @Override
    public boolean isHealthy() {
        return !closed && reachable && link.isConnected();
    }

    @Override
    public void onCommit(CommitListener listener) {
        commitListener = CommitListener.guarded(listener);
    }

    private void markReachable(boolean ok) {
        reachable = ok;
    }

    // ---- operations on one semaphore: lanes and group commit -----------------------------------

    @Override
    public <T> CompletableFuture<T> inTransaction(String name, Function<Ledger, T> operation) {
        Task<T> task = new Task<>(operation, null, new CompletableFuture<>());
        if (closed) {
            task.result.completeExceptionally(StoreException.closed());
            return task.result;
        }
        while (true) {
            Lane lane = lanes.computeIfAbsent(name, k -> new Lane());
            synchronized (lane) {
                if (lane.retired) {
                    continue;   // emptied and removed meanwhile: take the new one
                }
                lane.queue.add(task);
                if (!lane.draining) {
                    lane.draining = true;
                    inProgress.register();
                    Thread.ofVirtual().name("sluice-lane-" + name).start(() -> drain(name, lane));
                }
                return task.result;
            }
        }
    }

    private void drain(String name, Lane lane) {
        try {
            while (true) {
                List<Task<?>> batch = new ArrayList<>();
                synchronized (lane) {
                    while (batch.size() < MAX_BATCH && !lane.queue.isEmpty()) {
                        batch.add(lane.queue.poll());
                    }
                    if (batch.isEmpty()) {
                        lane.draining = false;
                        lane.retired = true;
                        lanes.remove(name, lane);
                        return;
                    }
                }
                runBatch(name, batch);
            }
        } finally {
            inProgress.arriveAndDeregister();
        }
    }

    private void runBatch(String name, List<Task<?>> batch) {
        List<Runnable> completions = new ArrayList<>(batch.size());
        try (Connection c = pool.getConnection(); Statements sql = new Statements(c, " FOR UPDATE")) {
            try {
                if (!runAll(c, sql, name, batch, false, completions)) {
                    c.rollback();
                    completions.clear();
                    runAll(c, sql, name, batch, true, completions);
                }
                long commitStart = System.nanoTime();
                c.commit();
                long commitNanos = System.nanoTime() - commitStart;
                reachable = true;
                if (sql.writes() > 0) {
                    commitListener.committed(batch.size(), commitNanos);
                }
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
        } catch (SQLException | RuntimeException e) {
            boolean wasReachable = reachable;
            StoreException failure = failure(e);
            if (wasReachable) {
                log.warn("Store transaction on {} failed; {} operations refused: {}", name, batch.size(), failure.getMessage());
            } else {
                log.debug("Store transaction on {} failed; {} operations refused: {}", name, batch.size(), failure.getMessage());
            }
            completions.clear();
            for (Task<?> task : batch) {
                completions.add(() -> task.result.completeExceptionally(failure));
            }
        }
        // Futures complete off this thread, so what waits on them never delays the next batch.
        Thread.ofVirtual().start(() -> completions.forEach(Runnable::run));
    }

    /**
     * Runs the batch's operations in the open transaction, adding how to complete each future
     * once committed, then writes the rows they left held and sends their announcements. Without
     * {@code savepoints}, stops and answers false at the first operation that fails after it
     * wrote (only a rollback can undo it); with them, undoes such an operation alone.
     */
    private boolean runAll(Connection c, Statements sql, String name, List<Task<?>> batch, boolean savepoints,
                           List<Runnable> completions) throws SQLException {
        RowCache rows = new RowCache(BATCH_ROWS);
        lockSemaphore(sql, name, rows);
        List<String> announcements = new ArrayList<>();
        for (Task<?> task : batch) {
            Runnable completion = runOne(c, sql, name, task, rows, savepoints, announcements);
            if (completion == null) {
                return false;
            }
            completions.add(completion);
        }
        JdbcLedger.writeHeldRows(sql, rows);
        rows.committed();
        notify(c, announcements);
        return true;
    }

    /**
     * Locks the semaphore's row, and keeps it in {@code rows} (when given); if it has none (not
     * created yet, or deleted), an advisory lock on its name stands in, held to the end of the
     * transaction, so creations are serialised too.
     */
    private static void lockSemaphore(Statements sql, String name, RowCache rows) throws SQLException {
        if (new JdbcLedger(sql, name, rows).semaphore().isEmpty()) {
            PreparedStatement advisory = sql.prepare("SELECT pg_advisory_xact_lock(?, hashtext(?))");
            advisory.setInt(1, CREATE_LOCK);
            advisory.setString(2, name);
            advisory.execute();
            if (rows != null) {
                rows.forgetAll();   // another node may have created it before this lock was granted: read it again
            }
        }
        if (rows != null) {
            rows.operationDone();
        }
    }

    /**
     * Runs one operation, under a savepoint if asked; answers how to complete its future once
     * committed, or null when it failed after it wrote and has no savepoint to undo it alone.
     */
    private static <T> Runnable runOne(Connection c, Statements sql, String name, Task<T> task, RowCache rows,
                                       boolean savepoint, List<String> announcements) throws SQLException {
        if (savepoint) {
            JdbcLedger.writeHeldRows(sql, rows);   // so that undoing this operation never undoes another's writes
        }
        Savepoint undo = savepoint ? c.setSavepoint() : null;
        long writesBefore = sql.writes();
        try {
            T value = task.operation.apply(new JdbcLedger(sql, name, rows));
            if (undo != null) {
                c.releaseSavepoint(undo);
            }
            rows.operationDone();
            if (value instanceof Announced a) {
                announcements.addAll(a.announcements());
            }
            return () -> task.result.complete(value);
        } catch (StoreException e) {
            throw e;   // the connection failed: the whole batch fails
        } catch (RuntimeException e) {   // refusals, and bugs: undone alone, never the whole batch
            rows.operationUndone();
            if (undo != null) {
                c.rollback(undo);
                c.releaseSavepoint(undo);
            } else if (sql.writes() != writesBefore) {
                return null;
            }
            return () -> task.result.completeExceptionally(e);
        }
    }

    /** Sends the announcements, packed into as few NOTIFY payloads as fit, each headed by this node's id. */
    private void notify(Connection c, List<String> announcements) throws SQLException {
        if (announcements.isEmpty()) {
            return;
        }
        List<String> payloads = NodeLink.pack(nodeId, announcements);
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify('" + CHANNEL + "', p) FROM unnest(?::text[]) AS p")) {
            ps.setArray(1, c.createArrayOf("text", payloads.toArray()));
            ps.execute();
        }
    }

    private StoreException failure(Exception e) {
        if (e instanceof StoreException se && !(se.getCause() instanceof SQLException)) {
            return se;
        }
        SQLException sqlError = e instanceof SQLException s ? s
                : e.getCause() instanceof SQLException s ? s : null;
        if (sqlError == null || isConnectionFailure(sqlError)) {
            reachable = false;
        }
        return e instanceof StoreException se ? se : new StoreException(e);
    }

    /** SQL state class 08 (connection exception), 57P (operator intervention: shutdown), or no connection from the pool. */
    static boolean isConnectionFailure(SQLException e) {
        String state = e.getSQLState();
        return state == null || state.startsWith("08") || state.startsWith("57P")
                || e instanceof java.sql.SQLTransientConnectionException;
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool will replace it
        }
    }

    // ---- queries across semaphores ---------------------------------------------------------------

    @Override
    public <T> CompletableFuture<T> query(Function<Queries, T> query) {
        CompletableFuture<T> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(StoreException.closed());
            return result;
        }
        inProgress.register();
        Thread.ofVirtual().name("sluice-query").start(() -> {
            try (Connection c = pool.getConnection(); Statements sql = new Statements(c, "")) {
                try {
                    T value = query.apply(new PostgresQueries(sql, link.connectedFor().compareTo(NodeLink.NODE_TIMEOUT) >= 0));
                    if (value instanceof Announced a) {
                        notify(c, a.announcements());
                    }
                    c.commit();
                    reachable = true;
                    result.complete(value);
                } catch (RuntimeException e) {
                    rollbackQuietly(c);
                    throw e;
                }
            } catch (SQLException | RuntimeException e) {
                result.completeExceptionally(e instanceof SQLException || e instanceof StoreException ? failure(e) : e);
            } finally {
                inProgress.arriveAndDeregister();
            }
        });
        return result;
    }

    // ---- timer work, divided between the nodes ---------------------------------------------------

    /**
     * Finds the due semaphores, then claims their {@code timers} rows with {@code FOR UPDATE SKIP
     * LOCKED}, a few at a time: a row another node holds is passed over (that node is working
     * through it now). For each claimed semaphore the operation runs under its row lock, the row's
     * {@code checked_at} moves to {@code now} (so no node sees those backoff ends again), and the
     * claims are committed together with the operations.
     */
    @Override
    public <T> CompletableFuture<Due<T>> onEachDue(Instant since, Instant now, BiFunction<String, Ledger, T> operation) {
        CompletableFuture<Due<T>> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(StoreException.closed());
            return result;
        }
        inProgress.register();
        Thread.ofVirtual().name("sluice-timers").start(() -> {
            try {
                result.complete(timerPass(since, now, operation));
            } catch (SQLException | RuntimeException e) {
                result.completeExceptionally(e instanceof SQLException || e instanceof StoreException ? failure(e) : e);
            } finally {
                inProgress.arriveAndDeregister();
            }
        });
        return result;
    }

    private <T> Due<T> timerPass(Instant since, Instant now, BiFunction<String, Ledger, T> operation) throws SQLException {
        Map<String, T> results = new LinkedHashMap<>();
        boolean busy = false;
        try (Connection c = pool.getConnection(); Statements sql = new Statements(c, " FOR UPDATE")) {
            try {
                List<String> due = new PostgresQueries(sql, false).semaphoresDue(since, now).stream().sorted().toList();
                if (due.isEmpty()) {
                    c.commit();
                    return new Due<>(results, false);
                }
                try (PreparedStatement ensure = c.prepareStatement("INSERT INTO timers (semaphore, checked_at) "
                        + "SELECT s, 0 FROM unnest(?::text[]) AS s ON CONFLICT (semaphore) DO NOTHING")) {
                    ensure.setArray(1, c.createArrayOf("text", due.toArray()));
                    ensure.executeUpdate();
                }
                c.commit();
                for (int from = 0; from < due.size(); from += TIMER_BATCH) {
                    List<String> chunk = due.subList(from, Math.min(due.size(), from + TIMER_BATCH));
                    List<String> claimed = new ArrayList<>();
                    try (PreparedStatement claim = c.prepareStatement("SELECT semaphore FROM timers WHERE semaphore = ANY(?) "
                            + "ORDER BY semaphore FOR UPDATE SKIP LOCKED")) {
                        claim.setArray(1, c.createArrayOf("text", chunk.toArray()));
                        try (ResultSet rs = claim.executeQuery()) {
                            while (rs.next()) {
                                claimed.add(rs.getString(1));
                            }
                        }
                    }
                    busy |= claimed.size() < chunk.size();
                    // Under the claims, look again: a node that committed its pass just before ours
                    // may have done this work already (then it is due no more).
                    if (!claimed.isEmpty()) {
                        claimed.retainAll(new java.util.HashSet<>(new PostgresQueries(sql, false).semaphoresDue(since, now)));
                    }
                    List<String> announcements = new ArrayList<>();
                    Map<String, T> done = new LinkedHashMap<>();
                    for (String name : claimed) {
                        Savepoint savepoint = c.setSavepoint();
                        try {
                            lockSemaphore(sql, name, null);
                            T value = operation.apply(name, new JdbcLedger(sql, name));
                            c.releaseSavepoint(savepoint);
                            if (value instanceof Announced a) {
                                announcements.addAll(a.announcements());
                            }
                            done.put(name, value);
                        } catch (StoreException e) {
                            throw e;
                        } catch (RuntimeException e) {
                            c.rollback(savepoint);
                            c.releaseSavepoint(savepoint);
                            log.warn("Timer work on {} failed: {}", name, e.toString());
                        }
                    }
                    try (PreparedStatement mark = c.prepareStatement("UPDATE timers SET checked_at = ? "
                            + "WHERE semaphore = ANY(?) AND checked_at < ?")) {
                        mark.setLong(1, now.toEpochMilli());
                        mark.setArray(2, c.createArrayOf("text", claimed.toArray()));
                        mark.setLong(3, now.toEpochMilli());
                        mark.executeUpdate();
                    }
                    notify(c, announcements);
                    c.commit();
                    reachable = true;
                    results.putAll(done);
                }
                return new Due<>(results, busy);
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
        }
    }

    // ---- closing ---------------------------------------------------------------------------------

    /** Lets the work in progress finish (a few seconds at most), takes this node out of {@code nodes}, closes the pool. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            inProgress.awaitAdvanceInterruptibly(inProgress.arrive(), 10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException e) {
            log.warn("Closing the store with work still in progress");
        }
        link.close();
        claims.close();
        deregister();
        pool.close();
    }

    /** A node that stops says so: its waiting acquires (their requests end with it) are then at once of a dead node. */
    private void deregister() {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement("DELETE FROM nodes WHERE id = ?")) {
            ps.setString(1, nodeId);
            ps.executeUpdate();
            c.commit();
        } catch (SQLException e) {
            log.warn("Could not take node {} out of the nodes table (the others will find it dead): {}", nodeId, e.getMessage());
        }
    }
}
