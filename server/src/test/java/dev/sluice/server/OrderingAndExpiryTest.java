package dev.sluice.server;

import static dev.sluice.server.Api.j;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.Api.Res;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** G4 (FIFO grants, per channel too) and G3 (eager reclaim of expired leases, grants on expiry). */
class OrderingAndExpiryTest {
    @TempDir
    static Path dataDir;
    static TestServer server;
    static Api api;

    @BeforeAll
    static void start() {
        server = TestServer.start(dataDir);
        api = server.api();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String permits(String name) {
        return "/v1/semaphores/" + name + "/permits";
    }

    /** Starts a waiting acquire and returns once the server has queued it. */
    private static CompletableFuture<Res> queueWaiter(String name, String channel, int waitingAfter) {
        CompletableFuture<Res> f = api.sendAsync("POST", permits(name), j("{'channel':'" + channel + "','wait':'PT30S'}"));
        server.awaitState(name, "waiting", waitingAfter);
        return f;
    }

    private static Res granted(CompletableFuture<Res> f) throws Exception {
        Res r = f.get(10, TimeUnit.SECONDS);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r;
    }

    private static void release(String name, Res permit) {
        assertThat(api.delete(permits(name) + "/" + permit.str("permitId")).status()).isEqualTo(204);
    }

    @Test
    void waitersAreGrantedInArrivalOrder() throws Exception {
        String name = server.semaphore("fifo", "{'limit':1}");
        Res holder = api.post(permits(name));
        int n = 6;
        List<CompletableFuture<Res>> waiters = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            waiters.add(queueWaiter(name, "default", i + 1));
        }
        long lastToken = holder.num("fencingToken");
        for (int i = 0; i < n; i++) {
            release(name, holder);
            holder = granted(waiters.get(i));
            for (int later = i + 1; later < n; later++) {
                assertThat(waiters.get(later)).as("waiter %d granted before waiter %d", later, i).isNotDone();
            }
            assertThat(holder.num("fencingToken")).isGreaterThan(lastToken);
            lastToken = holder.num("fencingToken");
            assertThat(server.state(name).get("waiting").asInt()).isEqualTo(n - i - 1);
        }
        release(name, holder);
        assertThat(server.state(name).get("inUse").asInt()).isZero();
    }

    @Test
    void jobsAndWaitersShareOneQueue() throws Exception {
        String name = server.semaphore("shared", "{'limit':1}");
        Res holder = api.post(permits(name));
        CompletableFuture<Res> first = queueWaiter(name, "default", 1);
        Res job = api.post("/v1/semaphores/" + name + "/jobs", j("{'payload':'between'}"));
        assertThat(job.num("position")).isEqualTo(2);
        CompletableFuture<Res> last = queueWaiter(name, "default", 3);

        release(name, holder);
        Res firstPermit = granted(first);
        release(name, firstPermit);
        // the job is next: its unit is set aside for it, the waiter behind it keeps waiting
        assertThat(last).isNotDone();
        Res claimed = api.post("/v1/semaphores/" + name + "/jobs/claim");
        assertThat(claimed.json().get("jobs").get(0).get("jobId").asString()).isEqualTo(job.str("jobId"));
        assertThat(last).isNotDone();
        assertThat(api.post("/v1/semaphores/" + name + "/jobs/" + job.str("jobId") + "/complete").status()).isEqualTo(204);
        release(name, granted(last));
    }

    @Test
    void perChannelFifoWithOtherChannelsPassingAFullOne() throws Exception {
        String name = server.semaphore("chfifo", "{'limit':2,'channelLimit':1}");
        Res x = api.post(permits(name), j("{'channel':'x'}"));
        Res y = api.post(permits(name), j("{'channel':'y'}"));
        CompletableFuture<Res> x1 = queueWaiter(name, "x", 1);
        CompletableFuture<Res> x2 = queueWaiter(name, "x", 2);
        CompletableFuture<Res> y1 = queueWaiter(name, "y", 3);

        release(name, y);   // channel x is full: y1, the oldest eligible entry, goes first
        Res y1p = granted(y1);
        assertThat(x1).isNotDone();
        assertThat(x2).isNotDone();

        release(name, x);
        Res x1p = granted(x1);
        assertThat(x2).isNotDone();
        release(name, y1p);   // frees a unit of channel y: x2 still cannot pass x1's channel limit
        assertThat(x2).isNotDone();
        release(name, x1p);
        release(name, granted(x2));
        assertThat(server.state(name).get("inUse").asInt()).isZero();
    }

    @Test
    void anExpiredLeaseIsReclaimedWithoutAnyRequest() {
        String name = server.semaphore("reclaim", "{'limit':2}");
        Res p = api.post(permits(name), j("{'leaseTimeout':'PT1S'}"));
        assertThat(p.status()).isEqualTo(201);
        assertThat(server.state(name).get("inUse").asInt()).isEqualTo(1);
        server.awaitState(name, "inUse", 0);
        Res late = api.delete(permits(name) + "/" + p.str("permitId"));
        assertThat(late.status()).isEqualTo(410);
        assertThat(late.code()).isEqualTo("lease_expired");
    }

    @Test
    void aSemaphoreLeaseTimeoutAppliesAndExpires() {
        String name = server.semaphore("semlease", "{'limit':1,'leaseTimeout':'PT1S'}");
        Res p = api.post(permits(name));
        assertThat(p.status()).isEqualTo(201);
        server.awaitState(name, "inUse", 0);
        assertThat(api.post(permits(name)).status()).isEqualTo(201);
    }

    @Test
    void anExpiryGrantsAWaitingAcquire() throws Exception {
        String name = server.semaphore("expirygrant", "{'limit':1}");
        Res p = api.post(permits(name), j("{'leaseTimeout':'PT1S'}"));
        long t0 = System.nanoTime();
        CompletableFuture<Res> waiter = queueWaiter(name, "default", 1);
        Res granted = granted(waiter);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        assertThat(granted.num("fencingToken")).isGreaterThan(p.num("fencingToken"));
        assertThat(server.state(name).get("inUse").asInt()).isEqualTo(1);
        assertThat(server.state(name).get("waiting").asInt()).isZero();
        assertThat(api.delete(permits(name) + "/" + p.str("permitId")).status()).isEqualTo(410);
        release(name, granted);
    }

    @Test
    void aHeartbeatKeepsTheLeaseAlive() {
        String name = server.semaphore("keepalive", "{'limit':1}");
        Res p = api.post(permits(name), j("{'leaseTimeout':'PT1S'}"));
        long end = System.nanoTime() + Duration.ofMillis(2500).toNanos();
        // a heartbeat every 250 ms, for 2.5 leases: the permit stays held throughout
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250)).until(() -> {
            Res hb = api.post(permits(name) + "/" + p.str("permitId") + "/heartbeat");
            assertThat(hb.status()).as(hb.toString()).isEqualTo(200);
            assertThat(server.state(name).get("inUse").asInt()).isEqualTo(1);
            return System.nanoTime() > end;
        });
        release(name, p);
    }
}
