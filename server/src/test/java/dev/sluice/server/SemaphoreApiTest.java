package dev.sluice.server;

import static dev.sluice.server.Api.j;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.Api.Res;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** SPEC §3, the semaphore rows: create, replace, patch, read, list, delete, pause and resume. */
class SemaphoreApiTest {
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

    private static String path(String name) {
        return "/v1/semaphores/" + name;
    }

    @Test
    void putCreatesThen_replaces() {
        String name = TestServer.name("put");
        Res created = api.put(path(name), j("{'limit':5}"));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.contentType()).startsWith("application/json");
        JsonNode v = created.json();
        assertThat(v.get("name").asString()).isEqualTo(name);
        assertThat(v.get("limit").asInt()).isEqualTo(5);
        assertThat(v.get("channelLimit").isNull()).isTrue();
        assertThat(v.get("leaseTimeout").asString()).isEqualTo("PT5M");
        assertThat(v.get("paused").asBoolean()).isFalse();
        assertThat(v.get("delivery").get("mode").asString()).isEqualTo("pull");
        assertThat(v.get("retry").get("maxAttempts").asInt()).isPositive();
        assertThat(v.get("onLeaseExpired").asString()).isEqualTo("retry");
        JsonNode state = v.get("state");
        assertThat(state.get("inUse").asInt()).isZero();
        assertThat(state.get("waiting").asInt()).isZero();
        assertThat(state.get("inflight").asInt()).isZero();
        assertThat(state.get("dead").asInt()).isZero();
        assertThat(state.get("pausedChannels").isArray()).isTrue();

        Res replaced = api.put(path(name), j("{'limit':7,'channelLimit':2,'leaseTimeout':'30s','retry':{'maxAttempts':3}}"));
        assertThat(replaced.status()).isEqualTo(200);
        assertThat(replaced.json().get("limit").asInt()).isEqualTo(7);
        assertThat(replaced.json().get("channelLimit").asInt()).isEqualTo(2);
        assertThat(replaced.json().get("leaseTimeout").asString()).isEqualTo("PT30S");
        assertThat(replaced.json().get("retry").get("maxAttempts").asInt()).isEqualTo(3);

        // a replace is a replace: what is left out returns to its default
        Res again = api.put(path(name), j("{'limit':7}"));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("channelLimit").isNull()).isTrue();
        assertThat(again.json().get("leaseTimeout").asString()).isEqualTo("PT5M");
    }

    @Test
    void aDryRunOfPutSaysWhatWouldChangeAndWritesNothing() {
        String name = TestServer.name("dry");
        String hook = "'delivery':{'mode':'webhook','url':'https://processor.example.com/sluice','secret':'%s'}";
        String body = "{'limit':2," + hook.formatted("the-first-secret-0123") + "}";

        Res create = api.put(path(name) + "?dryRun=true", j(body));
        assertThat(create.status()).isEqualTo(200);
        assertThat(create.str("action")).isEqualTo("create");
        assertThat(api.get(path(name)).status()).as("nothing was created").isEqualTo(404);
        assertThat(api.put(path(name) + "?dryRun=true", j("{'limit':-1}")).status()).as("validated as a PUT").isEqualTo(400);
        assertThat(api.put(path(name) + "?dryRun=true", j("{'limit':1,'retry':{'onExhausted':{'forward':'" + name + "'}}}")).status())
                .isEqualTo(400);

        assertThat(api.put(path(name), j(body)).status()).isEqualTo(201);
        String updatedAt = api.get(path(name)).str("updatedAt");

        Res same = api.put(path(name) + "?dryRun=true", j(body));
        assertThat(same.str("action")).as(same.toString()).isEqualTo("none");
        assertThat(same.json().get("changes")).isEmpty();

        Res rotate = api.put(path(name) + "?dryRun=true", j("{'limit':3," + hook.formatted("the-other-secret-0123") + "}"));
        assertThat(rotate.str("action")).isEqualTo("update");
        assertThat(rotate.json().get("changes").valueStream().map(n -> n.asString())).containsExactly("limit", "delivery.secret");
        assertThat(rotate.text()).doesNotContain("the-first-secret-0123").doesNotContain("the-other-secret-0123");

        Res noSecret = api.put(path(name) + "?dryRun=true", j("{'limit':2,'delivery':{'mode':'webhook','url':'https://processor.example.com/sluice'}}"));
        assertThat(noSecret.str("action")).as("no secret declared: the current one is kept").isEqualTo("none");

        assertThat(api.get(path(name)).str("updatedAt")).as("no dry run wrote anything").isEqualTo(updatedAt);
        assertThat(api.get(path(name)).json().get("limit").asInt()).isEqualTo(2);
        assertThat(api.put(path(name), j("{'limit':2," + hook.formatted("the-other-secret-0123") + "}")).status()).isEqualTo(200);
        assertThat(api.put(path(name) + "?dryRun=true", j("{'limit':2," + hook.formatted("the-other-secret-0123") + "}")).str("action"))
                .as("after the rotation, the new secret is the current one").isEqualTo("none");
    }

    @Test
    void putWithUntimedLeases() {
        String name = server.semaphore("untimed", "{'limit':1,'leaseTimeout':null}");
        assertThat(api.get(path(name)).json().get("leaseTimeout").isNull()).isTrue();
        Res permit = api.post(path(name) + "/permits");
        assertThat(permit.status()).isEqualTo(201);
        assertThat(permit.json().get("expiresAt").isNull()).isTrue();
    }

    @Test
    void patchMergesIntoTheConfig() {
        String name = server.semaphore("patch", "{'limit':5,'channelLimit':3,'retry':{'maxAttempts':4,'initialBackoff':'PT2S'}}");
        Res r = api.patch(path(name), j("{'limit':20}"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("limit").asInt()).isEqualTo(20);
        assertThat(r.json().get("channelLimit").asInt()).isEqualTo(3);
        assertThat(r.json().get("leaseTimeout").asString()).isEqualTo("PT5M");

        r = api.patch(path(name), j("{'retry':{'maxAttempts':9}}"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("retry").get("maxAttempts").asInt()).isEqualTo(9);
        assertThat(r.json().get("retry").get("initialBackoff").asString()).isEqualTo("PT2S");

        r = api.patch(path(name), j("{'leaseTimeout':null}"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("leaseTimeout").isNull()).isTrue();
        assertThat(r.json().get("limit").asInt()).isEqualTo(20);
        // untimed survives a later patch of something else, and the GET agrees
        r = api.patch(path(name), j("{'channelLimit':null}"));
        assertThat(r.json().get("channelLimit").isNull()).isTrue();
        JsonNode got = api.get(path(name)).json();
        assertThat(got.get("leaseTimeout").isNull()).isTrue();
        assertThat(got.get("limit").asInt()).isEqualTo(20);
        Res permit = api.post(path(name) + "/permits");
        assertThat(permit.status()).isEqualTo(201);
        assertThat(permit.json().get("expiresAt").isNull()).isTrue();
    }

    @Test
    void patchOfAnUnknownSemaphoreIs404() {
        Res r = api.patch(path(TestServer.name("nobody")), j("{'limit':20}"));
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.code()).isEqualTo("not_found");
    }

    @Test
    void raisingTheLimitGrantsWaitingWorkAtOnce() {
        String name = server.semaphore("raise", "{'limit':0}");
        CompletableFuture<Res> waiter = api.sendAsync("POST", path(name) + "/permits", j("{'wait':'PT10S'}"));
        server.awaitState(name, "waiting", 1);
        assertThat(api.patch(path(name), j("{'limit':1}")).status()).isEqualTo(200);
        Res granted = waiter.join();
        assertThat(granted.status()).isEqualTo(201);
        assertThat(server.state(name).get("inUse").asInt()).isEqualTo(1);
    }

    @Test
    void getOfAnUnknownSemaphoreIs404() {
        Res r = api.get(path(TestServer.name("nobody")));
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.code()).isEqualTo("not_found");
        assertThat(r.contentType()).startsWith("application/problem+json");
    }

    @Test
    void listPagesWithLimitAndCursor() {
        List<String> mine = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            mine.add(server.semaphore("list", "{'limit':1}"));
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Res page = api.get("/v1/semaphores?limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(page.status()).isEqualTo(200);
            JsonNode items = page.json().get("items");
            assertThat(items.size()).isBetween(1, 2);
            for (JsonNode item : items) {
                seen.add(item.get("name").asString());
                assertThat(item.get("state").get("inUse").isNumber()).isTrue();
            }
            JsonNode next = page.json().get("nextCursor");
            assertThat(next).isNotNull();
            cursor = next.isNull() ? null : next.asString();
            if (cursor != null) {
                assertThat(items.size()).isEqualTo(2);
            }
            pages++;
        } while (cursor != null && pages < 1000);
        assertThat(seen).doesNotHaveDuplicates().isSorted().containsAll(mine);
        // the default page holds them all, in the same order
        Res all = api.get("/v1/semaphores");
        List<String> allNames = new ArrayList<>();
        all.json().get("items").forEach(n -> allNames.add(n.get("name").asString()));
        assertThat(allNames).isEqualTo(seen);
        assertThat(all.json().get("nextCursor").isNull()).isTrue();
    }

    @Test
    void deleteIsRefusedWhileHeldThenForcedThenGone() {
        String name = server.semaphore("del", "{'limit':2}");
        Res permit = api.post(path(name) + "/permits");
        assertThat(permit.status()).isEqualTo(201);

        Res refused = api.delete(path(name));
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.code()).isEqualTo("conflict");
        assertThat(api.get(path(name)).status()).isEqualTo(200);

        Res forced = api.delete(path(name) + "?force=true");
        assertThat(forced.status()).isEqualTo(204);
        assertThat(api.get(path(name)).status()).isEqualTo(404);
        assertThat(api.delete(path(name)).status()).isEqualTo(404);
        assertThat(api.post(path(name) + "/permits").status()).isEqualTo(404);
    }

    @Test
    void deleteIsRefusedWhileJobsWait() {
        String name = server.semaphore("delq", "{'limit':0}");
        assertThat(api.post(path(name) + "/jobs", j("{'payload':1}")).status()).isEqualTo(202);
        assertThat(api.delete(path(name)).status()).isEqualTo(409);
        assertThat(api.delete(path(name) + "?force=true").status()).isEqualTo(204);
        assertThat(api.get(path(name)).status()).isEqualTo(404);
    }

    @Test
    void deleteOfAnIdleSemaphore() {
        String name = server.semaphore("delidle", "{'limit':2}");
        Res p = api.post(path(name) + "/permits");
        assertThat(api.delete(path(name) + "/permits/" + p.str("permitId")).status()).isEqualTo(204);
        assertThat(api.delete(path(name)).status()).isEqualTo(204);
        assertThat(api.get(path(name)).status()).isEqualTo(404);
        // the name can be used again, afresh
        assertThat(api.put(path(name), j("{'limit':2}")).status()).isEqualTo(201);
        assertThat(server.state(name).get("inUse").asInt()).isZero();
    }

    @Test
    void pauseStopsGrantingAndResumeGrantsWaiters() {
        String name = server.semaphore("pause", "{'limit':3}");
        Res paused = api.post(path(name) + "/pause");
        assertThat(paused.status()).isEqualTo(200);
        assertThat(paused.json().get("paused").asBoolean()).isTrue();

        Res tried = api.post(path(name) + "/permits");
        assertThat(tried.status()).isEqualTo(429);
        assertThat(tried.code()).isEqualTo("paused");

        // ingress goes on: jobs are accepted, waiters queue
        assertThat(api.post(path(name) + "/jobs", j("{'payload':{'n':1}}")).status()).isEqualTo(202);
        CompletableFuture<Res> waiter = api.sendAsync("POST", path(name) + "/permits", j("{'wait':'PT10S'}"));
        server.awaitState(name, "waiting", 2);
        assertThat(waiter).isNotDone();
        assertThat(api.post(path(name) + "/jobs/claim").json().get("jobs").size()).isZero();

        Res resumed = api.post(path(name) + "/resume");
        assertThat(resumed.status()).isEqualTo(200);
        assertThat(resumed.json().get("paused").asBoolean()).isFalse();
        Res granted = waiter.join();
        assertThat(granted.status()).isEqualTo(201);
        assertThat(api.post(path(name) + "/jobs/claim").json().get("jobs").size()).isEqualTo(1);
        assertThat(api.post(path(name) + "/permits").status()).isEqualTo(201);
    }

    @Test
    void pauseAndResumeOneChannel() {
        String name = server.semaphore("pausech", "{'limit':3}");
        Res paused = api.post(path(name) + "/pause", j("{'channel':'c1'}"));
        assertThat(paused.status()).isEqualTo(200);
        assertThat(paused.json().get("paused").asBoolean()).isFalse();
        assertThat(paused.json().get("state").get("pausedChannels").toString()).isEqualTo("[\"c1\"]");

        Res tried = api.post(path(name) + "/permits", j("{'channel':'c1'}"));
        assertThat(tried.status()).isEqualTo(429);
        assertThat(tried.code()).isEqualTo("paused");
        assertThat(api.post(path(name) + "/permits", j("{'channel':'c2'}")).status()).isEqualTo(201);
        assertThat(api.post(path(name) + "/permits").status()).isEqualTo(201);

        CompletableFuture<Res> waiter = api.sendAsync("POST", path(name) + "/permits", j("{'channel':'c1','wait':'PT10S'}"));
        server.awaitState(name, "waiting", 1);
        assertThat(waiter).isNotDone();

        Res resumed = api.post(path(name) + "/resume", j("{'channel':'c1'}"));
        assertThat(resumed.status()).isEqualTo(200);
        assertThat(resumed.json().get("state").get("pausedChannels").size()).isZero();
        Res granted = waiter.join();
        assertThat(granted.status()).isEqualTo(201);
        assertThat(granted.json().get("channel").asString()).isEqualTo("c1");
        assertThat(server.state(name).get("inUse").asInt()).isEqualTo(3);
    }

    @Test
    void waitOnAPausedSemaphoreElapsesAsPaused() {
        String name = server.semaphore("pausewait", "{'limit':3,'paused':true}");
        long t0 = System.nanoTime();
        Res r = api.post(path(name) + "/permits", j("{'wait':'PT1S'}"));
        assertThat(r.status()).isEqualTo(429);
        assertThat(r.code()).isEqualTo("paused");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        assertThat(server.state(name).get("waiting").asInt()).isZero();
    }

    /**
     * The timekeeper takes an elapsed waiter out at its deadline, a moment before the request's
     * own timer ends the wait: the answer must still say paused, not limit_reached.
     */
    @Test
    void waitOnAPausedGateElapsesAsPausedWhenTheTimerTakesTheWaiterOut() {
        String name = server.semaphore("pausetimer", "{'limit':3,'paused':true}");
        String other = server.semaphore("pausetimer-wake", "{'limit':3}");
        String channelPaused = server.semaphore("pausetimer-ch", "{'limit':3}");
        assertThat(api.post(path(channelPaused) + "/pause", j("{'channel':'c1'}")).status()).isEqualTo(200);

        CompletableFuture<Res> onGate = api.sendAsync("POST", path(name) + "/permits", j("{'wait':'PT2S'}"));
        CompletableFuture<Res> onChannel = api.sendAsync("POST", path(channelPaused) + "/permits", j("{'channel':'c1','wait':'PT2S'}"));
        server.awaitState(name, "waiting", 1);
        server.awaitState(channelPaused, "waiting", 1);
        // a lease ending in 1 s makes the timekeeper run a pass, after which it sleeps until the waiters' deadline
        assertThat(api.post(path(other) + "/permits", j("{'leaseTimeout':'PT1S'}")).status()).isEqualTo(201);

        for (Res r : List.of(onGate.join(), onChannel.join())) {
            assertThat(r.status()).as(r.toString()).isEqualTo(429);
            assertThat(r.code()).as(r.toString()).isEqualTo("paused");
        }
        assertThat(server.state(name).get("waiting").asInt()).isZero();
        assertThat(server.state(channelPaused).get("waiting").asInt()).isZero();
    }

    @Test
    void loweringTheLimitRevokesNothingButGrantsNothingNew() {
        String name = server.semaphore("lower", "{'limit':3}");
        List<String> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(api.post(path(name) + "/permits").str("permitId"));
        }
        assertThat(api.patch(path(name), j("{'limit':1}")).status()).isEqualTo(200);
        assertThat(server.state(name).get("inUse").asInt()).isEqualTo(3);
        for (String id : held) {
            assertThat(api.post(path(name) + "/permits").status()).isEqualTo(429);
            assertThat(api.delete(path(name) + "/permits/" + id).status()).isEqualTo(204);
        }
        assertThat(api.post(path(name) + "/permits").status()).isEqualTo(201);
        assertThat(api.post(path(name) + "/permits").status()).isEqualTo(429);
    }

    @Test
    void pauseOfAnUnknownSemaphoreIs404() {
        assertThat(api.post(path(TestServer.name("nobody")) + "/pause").status()).isEqualTo(404);
        assertThat(api.post(path(TestServer.name("nobody")) + "/resume").status()).isEqualTo(404);
    }

    @Test
    void healthAndReadiness() {
        Res health = api.get("/healthz");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asString()).isEqualTo("ok");
        Res ready = api.get("/readyz");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().get("status").asString()).isEqualTo("ready");
    }

    @Test
    void unknownRouteIsAProblem() {
        Res r = api.get("/v1/nothing-here");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.code()).isEqualTo("not_found");
    }
}
