package dev.sluice.store;

import dev.sluice.core.Ledger;
import dev.sluice.store.sql.JdbcLedger;
import dev.sluice.store.sql.JdbcQueries;
import dev.sluice.store.sql.RowCache;
import dev.sluice.store.sql.Statements;
import dev.sluice.store.sql.StoreException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteDataSource;
import org.sqlite.core.DB;

/**
 * The embedded store: one SQLite file in WAL mode with {@code synchronous=FULL}, so a committed
 * operation survives both {@code kill -9} and power loss.
 *
 * <p>SQLite admits one writer at a time, so one thread owns the connection and runs every
 * operation. It takes all operations queued while the previous commit was being made and runs
 * them in one transaction, then commits once: the cost of the fsync is shared by the whole batch
 * (group commit). Queries run on the same thread and so see exactly the committed state.
 *
 * <p>An operation that fails is undone alone. Most that fail (a refused try-acquire, a release of
 * an unknown permit) have written nothing, so a batch first runs without savepoints; only when an
 * operation fails after it changed rows is the transaction rolled back and the batch run again,
 * each operation under its own savepoint. Operations may therefore run twice; only the run that
 * commits counts (see {@link Store#inTransaction}).
 *
 * <p>The process holds an exclusive lock on {@code sluice.lock} in the data directory while the
 * store is open: its writer is then the database's only writer, so it keeps semaphore, channel,
 * permit and job rows in memory between transactions ({@link RowCache}). A batch holds the writes
 * of semaphore, channel and permit rows and makes them once, before it commits (or before a query
 * or a savepoint): a semaphore changed by every operation of a batch is written once, and a permit
 * acquired and released within one batch never at all.
 */
public final class SqliteStore implements Store {
    /**
     * Pages the write-ahead log may hold before a commit copies them into the database file (SQLite's
     * default is 1,000). A checkpoint runs on the writer's commit and copies each page once however
     * often it changed since the last, so fewer, larger checkpoints copy the hot pages (the
     * semaphore's row, the queue's index) fewer times: measured in docs/benchmarks.md. The log then
     * grows to about 40 MiB. Durability does not depend on it: every commit syncs the log.
     */
    private static final int WAL_AUTOCHECKPOINT_PAGES = 10_000;

    private static final Logger log = LoggerFactory.getLogger(SqliteStore.class);
    private static final int MAX_BATCH = 512;
    private static final int CACHED_ROWS = 20_000;

    private record Task<T>(String semaphore, Function<Ledger, T> operation, Function<Queries, T> query,
                           CompletableFuture<T> result) {}

    private final Path file;
    private final FileChannel lock;
    private final Connection connection;
    private final DB database;
    private final Statements statements;
    private final RowCache rows = new RowCache(CACHED_ROWS);
    private final BlockingQueue<Task<?>> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closed;
    private volatile boolean healthy = true;
    private volatile CommitListener commitListener = CommitListener.NONE;

    private SqliteStore(Path file, FileChannel lock, Connection connection) throws SQLException {
        this.file = file;
        this.lock = lock;
        this.connection = connection;
        this.database = connection.unwrap(SQLiteConnection.class).getDatabase();
        this.statements = new Statements(connection, "");
        this.writer = Thread.ofPlatform().name("sluice-store-writer").daemon().start(this::run);
    }

    /** Opens (creating if needed) the store in {@code dataDir}, migrating its schema to this version. */
    public static SqliteStore open(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
        } catch (Exception e) {
            throw new StoreException("cannot create the data directory " + dataDir + ": " + e.getMessage(), e);
        }
        Path file = dataDir.resolve("sluice.db");
        if (!Files.isWritable(dataDir) || Files.exists(file) && !Files.isWritable(file)) {
            // said plainly here: SQLite itself only says it is "unable to open the database file"
            throw new StoreException("the data directory " + dataDir.toAbsolutePath() + " is read-only (or not writable by this "
                    + "user); the embedded store must write its file and its write-ahead log there", null);
        }
        FileChannel lock = lockDirectory(dataDir);
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(10_000);
        // Otherwise the driver runs "SELECT last_insert_rowid()" (prepared, stepped, finalized) after every
        // INSERT, and every save is an upsert: a quarter of the writer thread's CPU. Nothing reads generated keys.
        config.setGetGeneratedKeys(false);
        SQLiteDataSource dataSource = new SQLiteDataSource(config);
        dataSource.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
        try {
            Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
            Connection connection = dataSource.getConnection();
            try (var pragma = connection.createStatement()) {
                pragma.execute("PRAGMA wal_autocheckpoint = " + WAL_AUTOCHECKPOINT_PAGES);
            } catch (SQLException e) {
                connection.close();
                throw e;
            }
            log.info("Embedded store at {}", file.toAbsolutePath());
            return new SqliteStore(file, lock, connection);
        } catch (SQLException | RuntimeException e) {
            closeQuietly(lock);
            throw new StoreException("cannot open the store at " + file + ": " + e.getMessage(), e);
        }
    }

    /** Locks the directory for this process, or says plainly who has it: two servers on one file would each think they are alone. */
    private static FileChannel lockDirectory(Path dataDir) {
        Path lockFile = dataDir.resolve("sluice.lock");
        FileChannel channel = null;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            if (channel.tryLock() != null) {
                return channel;
            }
        } catch (OverlappingFileLockException e) {
            // held by this very process: a store already open on the directory
        } catch (IOException e) {
            closeQuietly(channel);
            throw new StoreException("cannot lock the data directory (" + lockFile + "): " + e.getMessage(), e);
        }
        closeQuietly(channel);
        throw new StoreException("the data directory " + dataDir.toAbsolutePath() + " is in use by another Sluice server "
                + "(it holds " + lockFile.getFileName() + "); give each server its own --data directory, or share a PostgreSQL "
                + "store between nodes", null);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            if (channel != null) {
                channel.close();   // releases the lock
            }
        } catch (IOException ignored) {
            // nothing more to release
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public <T> CompletableFuture<T> inTransaction(String name, Function<Ledger, T> operation) {
        return submit(new Task<>(name, operation, null, new CompletableFuture<>()));
    }

    @Override
    public <T> CompletableFuture<T> query(Function<Queries, T> query) {
        return submit(new Task<>(null, null, query, new CompletableFuture<>()));
    }

    private <T> CompletableFuture<T> submit(Task<T> task) {
        if (closed) {
            task.result.completeExceptionally(StoreException.closed());
        } else {
            queue.add(task);
        }
        return task.result;
    }

    @Override
    public boolean isHealthy() {
        return healthy && !closed;
    }

    @Override
    public void onCommit(CommitListener listener) {
        commitListener = CommitListener.guarded(listener);
    }

    private void run() {
        List<Task<?>> batch = new ArrayList<>(MAX_BATCH);
        List<Runnable> completions = new ArrayList<>(MAX_BATCH);
        while (!closed || !queue.isEmpty()) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                if (closed) {
                    break;
                }
                continue;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            runBatch(batch, completions);
            // Futures complete off this thread, so what waits on them never delays the next commit.
            List<Runnable> done = List.copyOf(completions);
            Thread.ofVirtual().start(() -> done.forEach(Runnable::run));
            batch.clear();
            completions.clear();
        }
    }

    /**
     * Runs a batch in one transaction. The transaction is begun and ended here, by statement, not
     * by the driver: after a failed commit (a full disk) SQLite may have ended the transaction
     * itself, and each batch must still start from a transaction of its own, never run in
     * autocommit.
     */
    private void runBatch(List<Task<?>> batch, List<Runnable> completions) {
        try {
            long changesBefore = database.total_changes();
            execute("BEGIN IMMEDIATE");
            if (!runAll(batch, completions, false)) {
                execute("ROLLBACK");
                rows.rolledBack();
                completions.clear();
                execute("BEGIN IMMEDIATE");
                runAll(batch, completions, true);
            }
            writeHeldRows();
            boolean wrote = database.total_changes() != changesBefore;   // read before the commit, so nothing after it can fail
            long commitStart = System.nanoTime();
            execute("COMMIT");
            long commitNanos = System.nanoTime() - commitStart;
            rows.committed();
            healthy = true;
            if (wrote) {
                commitListener.committed(batch.size(), commitNanos);
            }
        } catch (SQLException | StoreException e) {
            healthy = false;
            log.error("Store commit failed; {} operations refused", batch.size(), e);
            rollbackIfOpen();
            rows.rolledBack();
            // A failed commit (a full disk, an I/O error) can leave the driver's prepared statements
            // finalized; prepare them anew, so the store recovers by itself once the cause is gone.
            statements.close();
            StoreException failure = e instanceof StoreException se ? se : new StoreException(e);
            completions.clear();
            for (Task<?> task : batch) {
                completions.add(() -> task.result.completeExceptionally(failure));
            }
        }
    }

    private void execute(String sql) throws SQLException {
        statements.prepare(sql).execute();
    }

    /** Writes the rows the batch holds unwritten: before it commits, and before what must see them in the database. */
    private void writeHeldRows() {
        JdbcLedger.writeHeldRows(statements, rows);
    }

    private void rollbackIfOpen() {
        try (var rollback = connection.prepareStatement("ROLLBACK")) {
            rollback.execute();
        } catch (SQLException ignored) {
            // no transaction was open any more (SQLite ended it on the failure), or the connection is broken: the next batch tells
        }
    }

    /**
     * Runs the batch's tasks in order, adding how to complete each future once committed. Without
     * {@code savepoints}, stops and answers false at the first task that fails after changing rows
     * (the transaction must then be rolled back); with them, undoes such a task alone.
     */
    private boolean runAll(List<Task<?>> batch, List<Runnable> completions, boolean savepoints) throws SQLException {
        for (Task<?> task : batch) {
            Runnable completion = savepoints ? runUnderSavepoint(task) : runWithoutSavepoint(task);
            if (completion == null) {
                return false;
            }
            completions.add(completion);
        }
        return true;
    }

    /** Runs one task; null if it failed after changing rows, which only a rollback can undo. */
    private <T> Runnable runWithoutSavepoint(Task<T> task) throws SQLException {
        long changesBefore = database.total_changes();
        try {
            T value = apply(task);
            rows.operationDone();
            return () -> task.result.complete(value);
        } catch (RuntimeException e) {   // refusals, and bugs
            rows.operationUndone();
            if (database.total_changes() != changesBefore) {
                return null;
            }
            return () -> task.result.completeExceptionally(e);
        }
    }

    /**
     * Runs one task under a savepoint, so that its failure undoes it alone. The savepoint
     * statements are prepared once (the driver's {@code setSavepoint} parses them anew each time).
     */
    private <T> Runnable runUnderSavepoint(Task<T> task) throws SQLException {
        writeHeldRows();   // so that undoing this operation never undoes another's writes
        statements.prepare("SAVEPOINT op").execute();
        try {
            T value = apply(task);
            statements.prepare("RELEASE op").execute();
            rows.operationDone();
            return () -> task.result.complete(value);
        } catch (RuntimeException e) {   // refusals, and bugs: undone alone, never the whole batch
            statements.prepare("ROLLBACK TO op").execute();
            statements.prepare("RELEASE op").execute();
            rows.operationUndone();
            return () -> task.result.completeExceptionally(e);
        }
    }

    private <T> T apply(Task<T> task) throws SQLException {
        if (task.operation != null) {
            return task.operation.apply(new JdbcLedger(statements, task.semaphore, rows));
        }
        writeHeldRows();   // a query reads the tables
        long changesBefore = database.total_changes();
        T value = task.query.apply(new JdbcQueries(statements));
        if (database.total_changes() != changesBefore) {
            rows.forgetAll();   // housekeeping across semaphores (finished jobs, expired permits): too wide to follow
        }
        return value;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        writer.interrupt();
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        statements.close();
        try {
            connection.close();
        } catch (SQLException e) {
            log.warn("Closing the store: {}", e.getMessage());
        }
        closeQuietly(lock);
    }
}
