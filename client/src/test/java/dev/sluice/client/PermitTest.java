package dev.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.server.Api;
import dev.sluice.server.TcpProxy;
import dev.sluice.server.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Permits through the SDK against a real node: try, wait in FIFO order, heartbeats, lost leases, release. */
class PermitTest {
    private static final Duration LONG = Duration.ofSeconds(30);

    @TempDir
    static Path dataDir;
    static TestServer server;

    private Sluice sluice;

    @BeforeAll
    static void startServer() {
        server = TestServer.start(dataDir);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void connect() {
        sluice = Sluice.connect("http://127.0.0.1:" + server.port());
    }

    @AfterEach
    void disconnect() {
        sluice.close();
    }

    private Semaphore newSemaphore(String prefix, int limit) {
        Semaphore s = sluice.semaphore(TestServer.name(prefix));
        s.create(limit);
        return s;
    }

    private static long inUse(Semaphore s) {
        return server.state(s.name()).get("inUse").asLong();
    }

    private static long waiting(Semaphore s) {
        return server.state(s.name()).get("waiting").asLong();
    }

    @Test
    void tryAcquireIsGrantedUpToTheLimitAndCloseReleases() {
        Semaphore s = newSemaphore("try", 2);

        Optional<Permit> a = s.tryAcquire();
        Optional<Permit> b = s.tryAcquire();
        Optional<Permit> c = s.tryAcquire();

        assertThat(a).isPresent();
        assertThat(b).isPresent();
        assertThat(c).as("the limit is 2").isEmpty();
        assertThat(b.get().fencingToken()).isGreaterThan(a.get().fencingToken());
        assertThat(a.get().semaphore()).isEqualTo(s.name());
        assertThat(a.get().channel()).isEqualTo("default");
        assertThat(a.get().expiresAt()).isPresent();
        assertThat(a.get().isValid()).isTrue();
        assertThat(inUse(s)).isEqualTo(2);

        a.get().close();
        assertThat(a.get().isValid()).isFalse();
        assertThat(inUse(s)).isEqualTo(1);
        a.get().close(); // idempotent, no second release on the server
        assertThat(inUse(s)).isEqualTo(1);

        try (Permit d = s.tryAcquire().orElseThrow()) {
            assertThat(d.fencingToken()).isGreaterThan(b.get().fencingToken());
            assertThat(inUse(s)).isEqualTo(2);
        }
        b.get().release();
        assertThat(inUse(s)).isZero();
    }

    @Test
    void acquireWaitsInTheQueueUntilAPermitFrees() {
        Semaphore s = newSemaphore("wait", 1);
        Permit holder = s.tryAcquire().orElseThrow();

        CompletableFuture<Permit> waiter = s.acquireAsync(LONG);
        await().atMost(LONG).until(() -> waiting(s) == 1);
        assertThat(waiter).isNotDone();

        holder.close();

        Permit granted = waiter.join();
        assertThat(granted.fencingToken()).isGreaterThan(holder.fencingToken());
        assertThat(inUse(s)).isEqualTo(1);
        assertThat(waiting(s)).isZero();
        granted.close();
    }

    @Test
    void anAcquireWhoseWaitElapsesThrowsAndLeavesTheQueue() {
        Semaphore s = newSemaphore("elapse", 1);
        try (Permit holder = s.tryAcquire().orElseThrow()) {
            assertThatThrownBy(() -> s.acquire(Duration.ofSeconds(1)))
                    .isInstanceOf(LimitReachedException.class)
                    .satisfies(e -> assertThat(((SluiceException) e).code()).isEqualTo(ProblemCode.LIMIT_REACHED));
            assertThat(waiting(s)).isZero();
            assertThat(holder.isValid()).isTrue();
        }
    }

    @Test
    void waitersAreGrantedInArrivalOrder() throws Exception {
        Semaphore s = newSemaphore("fifo", 1);
        Permit holder = s.tryAcquire().orElseThrow();
        List<Integer> grantOrder = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Void>> done = new ArrayList<>();

        for (int i = 0; i < 6; i++) {
            int me = i;
            // each waiter joins the queue only after the previous one is in it: arrival order is known
            done.add(s.acquireAsync(LONG).thenAccept(p -> {
                grantOrder.add(me);
                p.close(); // hands the permit on to the next waiter
            }));
            await().atMost(LONG).until(() -> waiting(s) == me + 1);
        }
        holder.close();

        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get();
        assertThat(grantOrder).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(inUse(s)).isZero();
    }

    @Test
    void aPausedSemaphoreRefusesWithPausedUntilResumed() throws Exception {
        Semaphore s = newSemaphore("paused", 5);
        s.pause();

        assertThat(s.tryAcquire()).isEmpty();
        assertThatThrownBy(() -> s.acquire(Duration.ZERO)).isInstanceOf(PausedException.class);
        assertThatThrownBy(() -> s.acquire(Duration.ofSeconds(1))).isInstanceOf(PausedException.class);

        s.resume();
        try (Permit p = s.acquire(Duration.ZERO)) {
            assertThat(p.isValid()).isTrue();
        }
    }

    @Test
    void heartbeatsKeepATwoSecondLeaseAliveForTenSeconds() {
        Semaphore s = newSemaphore("heartbeat", 1);
        Api api = server.api();
        List<SluiceException> lost = new CopyOnWriteArrayList<>();

        Permit permit = s.tryAcquire(AcquireOptions.defaults().withLeaseTimeout(Duration.ofSeconds(2))).orElseThrow();
        permit.onLost(lost::add);

        // for 10 s (five leases) the permit stays held: valid here, counted there, and nobody else gets one
        await().during(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                .until(() -> permit.isValid() && inUse(s) == 1
                        && api.post("/v1/semaphores/" + s.name() + "/permits").status() == 429);

        assertThat(lost).isEmpty();
        permit.release(); // a 410 here would mean the lease had run out in between
        assertThat(inUse(s)).isZero();
    }

    @Test
    void aLeaseLostInANetworkPartitionIsReportedAndTheServerReclaimsIt() throws Exception {
        Semaphore direct = newSemaphore("partition", 1);
        try (TcpProxy proxy = new TcpProxy(server.port());
             Sluice viaProxy = Sluice.builder().baseUrl(proxy.url()).requestTimeout(Duration.ofSeconds(2)).build()) {
            Semaphore s = viaProxy.semaphore(direct.name());
            CompletableFuture<SluiceException> lost = new CompletableFuture<>();
            Permit permit = s.tryAcquire(AcquireOptions.defaults().withLeaseTimeout(Duration.ofSeconds(2))).orElseThrow();
            permit.onLost(lost::complete);

            proxy.cut();

            assertThat(lost).succeedsWithin(LONG).isInstanceOf(LeaseExpiredException.class);
            assertThat(permit.isValid()).isFalse();
            // the server reclaims the permit on its own; another holder gets a higher fencing token
            await().atMost(LONG).until(() -> inUse(direct) == 0);
            try (Permit next = direct.tryAcquire().orElseThrow()) {
                assertThat(next.fencingToken()).isGreaterThan(permit.fencingToken());
            }

            proxy.heal();
            assertThatThrownBy(permit::release).isInstanceOf(LeaseExpiredException.class);
            permit.close(); // never throws for a lease already reported lost
        }
    }

    @Test
    void aLeaseIsLostWhenTheSemaphoreIsDeletedUnderIt() {
        Semaphore s = newSemaphore("deleted", 1);
        CompletableFuture<SluiceException> lost = new CompletableFuture<>();
        Permit permit = s.tryAcquire(AcquireOptions.defaults().withLeaseTimeout(Duration.ofSeconds(3))).orElseThrow();
        permit.onLost(lost::complete);

        sluice.semaphore(s.name()).delete(true);

        assertThat(lost).succeedsWithin(LONG).isInstanceOf(NotFoundException.class);
        assertThat(permit.isValid()).isFalse();
        permit.close();
    }

    @Test
    void aReleaseThatCouldNotBeSentIsRetriedByTheNextCall() throws Exception {
        Semaphore direct = newSemaphore("retry-release", 1);
        try (TcpProxy proxy = new TcpProxy(server.port());
             Sluice viaProxy = Sluice.builder().baseUrl(proxy.url()).requestTimeout(Duration.ofSeconds(2)).build()) {
            Permit permit = viaProxy.semaphore(direct.name()).tryAcquire().orElseThrow();

            proxy.cut();
            assertThatThrownBy(permit::close).isInstanceOf(SluiceTransportException.class);
            assertThat(permit.isValid()).as("still held: the release did not reach the server").isTrue();
            assertThat(inUse(direct)).isEqualTo(1);

            proxy.heal();
            permit.close();
            assertThat(permit.isValid()).isFalse();
            assertThat(inUse(direct)).isZero();
        }
    }

    @Test
    void aPermitGrantedAfterTheWaitingThreadWasInterruptedIsReleased() throws Exception {
        Semaphore s = newSemaphore("interrupted", 1);
        Permit holder = s.tryAcquire().orElseThrow();
        AtomicReference<Throwable> thrown = new AtomicReference<>();

        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                s.acquire(LONG);
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        await().atMost(LONG).until(() -> waiting(s) == 1);
        waiter.interrupt();
        waiter.join();
        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);

        holder.close(); // the server grants the abandoned request, and the SDK gives the permit back

        await().atMost(LONG).until(() -> inUse(s) == 0 && waiting(s) == 0);
        try (Permit next = s.tryAcquire().orElseThrow()) {
            assertThat(next.fencingToken()).as("one grant in between").isEqualTo(holder.fencingToken() + 2);
        }
    }

    @Test
    void aPermitGrantedToACancelledAsyncAcquireIsReleased() {
        Semaphore s = newSemaphore("cancelled", 1);
        Permit holder = s.tryAcquire().orElseThrow();

        CompletableFuture<Permit> f = s.acquireAsync(LONG);
        await().atMost(LONG).until(() -> waiting(s) == 1);
        f.cancel(false);
        holder.close();

        await().atMost(LONG).until(() -> inUse(s) == 0 && waiting(s) == 0);
        try (Permit next = s.tryAcquire().orElseThrow()) {
            assertThat(next.fencingToken()).isEqualTo(holder.fencingToken() + 2);
        }
    }

    @Test
    void closingTheClientReleasesThePermitsItHolds() {
        Semaphore s = newSemaphore("client-close", 5);
        List<Permit> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(s.tryAcquire().orElseThrow());
        }
        assertThat(inUse(s)).isEqualTo(3);

        sluice.close();

        assertThat(inUse(s)).isZero();
        assertThat(held).noneMatch(Permit::isValid);
        held.forEach(Permit::close); // nothing to do, no failure
    }

    @Test
    void aDetachedPermitStaysHeldUntilReleasedById() {
        Semaphore s = newSemaphore("detach", 1);
        Permit permit = s.tryAcquire().orElseThrow();

        assertThat(permit.detach()).isTrue();
        assertThat(permit.isValid()).isFalse();
        permit.close();   // does nothing once detached
        sluice.close();   // nor does closing the client
        assertThat(inUse(s)).isEqualTo(1);

        try (Sluice other = Sluice.connect("http://127.0.0.1:" + server.port())) {
            Semaphore same = other.semaphore(s.name());
            same.release(permit.permitId());
            assertThat(inUse(s)).isZero();
            same.release(permit.permitId()); // idempotent
            assertThatThrownBy(() -> same.release("p999999.nope")).isInstanceOf(NotFoundException.class);
        }
    }

    @Test
    void untimedPermitsNeverExpire() throws Exception {
        Semaphore s = sluice.semaphore(TestServer.name("untimed"));
        s.create(SemaphoreConfig.builder(1).untimed().build());
        assertThat(s.state().untimed()).isTrue();

        try (Permit p = s.acquire(Duration.ZERO)) {
            assertThat(p.expiresAt()).isEmpty();
            assertThat(p.isValid()).isTrue();
            assertThat(inUse(s)).isEqualTo(1);
        }
        assertThat(inUse(s)).isZero();
    }

    @Test
    void theClientReusesItsConnection() throws Exception {
        Semaphore direct = newSemaphore("reuse", 1);
        try (TcpProxy proxy = new TcpProxy(server.port()); Sluice viaProxy = Sluice.connect(proxy.url())) {
            Semaphore s = viaProxy.semaphore(direct.name());
            for (int i = 0; i < 30; i++) {
                s.tryAcquire().orElseThrow().close();
                s.state();
            }
            assertThat(proxy.accepted()).as("connections opened for 90 requests").isLessThanOrEqualTo(2);
        }
    }
}
