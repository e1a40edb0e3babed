package dev.sluice.store;

import dev.sluice.core.Ledger;
import dev.sluice.store.sql.JdbcLedger;
import dev.sluice.store.sql.JdbcQueries;
import dev.sluice.store.sql.Statements;
import dev.sluice.store.sql.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.sqlite.SQLiteDataSource;

/**
 * The embedded store: one SQLite file in WAL mode with {@code synchronous=FULL}, so a committed
 * operation survives both {@code kill -9} and power loss.
 *
 * <p>SQLite admits one writer at a time, so one thread owns the connection and runs every
 * operation. It takes all operations queued while the previous commit was being made and runs
 * them in one transaction, each under its own savepoint, then commits once: the cost of the
 * fsync is shared by the whole batch (group commit). Queries run on the same thread and so see
 * exactly the committed state.
 */
public final class SqliteStore implements Store {
    private static final Logger log = LoggerFactory.getLogger(SqliteStore.class);
    private static final int MAX_BATCH = 512;

    private record Task<T>(String semaphore, Function<Ledger, T> operation, Function<Queries, T> query,
                           CompletableFuture<T> result) {}

    private final Path file;
    private final Connection connection;
    private final Statements statements;
    private final BlockingQueue<Task<?>> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closed;
    private volatile boolean healthy = true;

    private SqliteStore(Path file, Connection connection) {
        this.file = file;
        this.connection = connection;
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
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(10_000);
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        // Otherwise the driver runs "SELECT last_insert_rowid()" (prepared, stepped, finalized) after every
        // INSERT, and every save is an upsert: a quarter of the writer thread's CPU. Nothing reads generated keys.
        config.setGetGeneratedKeys(false);
        SQLiteDataSource dataSource = new SQLiteDataSource(config);
        dataSource.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
        try {
            Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
            Connection connection = dataSource.getConnection();
            connection.setAutoCommit(false);
            log.info("Embedded store at {}", file.toAbsolutePath());
            return new SqliteStore(file, connection);
        } catch (SQLException | RuntimeException e) {
            throw new StoreException("cannot open the store at " + file + ": " + e.getMessage(), e);
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
            task.result.completeExceptionally(new StoreException("the store is closed", null));
        } else {
            queue.add(task);
        }
        return task.result;
    }

    @Override
    public boolean isHealthy() {
        return healthy && !closed;
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

    private void runBatch(List<Task<?>> batch, List<Runnable> completions) {
        try {
            for (Task<?> task : batch) {
                completions.add(runOne(task));
            }
            connection.commit();
            healthy = true;
        } catch (SQLException | StoreException e) {
            healthy = false;
            log.error("Store commit failed; {} operations refused", batch.size(), e);
            try {
                connection.rollback();
            } catch (SQLException ignored) {
                // the connection is broken; the next batch will tell
            }
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

    /**
     * Runs one task under a savepoint; returns how to complete its future once committed. The
     * savepoint statements are prepared once (the driver's {@code setSavepoint} parses them anew
     * each time, and this runs for every operation).
     */
    private <T> Runnable runOne(Task<T> task) throws SQLException {
        statements.prepare("SAVEPOINT op").execute();
        try {
            T value = task.operation != null
                    ? task.operation.apply(new JdbcLedger(statements, task.semaphore))
                    : task.query.apply(new JdbcQueries(statements));
            statements.prepare("RELEASE op").execute();
            return () -> task.result.complete(value);
        } catch (RuntimeException e) {   // refusals, and bugs: undone alone, never the whole batch
            statements.prepare("ROLLBACK TO op").execute();
            statements.prepare("RELEASE op").execute();
            return () -> task.result.completeExceptionally(e);
        }
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
    }
}
