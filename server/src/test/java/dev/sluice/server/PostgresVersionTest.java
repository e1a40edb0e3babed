package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * Which PostgreSQL the tests of this JVM run on. The build runs the PostgreSQL tests on the oldest
 * supported major version (14) and again on the newest (the {@code postgres-newest-test}
 * execution, which swaps the binaries on the class path and names the version it expects in
 * {@value #PROPERTY}): this test fails when the binaries are not the ones the run says it tests.
 */
class PostgresVersionTest {
    /** The major version an execution expects; absent: any supported one (14 or newer). */
    static final String PROPERTY = "sluice.test.postgres.major";

    @Test
    void theServerIsTheVersionThisRunTests() throws Exception {
        int major;
        try (Connection c = TestPostgres.server().getPostgresDatabase().getConnection();
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SHOW server_version_num")) {
            rs.next();
            major = Integer.parseInt(rs.getString(1)) / 10_000;
        }
        String expected = System.getProperty(PROPERTY);
        if (expected != null) {
            assertThat(major).as("the PostgreSQL this execution names").isEqualTo(Integer.parseInt(expected));
        } else {
            assertThat(major).as("the oldest PostgreSQL Sluice supports").isEqualTo(14);
        }
    }
}
