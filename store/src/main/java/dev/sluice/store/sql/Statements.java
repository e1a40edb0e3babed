package dev.sluice.store.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/** Prepared statements of one connection, prepared once and reused: preparing costs more than running. */
public final class Statements implements AutoCloseable {
    private final Connection connection;
    private final String lockClause;
    private final Map<String, PreparedStatement> cache = new HashMap<>();
    private long writes;

    /** @param lockClause appended to the read of a semaphore's row to lock it (" FOR UPDATE"), or "" */
    public Statements(Connection connection, String lockClause) {
        this.connection = connection;
        this.lockClause = lockClause;
    }

    public PreparedStatement prepare(String sql) {
        PreparedStatement ps = cache.get(sql);
        if (ps == null) {
            try {
                ps = connection.prepareStatement(sql);
            } catch (SQLException e) {
                throw new StoreException(e);
            }
            cache.put(sql, ps);
        }
        return ps;
    }

    /** How many statements that change rows the ledgers on this connection have run: a change shows an operation wrote. */
    public long writes() {
        return writes;
    }

    void wrote() {
        writes++;
    }

    String lockClause() {
        return lockClause;
    }

    public Connection connection() {
        return connection;
    }

    @Override
    public void close() {
        for (PreparedStatement ps : cache.values()) {
            try {
                ps.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
        cache.clear();
    }
}
