package dev.sluice.server.security;

import static dev.sluice.server.Api.j;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.Api.Res;
import dev.sluice.server.ServerSettings;
import dev.sluice.server.TestPostgres;
import dev.sluice.server.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * API keys on two nodes of one PostgreSQL: a change made through node A is announced with its
 * commit, and node B, from its next request after the announcement reached it, checks keys
 * against a copy loaded since: a key revoked on A is refused on B at once, not a reload age later.
 */
class MultiNodeKeysTest {
    @TempDir
    Path tmp;

    private static ServerSettings on(String url, Path dir) {
        return ServerSettings.defaults().withPort(0).withDataDir(dir).withStoreUrl(url);
    }

    @Test
    void aKeyRevokedOnOneNodeIsRefusedOnTheOtherFromItsFirstRequestAfterTheAnnouncement() throws Exception {
        String url = TestPostgres.url(tmp);
        try (SecureNode a = SecureNode.start(on(url, tmp.resolve("a")), SecuritySettings.defaults());
             SecureNode b = SecureNode.start(on(url, tmp.resolve("b")), SecuritySettings.defaults())) {
            AtomicInteger heard = new AtomicInteger();
            AtomicLong lastHeardAt = new AtomicLong();
            // after B's key ring (added at B's start): when this runs, B's ring has taken the announcement in
            b.server.server().engine().onKeysChanged(() -> {
                lastHeardAt.set(System.nanoTime());
                heard.incrementAndGet();
            });
            String s = "/v1/semaphores/" + TestServer.name("k");
            assertThat(a.admin("PUT", s, j("{'limit':5}")).status()).isEqualTo(201);

            Res created = a.create("moves between nodes", "use:*");
            String secret = created.str("key");
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> heard.get() == 1);
            assertThat(b.call(secret, "GET", s, null).status()).as("made on A, known on B").isEqualTo(200);
            assertThat(b.call(secret, "GET", s, null).status()).isEqualTo(200);   // B's copy is fresh and holds the key

            assertThat(a.admin("DELETE", "/v1/keys/" + created.str("id"), null).status()).isEqualTo(204);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> heard.get() == 2);
            Res after = b.call(secret, "GET", s, null);
            assertThat(after.status()).as("the first request on B after the announcement: %s", after).isEqualTo(401);
            assertThat(after.code()).isEqualTo("unauthorized");
        }
    }

    /**
     * Under load on node B while the key is revoked on node A: every request B received after it
     * heard the announcement is refused, every one answered before the revocation was sent was served.
     */
    @Test
    void underLoadOnTheOtherNodeNoRequestAfterTheAnnouncementIsServed() throws Exception {
        String url = TestPostgres.url(tmp);
        try (SecureNode a = SecureNode.start(on(url, tmp.resolve("a")), SecuritySettings.defaults());
             SecureNode b = SecureNode.start(on(url, tmp.resolve("b")), SecuritySettings.defaults())) {
            AtomicInteger heard = new AtomicInteger();
            AtomicLong lastHeardAt = new AtomicLong();
            b.server.server().engine().onKeysChanged(() -> {
                lastHeardAt.set(System.nanoTime());
                heard.incrementAndGet();
            });
            String s = "/v1/semaphores/" + TestServer.name("k");
            a.admin("PUT", s, j("{'limit':5}"));
            Res created = a.create("doomed", "use:*");
            String secret = created.str("key");
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> heard.get() == 1);

            record Call(long sentAt, long answeredAt, int status) {}
            ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch warm = new CountDownLatch(8 * 5);
            try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
                for (int t = 0; t < 8; t++) {
                    pool.submit(() -> {
                        while (!stop.get()) {
                            long sent = System.nanoTime();
                            int status = b.call(secret, "GET", s, null).status();
                            calls.add(new Call(sent, System.nanoTime(), status));
                            warm.countDown();
                        }
                    });
                }
                warm.await();
                long revokeSent = System.nanoTime();
                assertThat(a.admin("DELETE", "/v1/keys/" + created.str("id"), null).status()).isEqualTo(204);
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> heard.get() == 2);
                long announced = lastHeardAt.get();
                Awaitility.await().atMost(Duration.ofSeconds(30))
                        .until(() -> calls.stream().filter(c -> c.sentAt() > announced).count() >= 40);
                stop.set(true);

                List<Call> servedAfter = calls.stream().filter(c -> c.sentAt() > announced && c.status() != 401).toList();
                assertThat(servedAfter).as("requests sent to B after it heard of the revocation, yet not refused").isEmpty();
                List<Call> refusedBefore = calls.stream().filter(c -> c.answeredAt() < revokeSent && c.status() != 200).toList();
                assertThat(refusedBefore).as("requests answered before the revocation was sent, yet not served").isEmpty();
            }
        }
    }
}
