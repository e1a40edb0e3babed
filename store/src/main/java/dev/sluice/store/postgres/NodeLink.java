package dev.sluice.store.postgres;

import dev.sluice.store.Peers;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's own connection to PostgreSQL, outside the pool: it {@code LISTEN}s for the other
 * nodes' announcements and hands them to {@link Peers} the moment they arrive (the thread blocks
 * on the socket; nothing polls), and it keeps the node's row in {@code nodes} fresh, which is how
 * the others know this node is alive. When the connection breaks it reconnects with backoff, and
 * then tells {@link Peers#mayHaveMissedSome()}.
 */
final class NodeLink implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeLink.class);
    /** How often the node's row is refreshed; also how soon a silently dead connection is noticed. */
    static final Duration HEARTBEAT = Duration.ofSeconds(2);
    /** A node not seen for this long is dead (its waiting acquires leave the queue). */
    static final Duration NODE_TIMEOUT = Duration.ofSeconds(20);
    /** PostgreSQL's NOTIFY payload must be shorter than 8000 bytes. */
    private static final int MAX_PAYLOAD_BYTES = 7_999;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);
    /** The database's clock, in epoch milliseconds: one clock for every node's row. */
    static final String DB_NOW = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint";

    private final PostgresUrl url;
    private final String nodeId;
    private final Consumer<Boolean> reachability;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition closing = lock.newCondition();
    private volatile Peers peers;
    private volatile boolean connected;
    private volatile long connectedSince;
    private volatile boolean closed;
    private Connection connection;
    private Thread thread;

    NodeLink(PostgresUrl url, String nodeId, Consumer<Boolean> reachability) {
        this.url = url;
        this.nodeId = nodeId;
        this.reachability = reachability;
    }

    /** Driver settings Sluice needs unless the URL sets them: give up connecting and reading in bounded time. */
    static Map<String, String> defaults(String jdbcUrl) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("connectTimeout", "5");
        d.put("socketTimeout", "30");
        d.put("tcpKeepAlive", "true");
        d.keySet().removeIf(k -> jdbcUrl.contains(k + "="));
        return d;
    }

    /** Packs announcements into NOTIFY payloads: the sender's id, then one announcement a line. */
    static List<String> pack(String nodeId, List<String> announcements) {
        List<String> payloads = new ArrayList<>();
        StringBuilder payload = new StringBuilder(nodeId);
        int bytes = nodeId.length();
        for (String a : announcements) {
            int size = a.getBytes(StandardCharsets.UTF_8).length + 1;
            if (bytes + size > MAX_PAYLOAD_BYTES && payload.length() > nodeId.length()) {
                payloads.add(payload.toString());
                payload = new StringBuilder(nodeId);
                bytes = nodeId.length();
            }
            payload.append('\n').append(a);
            bytes += size;
        }
        payloads.add(payload.toString());
        return payloads;
    }

    /** Connects, registers the node and listens; fails if the database cannot be reached. */
    void start() {
        try {
            connect();
        } catch (SQLException e) {
            throw new dev.sluice.store.sql.StoreException("cannot listen on the store at " + url + ": " + e.getMessage(), e);
        }
        thread = Thread.ofVirtual().name("sluice-listen-" + nodeId).start(this::run);
    }

    void listen(Peers listener) {
        this.peers = listener;
    }

    boolean isConnected() {
        return connected;
    }

    /** How long the connection has been up without a break (zero when down). */
    Duration connectedFor() {
        long since = connectedSince;
        return connected ? Duration.ofNanos(System.nanoTime() - since) : Duration.ZERO;
    }

    private void connect() throws SQLException {
        Properties props = new Properties();
        defaults(url.jdbcUrl()).forEach(props::setProperty);
        props.setProperty("socketTimeout", "0");   // it waits for notifications: getNotifications bounds each wait
        if (url.user() != null) {
            props.setProperty("user", url.user());
        }
        if (url.password() != null) {
            props.setProperty("password", url.password());
        }
        props.setProperty("ApplicationName", "sluice " + nodeId + " listen");
        Connection c = DriverManager.getConnection(url.jdbcUrl(), props);
        try {
            c.setAutoCommit(true);
            try (Statement st = c.createStatement()) {
                st.execute("LISTEN " + PostgresStore.CHANNEL);
            }
            register(c);
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        connection = c;
        connectedSince = System.nanoTime();
        connected = true;
    }

    private void register(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO nodes (id, started_at, seen_at) VALUES (?, "
                + DB_NOW + ", " + DB_NOW + ") ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at")) {
            ps.setString(1, nodeId);
            ps.executeUpdate();
        }
    }

    private void heartbeat() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("UPDATE nodes SET seen_at = " + DB_NOW + " WHERE id = ?")) {
            ps.setString(1, nodeId);
            if (ps.executeUpdate() == 0) {
                log.warn("This node ({}) had been taken for dead by the others; registering again", nodeId);
                register(connection);
            }
        }
    }

    private void run() {
        long nextHeartbeat = System.nanoTime() + HEARTBEAT.toNanos();
        Duration backoff = Duration.ofMillis(100);
        while (!closed) {
            try {
                if (connection == null) {
                    connect();
                    log.info("Connection to the store is back (node {})", nodeId);
                    backoff = Duration.ofMillis(100);
                    reachability.accept(true);
                    Peers p = peers;
                    if (p != null) {
                        p.mayHaveMissedSome();
                    }
                    nextHeartbeat = System.nanoTime() + HEARTBEAT.toNanos();
                }
                long waitMillis = Math.max(1, (nextHeartbeat - System.nanoTime()) / 1_000_000);
                PGNotification[] received = connection.unwrap(PGConnection.class).getNotifications((int) waitMillis);
                if (received != null) {
                    for (PGNotification n : received) {
                        deliver(n.getParameter());
                    }
                }
                if (System.nanoTime() - nextHeartbeat >= 0) {
                    heartbeat();
                    reachability.accept(true);
                    nextHeartbeat = System.nanoTime() + HEARTBEAT.toNanos();
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    break;
                }
                if (connected) {
                    log.warn("Lost the connection to the store (node {}): {}; reconnecting", nodeId, e.getMessage());
                }
                connected = false;
                reachability.accept(false);
                closeConnection();
                pause(backoff);
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
        closeConnection();
    }

    private void deliver(String payload) {
        Peers p = peers;
        if (p == null || payload == null) {
            return;
        }
        String[] lines = payload.split("\n");
        if (lines[0].equals(nodeId)) {
            return;   // this node's own: its listeners heard it at commit
        }
        for (int i = 1; i < lines.length; i++) {
            try {
                p.announced(lines[i]);
            } catch (RuntimeException e) {
                log.warn("An announcement from node {} could not be handled: {}", lines[0], e.toString());
            }
        }
    }

    private void pause(Duration d) {
        lock.lock();
        try {
            if (!closed) {
                closing.awaitNanos(d.toNanos());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    private void closeConnection() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // broken anyway
            }
        }
    }

    /** Stops listening; the thread ends within one heartbeat. */
    @Override
    public void close() {
        closed = true;
        lock.lock();
        try {
            closing.signalAll();
        } finally {
            lock.unlock();
        }
        if (thread != null) {
            thread.interrupt();   // unblocks its wait for notifications (the connection closes with it)
            try {
                thread.join(HEARTBEAT.toMillis() * 2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        connected = false;
    }
}
