package dev.sluice.server;

import static dev.sluice.server.Api.j;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.Api.Res;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** What a node committed is there when a node starts again on the same data (G2, for a clean stop). */
class RestartTest {
    @TempDir
    Path dataDir;

    @Test
    void permitsJobsAndTokensSurviveARestart() {
        String name;
        String held;
        String waiting;
        String dead;
        long lastToken;
        JsonNode config;
        try (TestServer server = TestServer.start(dataDir)) {
            Api api = server.api();
            name = server.semaphore("restart", "{'limit':2,'leaseTimeout':null,'retry':{'maxAttempts':1}}");
            dead = api.post("/v1/semaphores/" + name + "/jobs", j("{'payload':'d'}")).str("jobId");
            api.post("/v1/semaphores/" + name + "/jobs/claim");
            assertThat(api.post("/v1/semaphores/" + name + "/jobs/" + dead + "/fail").status()).isEqualTo(204);
            Res permit = api.post("/v1/semaphores/" + name + "/permits");
            held = permit.str("permitId");
            lastToken = permit.num("fencingToken");
            waiting = api.post("/v1/semaphores/" + name + "/jobs", j("{'payload':{'keep':true},'idempotencyKey':'k1'}")).str("jobId");
            config = api.get("/v1/semaphores/" + name).json();
        }
        try (TestServer server = TestServer.start(dataDir)) {
            Api api = server.api();
            JsonNode again = api.get("/v1/semaphores/" + name).json();
            assertThat(again).isEqualTo(config);
            assertThat(again.get("state").get("inUse").asInt()).isEqualTo(1);
            assertThat(again.get("state").get("waiting").asInt()).isEqualTo(1);
            assertThat(again.get("state").get("dead").asInt()).isEqualTo(1);

            Res repeated = api.post("/v1/semaphores/" + name + "/jobs", j("{'payload':2,'idempotencyKey':'k1'}"));
            assertThat(repeated.status()).isEqualTo(200);
            assertThat(repeated.str("jobId")).isEqualTo(waiting);

            JsonNode claimed = api.post("/v1/semaphores/" + name + "/jobs/claim").json().get("jobs").get(0);
            assertThat(claimed.get("jobId").asString()).isEqualTo(waiting);
            assertThat(claimed.get("payload").get("keep").asBoolean()).isTrue();
            assertThat(claimed.get("fencingToken").asLong()).isGreaterThan(lastToken);

            assertThat(api.delete("/v1/semaphores/" + name + "/permits/" + held).status()).isEqualTo(204);
            assertThat(api.get("/v1/semaphores/" + name + "/jobs/" + dead).json().get("state").asString()).isEqualTo("dead");
            assertThat(server.state(name).get("inUse").asInt()).isEqualTo(1);
        }
    }

    /**
     * A waiting acquire whose request died with its node must not be granted when the node starts
     * again: nobody would hold that permit, and with untimed leases it would never be reclaimed.
     */
    @Test
    void aWaiterOfAStoppedNodeIsNotGrantedAfterARestart() {
        String name;
        String held;
        try (TestServer server = TestServer.start(dataDir)) {
            Api api = server.api();
            name = server.semaphore("orphan", "{'limit':1,'leaseTimeout':null}");
            held = api.post("/v1/semaphores/" + name + "/permits").str("permitId");
            CompletableFuture<Res> waiter = api.sendAsync("POST", "/v1/semaphores/" + name + "/permits", j("{'wait':'PT30S'}"));
            server.awaitState(name, "waiting", 1);
        }
        try (TestServer server = TestServer.start(dataDir)) {
            Api api = server.api();
            assertThat(server.state(name).get("waiting").asInt()).isZero();
            assertThat(api.delete("/v1/semaphores/" + name + "/permits/" + held).status()).isEqualTo(204);
            assertThat(api.post("/v1/semaphores/" + name + "/permits").status()).isEqualTo(201);
        }
    }
}
