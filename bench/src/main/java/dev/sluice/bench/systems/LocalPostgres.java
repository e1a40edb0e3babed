package dev.sluice.bench.systems;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;

/**
 * A PostgreSQL server process started here, durable as a production one: every commit flushed
 * (fsync, synchronous_commit), and autovacuum woken every 5 s as docs/deploy.md advises for a
 * busy queue (the default, 1 min, leaves a fresh semaphore's rows unanalyzed for that long).
 */
final class LocalPostgres {
    private LocalPostgres() {}

    static EmbeddedPostgres start() throws IOException {
        return EmbeddedPostgres.builder()
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("fsync", "on")
                .setServerConfig("autovacuum_naptime", "5s")
                .setServerConfig("listen_addresses", "127.0.0.1")
                .start();
    }
}
