package dev.sluice.store;

import dev.sluice.store.postgres.PostgresStore;
import dev.sluice.store.postgres.PostgresUrl;
import java.nio.file.Path;

/** Opens the store a node is configured with. */
public final class Stores {
    private Stores() {}

    /**
     * The PostgreSQL store at {@code url} ({@code jdbc:postgresql://…}, {@code postgresql://…}),
     * or, when {@code url} is null, the embedded store in {@code dataDir}.
     *
     * @throws IllegalArgumentException when the URL names no store Sluice knows
     * @throws dev.sluice.store.sql.StoreException when the store cannot be opened or reached
     */
    public static Store open(String url, Path dataDir) {
        if (url == null || url.isBlank()) {
            return SqliteStore.open(dataDir);
        }
        if (PostgresUrl.matches(url)) {
            return PostgresStore.open(url);
        }
        throw new IllegalArgumentException("unsupported store URL " + url.replaceAll("(?i)(password=)[^&]*", "$1***")
                + ": expected jdbc:postgresql://host:port/db?user=… or postgresql://user@host:port/db"
                + " (or no --store for the embedded store in --data)");
    }
}
