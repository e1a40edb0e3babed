package dev.sluice.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.store.postgres.PostgresStore;
import dev.sluice.store.sql.StoreException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a client is told of a store's failure ({@link StoreException#publicReason}): the kind of
 * failure, from real failures of the real drivers, and never the driver's words (hosts, users,
 * passwords, files), which stay in the message for the server's log.
 */
class StoreFailureReasonTest {
    @TempDir
    Path dir;

    @Test
    void anUnreachablePostgresIsSaidSoWithoutItsAddressOrPassword() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();   // nothing listens there once closed
        }
        String url = "postgresql://sluice:hunter2@127.0.0.1:" + port + "/sluice";
        StoreException e = assertThrows(StoreException.class, () -> PostgresStore.open(url));
        assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
        assertEquals("the database cannot be reached", e.publicReason());
    }

    @Test
    void aPostgresThatStopsUnderTheStoreIsSaidToBeUnreachable() throws Exception {
        EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("fsync", "off").start();
        int port = pg.getPort();
        try (PostgresStore store = PostgresStore.open("postgresql://postgres@127.0.0.1:" + port + "/postgres")) {
            store.inTransaction("s", ledger -> ledger.semaphore()).join();
            pg.close();
            CompletionException thrown = assertThrows(CompletionException.class,
                    () -> store.inTransaction("s", ledger -> ledger.semaphore()).join());
            StoreException e = assertInstanceOf(StoreException.class, thrown.getCause());
            assertTrue(e.publicReason().equals("the database cannot be reached")
                    || e.publicReason().equals("the database is restarting or shutting down"), e.publicReason() + " <- " + e);
            assertFalse(e.publicReason().contains(String.valueOf(port)));
        } finally {
            pg.close();
        }
    }

    @Test
    void aDamagedFileIsSaidSoWithoutItsPath() throws Exception {
        Files.write(dir.resolve("sluice.db"), "not a database, only some text long enough to be a header".repeat(100).getBytes());
        StoreException e = assertThrows(StoreException.class, () -> SqliteStore.open(dir));
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        assertEquals("its file is damaged", e.publicReason());
        assertFalse(e.publicReason().contains(dir.toString()));
    }

    @Test
    void aClosedStoreSaysTheServerIsStopping() {
        SqliteStore store = SqliteStore.open(dir);
        store.close();
        CompletionException thrown = assertThrows(CompletionException.class,
                () -> store.inTransaction("s", ledger -> ledger.semaphore()).join());
        StoreException e = assertInstanceOf(StoreException.class, thrown.getCause());
        assertEquals("the server is stopping", e.publicReason());
    }
}
