package dev.sluice.store.postgres;

import dev.sluice.store.WorkClaim;
import dev.sluice.store.sql.StoreException;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Work claims across nodes as PostgreSQL session advisory locks, all held on one connection of
 * this node's own (outside the pool, which would hand a lock's connection to someone else). The
 * database releases them when the connection ends, so a node that dies or is cut off loses its
 * claims and another node can take them. The lock's key is 64 bits of SHA-256 of the claim's key.
 */
final class PostgresWorkClaims implements AutoCloseable {
    private final PostgresUrl url;
    private final String nodeId;
    private final Map<String, Claim> held = new HashMap<>();
    private Connection connection;
    /** Bumped at each new connection: claims of an earlier one are lost. */
    private long generation;

    private final class Claim implements WorkClaim {
        final String key;
        final long lock;
        final long claimedIn;
        boolean released;

        Claim(String key, long lock, long claimedIn) {
            this.key = key;
            this.lock = lock;
            this.claimedIn = claimedIn;
        }

        @Override
        public String key() {
            return key;
        }

        @Override
        public boolean isHeld() {
            return stillHeld(this);
        }

        @Override
        public void close() {
            release(this);
        }
    }

    PostgresWorkClaims(PostgresUrl url, String nodeId) {
        this.url = url;
        this.nodeId = nodeId;
    }

    synchronized Optional<WorkClaim> tryClaim(String key) {
        if (held.containsKey(key)) {
            return Optional.empty();
        }
        long lock = lockKey(key);
        boolean got;
        try {
            got = tryLock(lock);
        } catch (SQLException first) {
            if (!PostgresStore.isConnectionFailure(first)) {
                throw new StoreException("cannot claim " + key + ": " + first.getMessage(), first);   // the claims held stay held
            }
            // The connection broke since its last use (its claims went with it): once more on a new one.
            dropConnection();
            try {
                got = tryLock(lock);
            } catch (SQLException e) {
                dropConnection();
                throw new StoreException("cannot claim " + key + ": " + e.getMessage(), e);
            }
        }
        if (!got) {
            return Optional.empty();
        }
        Claim claim = new Claim(key, lock, generation);
        held.put(key, claim);
        return Optional.of(claim);
    }

    private boolean tryLock(long lock) throws SQLException {
        ensureConnection();
        try (PreparedStatement ps = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            ps.setLong(1, lock);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private synchronized boolean stillHeld(Claim claim) {
        if (claim.released || claim.claimedIn != generation || connection == null) {
            return false;
        }
        try (PreparedStatement ps = connection.prepareStatement("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' "
                + "AND classid = (?::bigint)::oid AND objid = (?::bigint)::oid AND objsubid = 1 AND pid = pg_backend_pid() AND granted)")) {
            ps.setLong(1, claim.lock >>> 32);
            ps.setLong(2, claim.lock & 0xffff_ffffL);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        } catch (SQLException e) {
            dropConnection();
            return false;
        }
    }

    private synchronized void release(Claim claim) {
        if (claim.released) {
            return;
        }
        claim.released = true;
        held.remove(claim.key, claim);
        if (claim.claimedIn != generation || connection == null) {
            return;   // lost with its connection already
        }
        try (PreparedStatement ps = connection.prepareStatement("SELECT pg_advisory_unlock(?)")) {
            ps.setLong(1, claim.lock);
            ps.execute();
        } catch (SQLException e) {
            dropConnection();   // the lock goes with the connection
        }
    }

    private void ensureConnection() throws SQLException {
        if (connection != null) {
            return;
        }
        Properties props = new Properties();
        NodeLink.defaults(url.jdbcUrl()).forEach(props::setProperty);
        if (url.user() != null) {
            props.setProperty("user", url.user());
        }
        if (url.password() != null) {
            props.setProperty("password", url.password());
        }
        props.setProperty("ApplicationName", "sluice " + nodeId + " claims");
        connection = DriverManager.getConnection(url.jdbcUrl(), props);
        connection.setAutoCommit(true);
        generation++;
    }

    private void dropConnection() {
        held.clear();
        generation++;
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // gone anyway
            }
            connection = null;
        }
    }

    static long lockKey(String key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(("sluice:" + key).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(d).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        dropConnection();
    }
}
