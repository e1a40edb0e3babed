package dev.sluice.server;

import static dev.sluice.server.Api.j;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.Api.Res;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SPEC §3, the permit rows: try, wait, heartbeat, release. */
class PermitApiTest {
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

    @Test
    void tryIsGrantedThenRefusedAtTheLimit() {
        String name = server.semaphore("try", "{'limit':2}");
        Res first = api.post(permits(name));
        assertThat(first.status()).isEqualTo(201);
        assertThat(first.str("permitId")).isNotBlank();
        assertThat(first.num("fencingToken")).isEqualTo(1);
        assertThat(first.str("channel")).isEqualTo("default");
        assertThat(Instant.parse(first.str("expiresAt"))).isAfter(Instant.now().plusSeconds(200));

        Res second = api.post(permits(name), j("{'channel':'east','leaseTimeout':'PT30S'}"));
        assertThat(second.status()).isEqualTo(201);
        assertThat(second.num("fencingToken")).isEqualTo(2);
        assertThat(second.str("channel")).isEqualTo("east");
        assertThat(Instant.parse(second.str("expiresAt"))).isBefore(Instant.now().plusSeconds(31));

        Res third = api.post(permits(name), j("{'wait':'PT0S'}"));
        assertThat(third.status()).isEqualTo(429);
        assertThat(third.code()).isEqualTo("limit_reached");
        assertThat(third.json().get("status").asInt()).isEqualTo(429);
        assertThat(third.contentType()).startsWith("application/problem+json");
        assertThat(third.headers().firstValue("Retry-After")).isPresent();
        assertThat(server.state(name).get("inUse").asInt()).isEqualTo(2);
        assertThat(server.state(name).get("waiting").asInt()).isZero();
    }

    @Test
    void waitIsGrantedWhenAnotherReleases() {
        String name = server.semaphore("wait", "{'limit':1}");
        Res held = api.post(permits(name));
        assertThat(held.status()).isEqualTo(201);

        long t0 = System.nanoTime();
        CompletableFuture<Res> waiter = api.sendAsync("POST", permits(name), j("{'wait':'PT20S'}"));
        server.awaitState(name, "waiting", 1);
        assertThat(waiter).isNotDone();

        assertThat(api.delete(permits(name) + "/" + held.str("permitId")).status()).isEqualTo(204);
        Res granted = waiter.join();
        assertThat(granted.status()).isEqualTo(201);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
        assertThat(granted.num("fencingToken")).isGreaterThan(held.num("fencingToken"));
        assertThat(server.state(name).get("inUse").asInt()).isEqualTo(1);
        assertThat(server.state(name).get("waiting").asInt()).isZero();
    }

    @Test
    void waitWithFreeCapacityIsGrantedAtOnce() {
        String name = server.semaphore("waitfree", "{'limit':1}");
        Res r = api.post(permits(name), j("{'wait':'5s'}"));
        assertThat(r.status()).isEqualTo(201);
    }

    @Test
    void waitThatElapsesIsRefusedAndLeavesTheQueue() {
        String name = server.semaphore("elapse", "{'limit':1}");
        assertThat(api.post(permits(name)).status()).isEqualTo(201);
        long t0 = System.nanoTime();
        CompletableFuture<Res> waiter = api.sendAsync("POST", permits(name), j("{'wait':'PT1S'}"));
        server.awaitState(name, "waiting", 1);
        Res refused = waiter.join();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.code()).isEqualTo("limit_reached");
        assertThat(server.state(name).get("waiting").asInt()).isZero();
        assertThat(server.state(name).get("inUse").asInt()).isEqualTo(1);
    }

    @Test
    void heartbeatExtendsTheLease() {
        String name = server.semaphore("hb", "{'limit':1}");
        Res p = api.post(permits(name), j("{'leaseTimeout':'PT10S'}"));
        Instant before = Instant.parse(p.str("expiresAt"));
        Res hb = api.post(permits(name) + "/" + p.str("permitId") + "/heartbeat", j("{'leaseTimeout':'PT60S'}"));
        assertThat(hb.status()).isEqualTo(200);
        Instant after = Instant.parse(hb.str("expiresAt"));
        assertThat(after).isAfter(before.plusSeconds(40));
        // without a body: the lease it has now (PT60S) again, from now
        Res again = api.post(permits(name) + "/" + p.str("permitId") + "/heartbeat");
        assertThat(again.status()).isEqualTo(200);
        assertThat(Instant.parse(again.str("expiresAt"))).isAfterOrEqualTo(after);
    }

    @Test
    void heartbeatOfAnUnknownPermitIs404() {
        String name = server.semaphore("hb404", "{'limit':1}");
        Res r = api.post(permits(name) + "/p42.0123456789abcdef/heartbeat");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.code()).isEqualTo("not_found");
    }

    @Test
    void releaseIsIdempotent() {
        String name = server.semaphore("rel", "{'limit':1}");
        Res p = api.post(permits(name));
        String release = permits(name) + "/" + p.str("permitId");
        assertThat(api.delete(release).status()).isEqualTo(204);
        assertThat(server.state(name).get("inUse").asInt()).isZero();
        assertThat(api.delete(release).status()).isEqualTo(204);
        assertThat(api.delete(release).status()).isEqualTo(204);
        assertThat(server.state(name).get("inUse").asInt()).isZero();
        // one unit came back, not more
        assertThat(api.post(permits(name)).status()).isEqualTo(201);
        assertThat(api.post(permits(name)).status()).isEqualTo(429);
        // a released permit cannot be heartbeaten back to life
        assertThat(api.post(release + "/heartbeat").status()).isEqualTo(404);
    }

    @Test
    void releaseAfterExpiryIsGone() {
        String name = server.semaphore("expired", "{'limit':1}");
        Res p = api.post(permits(name), j("{'leaseTimeout':'PT1S'}"));
        assertThat(p.status()).isEqualTo(201);
        server.awaitState(name, "inUse", 0);
        Res hb = api.post(permits(name) + "/" + p.str("permitId") + "/heartbeat");
        assertThat(hb.status()).isEqualTo(410);
        assertThat(hb.code()).isEqualTo("lease_expired");
        Res r = api.delete(permits(name) + "/" + p.str("permitId"));
        assertThat(r.status()).isEqualTo(410);
        assertThat(r.code()).isEqualTo("lease_expired");
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(api.delete(permits(name) + "/" + p.str("permitId")).status()).isEqualTo(410);
        assertThat(server.state(name).get("inUse").asInt()).isZero();
    }

    @Test
    void releaseOfAnUnknownPermitIs404() {
        String name = server.semaphore("rel404", "{'limit':1}");
        for (String id : new String[] {"p999.0123456789abcdef", "nonsense", "p1.0123456789abcdef"}) {
            Res r = api.delete(permits(name) + "/" + id);
            assertThat(r.status()).as(id).isEqualTo(404);
            assertThat(r.code()).isEqualTo("not_found");
        }
        // a permit id of another semaphore is unknown here
        String other = server.semaphore("rel404other", "{'limit':1}");
        Res p = api.post(permits(other));
        assertThat(api.delete(permits(name) + "/" + p.str("permitId")).status()).isEqualTo(404);
        assertThat(server.state(other).get("inUse").asInt()).isEqualTo(1);
        assertThat(api.delete(permits(TestServer.name("nobody")) + "/" + p.str("permitId")).status()).isEqualTo(404);
    }

    @Test
    void aJobsPermitIsReleasedThroughTheJob() {
        String name = server.semaphore("jobpermit", "{'limit':1}");
        Res job = api.post("/v1/semaphores/" + name + "/jobs", j("{'payload':1}"));
        String permitId = api.post("/v1/semaphores/" + name + "/jobs/claim").json().get("jobs").get(0).get("permitId").asString();
        Res r = api.delete(permits(name) + "/" + permitId);
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.code()).isEqualTo("conflict");
        assertThat(server.state(name).get("inUse").asInt()).isEqualTo(1);
        assertThat(api.post("/v1/semaphores/" + name + "/jobs/" + job.str("jobId") + "/complete").status()).isEqualTo(204);
        assertThat(api.delete(permits(name) + "/" + permitId).status()).isEqualTo(204);
        assertThat(server.state(name).get("inUse").asInt()).isZero();
    }

    @Test
    void aTryDoesNotJumpTheQueue() {
        String name = server.semaphore("nojump", "{'limit':1}");
        Res held = api.post(permits(name));
        CompletableFuture<Res> waiter = api.sendAsync("POST", permits(name), j("{'wait':'PT20S'}"));
        server.awaitState(name, "waiting", 1);
        assertThat(api.delete(permits(name) + "/" + held.str("permitId")).status()).isEqualTo(204);
        // the freed unit went to the waiter, so a try that comes now is refused
        assertThat(api.post(permits(name)).status()).isEqualTo(429);
        assertThat(waiter.join().status()).isEqualTo(201);
    }
}
