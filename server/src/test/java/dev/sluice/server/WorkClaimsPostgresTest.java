package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.store.SqliteStore;
import dev.sluice.store.WorkClaim;
import dev.sluice.store.postgres.PostgresStore;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hook for work that must run on one node at a time (webhook dispatch of a semaphore): a
 * claim held by one node is refused to every other, and passes on when given up or when its
 * node goes away.
 */
class WorkClaimsPostgresTest {
    @TempDir
    Path key;

    @Test
    void aClaimIsHeldByOneNodeAtATimeAndPassesOnWhenGivenUpOrWhenItsNodeStops() {
        String url = TestPostgres.url(key);
        try (PostgresStore a = PostgresStore.open(url); PostgresStore b = PostgresStore.open(url)) {
            Optional<WorkClaim> webhooksOfPay = a.tryClaim("webhook:pay");
            assertThat(webhooksOfPay).isPresent();
            assertThat(webhooksOfPay.get().isHeld()).isTrue();
            assertThat(b.tryClaim("webhook:pay")).as("held by a").isEmpty();
            assertThat(a.tryClaim("webhook:pay")).as("held by a, also for a's other callers").isEmpty();
            Optional<WorkClaim> other = b.tryClaim("webhook:orders");
            assertThat(other).as("another key is free").isPresent();

            webhooksOfPay.get().close();
            assertThat(webhooksOfPay.get().isHeld()).isFalse();
            Optional<WorkClaim> taken = b.tryClaim("webhook:pay");
            assertThat(taken).as("given up by a").isPresent();
            assertThat(taken.get().isHeld()).isTrue();

            Optional<WorkClaim> ofA = a.tryClaim("webhook:reports");
            assertThat(ofA).isPresent();
            a.close();   // a node that stops (or dies: its connection ends) loses its claims
            assertThat(b.tryClaim("webhook:reports")).as("a has stopped").isPresent();
        }
    }

    @Test
    void onTheEmbeddedStoreAClaimIsExclusiveWithinTheProcess() {
        try (SqliteStore store = SqliteStore.open(key.resolve("data"))) {
            WorkClaim claim = store.tryClaim("webhook:pay").orElseThrow();
            assertThat(store.tryClaim("webhook:pay")).isEmpty();
            claim.close();
            claim.close();
            assertThat(store.tryClaim("webhook:pay")).isPresent();
        }
    }
}
