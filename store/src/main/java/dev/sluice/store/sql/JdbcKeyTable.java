package dev.sluice.store.sql;

import dev.sluice.core.access.ApiKey;
import dev.sluice.core.access.Scope;
import dev.sluice.store.KeyTable;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** {@link KeyTable} in SQL common to SQLite and PostgreSQL. Scopes are kept space-separated. */
public final class JdbcKeyTable implements KeyTable {
    private final Statements sql;

    public JdbcKeyTable(Statements sql) {
        this.sql = sql;
    }

    @Override
    public List<ApiKey> all() {
        return JdbcLedger.list(sql.prepare("SELECT id, name, secret_hash, scopes, created_at FROM api_keys ORDER BY created_at, id"),
                JdbcKeyTable::keyOf);
    }

    private static ApiKey keyOf(ResultSet rs) throws SQLException {
        List<Scope> scopes = Arrays.stream(rs.getString(4).split(" ")).map(Scope::parse).toList();
        return new ApiKey(rs.getString(1), rs.getString(2), rs.getString(3), scopes, Instant.ofEpochMilli(rs.getLong(5)));
    }

    @Override
    public void insert(ApiKey key) {
        JdbcLedger.update(sql.prepare("INSERT INTO api_keys (id, name, secret_hash, scopes, created_at) VALUES (?, ?, ?, ?, ?)"),
                key.id(), key.name(), key.secretHash(),
                key.scopes().stream().map(Scope::toString).collect(Collectors.joining(" ")), key.createdAt().toEpochMilli());
    }

    @Override
    public boolean delete(String id) {
        return JdbcLedger.update(sql.prepare("DELETE FROM api_keys WHERE id = ?"), id) > 0;
    }
}
