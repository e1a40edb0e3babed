package dev.sluice.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PostgresUrlTest {

    @Test
    void aJdbcUrlGoesToTheDriverAsWrittenLessSluicesOwnParameters() {
        PostgresUrl u = PostgresUrl.parse("jdbc:postgresql://db:5433/sluice?user=s&password=pw&poolSize=20&sslmode=require");
        assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5433/sluice?user=s&password=pw&sslmode=require");
        assertThat(u.poolSize()).isEqualTo(20);
        assertThat(u.user()).isNull();
        assertThat(u.display()).contains("password=***").doesNotContain("pw");
    }

    @Test
    void aLibpqUriBecomesAJdbcUrlWithTheUserInfoKeptApart() {
        PostgresUrl u = PostgresUrl.parse("postgresql://sluice:p%40ss@db1:5432,db2:5432/prod?sslmode=verify-full");
        assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://db1:5432,db2:5432/prod?sslmode=verify-full");
        assertThat(u.user()).isEqualTo("sluice");
        assertThat(u.password()).isEqualTo("p@ss");
        assertThat(u.poolSize()).isEqualTo(PostgresUrl.DEFAULT_POOL_SIZE);
        assertThat(u.display()).isEqualTo("postgresql://sluice:***@db1:5432,db2:5432/prod?sslmode=verify-full");
        assertThat(PostgresUrl.parse("postgres://localhost/x").jdbcUrl()).isEqualTo("jdbc:postgresql://localhost/x");
        assertThat(PostgresUrl.parse("postgres:///x").jdbcUrl()).isEqualTo("jdbc:postgresql://localhost/x");
    }

    @Test
    void badUrlsAreRefusedWithAReason() {
        assertThatThrownBy(() -> PostgresUrl.parse("mysql://db/x")).hasMessageContaining("not a PostgreSQL URL");
        assertThatThrownBy(() -> PostgresUrl.parse("postgresql://db/x?poolSize=0")).hasMessageContaining("poolSize must be 1");
        assertThatThrownBy(() -> PostgresUrl.parse("postgresql://db/x?poolSize=lots")).hasMessageContaining("poolSize must be 1");
    }

    @Test
    void announcementsArePackedIntoPayloadsUnderPostgresLimit() {
        String big = "x".repeat(3000);
        var payloads = NodeLink.pack("n1", java.util.List.of(big, big, big, "small"));
        assertThat(payloads).hasSize(2);
        assertThat(payloads).allSatisfy(p -> {
            assertThat(p.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThan(8000);
            assertThat(p).startsWith("n1\n");
        });
        assertThat(String.join("\n", payloads).split("\n")).filteredOn(l -> !l.equals("n1")).hasSize(4);
    }
}
