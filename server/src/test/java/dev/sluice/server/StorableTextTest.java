package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.Api.Res;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * G7 for text a store cannot keep as sent (NUL, which PostgreSQL refuses; unpaired surrogates,
 * which both stores would write as "?"): the same 4xx on
 * both stores wherever a user's string would be stored or looked up, and payloads keep it.
 * Found by {@link NeverA5xxPropertyTest} on PostgreSQL.
 */
class StorableTextTest {
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

    @Test
    void aNulInAStringFieldIsRefusedWith400AndNothingIsWritten() {
        String name = server.semaphore("nul", "{'limit':1}");
        String jobs = "/v1/semaphores/" + name + "/jobs";
        Res key = api.post(jobs, "{\"payload\":1,\"idempotencyKey\":\"a\\u0000b\"}");
        assertThat(key.status()).as(key.toString()).isEqualTo(400);
        assertThat(key.code()).isEqualTo("invalid_argument");
        assertThat(key.json().path("detail").asString()).contains("idempotencyKey", "NUL");
        assertThat(server.state(name).get("waiting").asInt()).isZero();

        Res channel = api.post(jobs, "{\"payload\":1,\"channel\":\"a\\u0000\"}");
        assertThat(channel.status()).isEqualTo(400);
        Res redrive = api.post("/v1/semaphores/" + name + "/dead-letters/redrive", "{\"jobIds\":[\"j\\u0000\"]}");
        assertThat(redrive.status()).as(redrive.toString()).isEqualTo(400);

        String job = api.post(jobs, "{\"payload\":1}").str("jobId");
        Res claimed = api.post(jobs + "/claim");
        assertThat(claimed.status()).isEqualTo(200);
        Res fail = api.post(jobs + "/" + job + "/fail", "{\"error\":\"boom\\u0000\"}");
        assertThat(fail.status()).as(fail.toString()).isEqualTo(400);
        assertThat(api.get(jobs + "/" + job).json().get("state").asString()).isEqualTo("inflight");
    }

    /** Ids are made of letters, digits, '.', '_' and '-': any other path segment names nothing (404), before the store is asked. */
    @Test
    void anIdOutsideTheIdAlphabetIsUnknown() {
        String name = server.semaphore("odd-path", "{'limit':1}");
        Res job = api.get("/v1/semaphores/" + name + "/jobs/j%C3%A9");
        assertThat(job.status()).as(job.toString()).isEqualTo(404);
        assertThat(job.code()).isEqualTo("not_found");
        Res permit = api.delete("/v1/semaphores/" + name + "/permits/p1.%C3%A9");
        assertThat(permit.status()).as(permit.toString()).isEqualTo(404);
    }

    @Test
    void aPayloadMayHoldANul() {
        String name = server.semaphore("nul-payload", "{'limit':1}");
        Res enqueued = api.post("/v1/semaphores/" + name + "/jobs", "{\"payload\":{\"s\":\"a\\u0000b\"}}");
        assertThat(enqueued.status()).as(enqueued.toString()).isEqualTo(202);
        Res claimed = api.post("/v1/semaphores/" + name + "/jobs/claim");
        assertThat(claimed.json().get("jobs").get(0).get("payload").get("s").asString()).isEqualTo("a\u0000b");
    }

    /** A lone surrogate is not text either: refused, not stored half-broken on one store and whole on the other. */
    @Test
    void aLoneSurrogateInAStringFieldIsRefusedToo() {
        String name = server.semaphore("surrogate", "{'limit':1}");
        Res r = api.post("/v1/semaphores/" + name + "/jobs", "{\"payload\":1,\"idempotencyKey\":\"k\\ud800\"}");
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.code()).isEqualTo("invalid_argument");
    }
}
