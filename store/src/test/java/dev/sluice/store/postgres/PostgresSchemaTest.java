package dev.sluice.store.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the PostgreSQL store's own migrations (db/postgresql) add to the shared schema, on a real PostgreSQL. */
class PostgresSchemaTest {

    @Test
    void theQueueTablesAreVacuumedAndAnalyzedAfterAFixedNumberOfChanges() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("fsync", "off").start()) {
            PostgresStore.open("postgresql://postgres@127.0.0.1:" + pg.getPort() + "/postgres").close();
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                for (String table : List.of("jobs", "permits")) {
                    try (ResultSet rs = s.executeQuery("SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = '" + table + "'")) {
                        assertTrue(rs.next(), table);
                        assertEquals("autovacuum_vacuum_scale_factor=0.01,autovacuum_vacuum_threshold=1000,"
                                + "autovacuum_analyze_scale_factor=0.02,autovacuum_analyze_threshold=1000", rs.getString(1), table);
                    }
                }
                try (ResultSet rs = s.executeQuery("SELECT version FROM flyway_schema_history WHERE script = 'V9_1__queue_table_autovacuum.sql'")) {
                    assertTrue(rs.next());
                    assertEquals("9.1", rs.getString(1), "numbered between the shared migrations, so a shared V10 never collides");
                }
            }
        }
    }
}
