package dev.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.client.FakeServer.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Heartbeats, lease loss and release of permits, against a fake server. */
class PermitLeaseTest {
    private static final Duration LEASE = Duration.ofMillis(600);

    private FakeServer server;
    private Sluice sluice;
    private Semaphore pay;

    @BeforeEach
    void setUp() throws Exception {
        server = new FakeServer();
        sluice = Sluice.builder().baseUrl(server.url()).requestTimeout(Duration.ofSeconds(5)).build();
        pay = sluice.semaphore("payments");
    }

    @AfterEach
    void tearDown() {
        sluice.close();
        server.close();
    }

    private void grantsTimedPermit() {
        server.on("POST", "/v1/semaphores/payments/permits", r -> Reply.json(201,
                "{\"permitId\":\"p-1\",\"fencingToken\":5,\"channel\":\"default\",\"expiresAt\":\""
                        + Instant.now().plus(LEASE) + "\"}"));
    }

    private static Reply extended() {
        return Reply.json(200, "{\"expiresAt\":\"" + Instant.now().plus(LEASE) + "\"}");
    }

    @Test
    void heartbeatsKeepAPermitBeyondItsLeaseAndStopOnRelease() throws Exception {
        grantsTimedPermit();
        server.on("POST", "/v1/semaphores/payments/permits/p-1/heartbeat", r -> extended());
        server.on("DELETE", "/v1/semaphores/payments/permits/p-1", Reply.empty(204));

        Permit permit = pay.acquire(Duration.ofSeconds(1), AcquireOptions.defaults().withLeaseTimeout(LEASE));
        Thread.sleep(LEASE.multipliedBy(2).toMillis());

        assertThat(permit.isValid()).isTrue();
        int beats = server.requests("POST", ".*/heartbeat").size();
        assertThat(beats).isBetween(4, 9); // about every 200 ms
        assertThat(server.requests("POST", ".*/heartbeat").getFirst().body().toString())
                .isEqualTo("{\"leaseTimeout\":\"PT0.6S\"}");
        assertThat(permit.expiresAt()).get().matches(e -> e.isAfter(Instant.now()));

        permit.close();
        permit.close();
        permit.release();

        assertThat(permit.isValid()).isFalse();
        assertThat(server.requests("DELETE", ".*/permits/p-1")).hasSize(1);
        int after = server.requests("POST", ".*/heartbeat").size();
        Thread.sleep(LEASE.toMillis());
        assertThat(server.requests("POST", ".*/heartbeat")).hasSize(after);
    }

    @Test
    void a410HeartbeatMarksThePermitLostAndCallsListeners() throws Exception {
        grantsTimedPermit();
        server.on("POST", "/v1/semaphores/payments/permits/p-1/heartbeat", Reply.problem(410, "lease_expired", "expired"));
        server.on("DELETE", "/v1/semaphores/payments/permits/p-1", Reply.problem(410, "lease_expired", "expired"));
        CompletableFuture<SluiceException> lost = new CompletableFuture<>();

        Permit permit = pay.acquire(Duration.ZERO).onLost(lost::complete);

        assertThat(lost).succeedsWithin(Duration.ofSeconds(2)).isInstanceOf(LeaseExpiredException.class);
        assertThat(permit.isValid()).isFalse();
        CompletableFuture<SluiceException> late = new CompletableFuture<>();
        permit.onLost(late::complete);
        assertThat(late).succeedsWithin(Duration.ofSeconds(1)).isSameAs(lost.join());
        Thread.sleep(300);
        assertThat(server.requests("POST", ".*/heartbeat")).hasSize(1);

        permit.close(); // swallows the 410: it was reported through onLost
        assertThat(server.requests("DELETE", ".*/permits/p-1")).hasSize(1);
    }

    @Test
    void releaseReportsALostLeaseWhereCloseDoesNot() {
        server.on("POST", "/v1/semaphores/payments/permits",
                Reply.json(201, "{\"permitId\":\"p-1\",\"fencingToken\":5,\"expiresAt\":null}"));
        server.on("DELETE", "/v1/semaphores/payments/permits/p-1", Reply.problem(410, "lease_expired", "had expired"));

        Permit permit = pay.tryAcquire().orElseThrow();
        assertThatThrownBy(permit::release).isInstanceOf(LeaseExpiredException.class).hasMessage("had expired");
        permit.release(); // idempotent after a definitive answer
        permit.close();
        assertThat(server.requests("DELETE", ".*/permits/p-1")).hasSize(1);
        assertThat(permit.isValid()).isFalse();
    }

    @Test
    void aFailedReleaseCanBeRetried() {
        server.on("POST", "/v1/semaphores/payments/permits",
                Reply.json(201, "{\"permitId\":\"p-1\",\"fencingToken\":5,\"expiresAt\":null}"));
        server.on("DELETE", "/v1/semaphores/payments/permits/p-1", Reply.problem(503, "store_unavailable", "db down"));

        Permit permit = pay.tryAcquire().orElseThrow();
        assertThatThrownBy(permit::close).isInstanceOf(StoreUnavailableException.class);
        server.on("DELETE", "/v1/semaphores/payments/permits/p-1", Reply.empty(204));
        permit.close();

        assertThat(server.requests("DELETE", ".*/permits/p-1")).hasSize(2);
        assertThat(permit.isValid()).isFalse();
    }

    @Test
    void failingHeartbeatsAreRetriedUntilTheExpiryPassesThenTheLeaseIsLost() throws Exception {
        grantsTimedPermit();
        server.on("POST", "/v1/semaphores/payments/permits/p-1/heartbeat", Reply.problem(503, "store_unavailable", "db down"));
        AtomicReference<SluiceException> lost = new AtomicReference<>();
        CountDownLatch called = new CountDownLatch(1);
        long start = System.nanoTime();

        Permit permit = pay.acquire(Duration.ZERO).onLost(e -> {
            lost.set(e);
            called.countDown();
        });

        assertThat(called.await(3, TimeUnit.SECONDS)).isTrue();
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(tookMillis).isBetween(LEASE.toMillis() - 100, LEASE.toMillis() + 400);
        assertThat(permit.isValid()).isFalse();
        assertThat(lost.get()).isInstanceOf(LeaseExpiredException.class);
        assertThat(lost.get().status()).isZero();
        assertThat(lost.get().getCause()).isInstanceOf(StoreUnavailableException.class);
        assertThat(server.requests("POST", ".*/heartbeat").size()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void untimedPermitsAreNotHeartbeated() throws Exception {
        server.on("POST", "/v1/semaphores/payments/permits",
                Reply.json(201, "{\"permitId\":\"p-1\",\"fencingToken\":5,\"expiresAt\":null}"));
        server.on("DELETE", "/v1/semaphores/payments/permits/p-1", Reply.empty(204));

        try (Permit permit = pay.tryAcquire().orElseThrow()) {
            Thread.sleep(300);
            assertThat(permit.isValid()).isTrue();
            assertThat(permit.expiresAt()).isEmpty();
        }
        assertThat(server.requests("POST", ".*/heartbeat")).isEmpty();
    }

    @Test
    void aPermitGrantedAfterTheCallerGaveUpIsReleased() throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        server.on("POST", "/v1/semaphores/payments/permits", r -> {
            arrived.countDown();
            FakeServer.sleep(300);
            return Reply.json(201, "{\"permitId\":\"p-late\",\"fencingToken\":9,\"expiresAt\":null}");
        });
        server.on("DELETE", "/v1/semaphores/payments/permits/p-late", Reply.empty(204));
        AtomicReference<Throwable> thrown = new AtomicReference<>();

        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                pay.acquire(Duration.ofSeconds(10));
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        assertThat(arrived.await(2, TimeUnit.SECONDS)).isTrue();
        waiter.interrupt();
        waiter.join(2000);

        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
        await().atMost(Duration.ofSeconds(2)).until(() -> server.requests("DELETE", ".*/permits/p-late").size() == 1);
    }

    @Test
    void cancellingAnAsyncAcquireReleasesALateGrant() {
        server.on("POST", "/v1/semaphores/payments/permits", r -> {
            FakeServer.sleep(200);
            return Reply.json(201, "{\"permitId\":\"p-late\",\"fencingToken\":9,\"expiresAt\":null}");
        });
        server.on("DELETE", "/v1/semaphores/payments/permits/p-late", Reply.empty(204));

        CompletableFuture<Permit> f = pay.acquireAsync(Duration.ofSeconds(5));
        f.cancel(false);

        await().atMost(Duration.ofSeconds(2)).until(() -> server.requests("DELETE", ".*/permits/p-late").size() == 1);
    }

    @Test
    void closingTheClientReleasesHeldPermits() throws Exception {
        server.on("POST", "/v1/semaphores/payments/permits",
                Reply.json(201, "{\"permitId\":\"p-1\",\"fencingToken\":5,\"expiresAt\":null}"));
        server.on("DELETE", "/v1/semaphores/payments/permits/p-1", Reply.empty(204));

        Permit permit = pay.tryAcquire().orElseThrow();
        sluice.close();

        assertThat(server.requests("DELETE", ".*/permits/p-1")).hasSize(1);
        assertThat(permit.isValid()).isFalse();
        permit.close(); // no request, no failure
    }

    @Test
    void manyPermitsShareOneHeartbeatThread() throws Exception {
        server.on("POST", "/v1/semaphores/payments/permits", r -> Reply.json(201,
                "{\"permitId\":\"p-" + System.nanoTime() + "\",\"fencingToken\":1,\"expiresAt\":\"" + Instant.now().plus(LEASE) + "\"}"));
        server.on("POST", "/v1/semaphores/payments/permits/.*/heartbeat", r -> extended());
        server.on("DELETE", "/v1/semaphores/payments/permits/.*", Reply.empty(204));
        long before = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("sluice-heartbeats")).count();

        var permits = new java.util.ArrayList<Permit>();
        for (int i = 0; i < 50; i++) {
            permits.add(pay.acquire(Duration.ZERO, AcquireOptions.defaults().withLeaseTimeout(LEASE)));
        }
        Thread.sleep(LEASE.toMillis());

        assertThat(permits).allMatch(Permit::isValid);
        long threads = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("sluice-heartbeats")).count();
        assertThat(threads - before).isLessThanOrEqualTo(1);
        permits.forEach(Permit::close);
    }
}
