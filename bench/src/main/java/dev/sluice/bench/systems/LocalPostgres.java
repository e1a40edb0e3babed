package dev.sluice.bench.systems;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;

/** A PostgreSQL server process started here, durable as a production one: every commit flushed (fsync, synchronous_commit). */
final class LocalPostgres {
    private LocalPostgres() {}

    static EmbeddedPostgres start() throws IOException {
        return EmbeddedPostgres.builder()
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("fsync", "on")
                .setServerConfig("listen_addresses", "127.0.0.1")
                .start();
    }
}
