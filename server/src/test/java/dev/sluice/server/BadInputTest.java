package dev.sluice.server;

import static dev.sluice.server.Api.j;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.Api.Res;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * G7: every malformed request gets a 4xx problem+json with a stable code, and writes nothing.
 * The fixture semaphore holds a permit and has jobs in every state; each bad request is checked
 * against a snapshot of the semaphore, its job lists and the semaphore list taken just before.
 */
class BadInputTest {
    /** Any 4xx. */
    private static final int ANY_4XX = -4;
    private static final String S = "/v1/semaphores/g7";

    @TempDir
    static Path dataDir;
    static TestServer server;
    static Api api;
    static final Map<String, String> ids = new LinkedHashMap<>();

    @BeforeAll
    static void start() {
        server = TestServer.start(dataDir);
        api = server.api();
        assertThat(api.put(S, j("{'limit':10,'channelLimit':8,'retry':{'maxAttempts':1}}")).status()).isEqualTo(201);
        ids.put("{dead}", enqueue("dead"));
        claimOne();
        assertThat(api.post(S + "/jobs/" + ids.get("{dead}") + "/fail", j("{'error':'x'}")).status()).isEqualTo(204);
        ids.put("{completed}", enqueue("completed"));
        claimOne();
        assertThat(api.post(S + "/jobs/" + ids.get("{completed}") + "/complete").status()).isEqualTo(204);
        ids.put("{cancelled}", enqueue("cancelled"));
        assertThat(api.post(S + "/jobs/" + ids.get("{cancelled}") + "/cancel").status()).isEqualTo(200);
        ids.put("{inflight}", enqueue("inflight"));
        claimOne();
        ids.put("{waiting}", enqueue("waiting"));
        Res permit = api.post(S + "/permits", j("{'channel':'c1'}"));
        assertThat(permit.status()).isEqualTo(201);
        ids.put("{permit}", permit.str("permitId"));
        assertThat(api.post(S + "/pause", j("{'channel':'c2'}")).status()).isEqualTo(200);
        JsonNode state = server.state("g7");
        assertThat(state.get("inUse").asInt()).isEqualTo(2);
        assertThat(state.get("waiting").asInt()).isEqualTo(1);
        assertThat(state.get("inflight").asInt()).isEqualTo(1);
        assertThat(state.get("dead").asInt()).isEqualTo(1);
    }

    private static String enqueue(String tag) {
        Res r = api.post(S + "/jobs", j("{'payload':{'tag':'" + tag + "'},'idempotencyKey':'" + tag + "'}"));
        assertThat(r.status()).isEqualTo(202);
        return r.str("jobId");
    }

    private static void claimOne() {
        assertThat(api.post(S + "/jobs/claim").json().get("jobs").size()).isEqualTo(1);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Everything a bad request might have written to. */
    private static Map<String, JsonNode> snapshot() {
        Map<String, JsonNode> s = new LinkedHashMap<>();
        s.put("semaphore", api.get(S).json());
        s.put("semaphores", api.get("/v1/semaphores?limit=1000").json());
        for (String state : List.of("waiting", "inflight", "completed", "failed", "dead", "cancelled", "forwarding", "forwarded")) {
            s.put(state, api.get(S + "/jobs?state=" + state + "&limit=1000").json());
        }
        for (String id : List.of("{waiting}", "{inflight}", "{dead}")) {
            s.put(id, api.get(S + "/jobs/" + ids.get(id)).json());
        }
        return s;
    }

    private static Arguments bad(String label, String method, String path, Object body, int status, String... headers) {
        return Arguments.of(label, method, path, body, status, headers);
    }

    private static Arguments put(String label, String body) {
        return bad("PUT " + label, "PUT", S, j(body), 400);
    }

    private static Arguments patch(String label, String body) {
        return bad("PATCH " + label, "PATCH", S, j(body), 400);
    }

    private static Arguments acquire(String label, String body) {
        return bad("acquire " + label, "POST", S + "/permits", j(body), 400);
    }

    private static Arguments enqueue(String label, String body) {
        return bad("enqueue " + label, "POST", S + "/jobs", j(body), 400);
    }

    private static Arguments claim(String label, String body) {
        return bad("claim " + label, "POST", S + "/jobs/claim", j(body), 400);
    }

    private static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    static Stream<Arguments> cases() {
        String long129 = "a".repeat(129);
        List<Arguments> c = new ArrayList<>(List.of(
                // --- PUT: the body
                put("truncated JSON", "{'limit':"),
                put("not JSON", "limit=5"),
                put("trailing garbage", "{'limit':5} x"),
                put("two documents", "{'limit':5}{'limit':6}"),
                put("array body", "[{'limit':5}]"),
                put("string body", "'limit'"),
                put("number body", "5"),
                put("null body", "null"),
                put("no limit", "{}"),
                put("limit as string", "{'limit':'5'}"),
                put("limit fractional", "{'limit':5.5}"),
                put("limit as float", "{'limit':1e3}"),
                put("limit negative", "{'limit':-1}"),
                put("limit above max", "{'limit':1000001}"),
                put("limit huge", "{'limit':99999999999999999999999999}"),
                put("limit null", "{'limit':null}"),
                put("limit boolean", "{'limit':true}"),
                put("unknown field", "{'limit':5,'limits':6}"),
                put("leaseTimeout not a duration", "{'limit':5,'leaseTimeout':'forever'}"),
                put("leaseTimeout a number", "{'limit':5,'leaseTimeout':300}"),
                put("leaseTimeout below 1s", "{'limit':5,'leaseTimeout':'PT0.5S'}"),
                put("leaseTimeout zero", "{'limit':5,'leaseTimeout':'0s'}"),
                put("leaseTimeout negative", "{'limit':5,'leaseTimeout':'-PT5S'}"),
                put("leaseTimeout above 30 days", "{'limit':5,'leaseTimeout':'P31D'}"),
                put("leaseTimeout overflowing", "{'limit':5,'leaseTimeout':'PT99999999999999999999H'}"),
                put("leaseTimeout too many digits", "{'limit':5,'leaseTimeout':'99999999999d'}"),
                put("leaseTimeout empty", "{'limit':5,'leaseTimeout':''}"),
                put("channelLimit zero", "{'limit':5,'channelLimit':0}"),
                put("channelLimit string", "{'limit':5,'channelLimit':'2'}"),
                put("paused not boolean", "{'limit':5,'paused':'yes'}"),
                put("retry not an object", "{'limit':5,'retry':[]}"),
                put("retry.maxAttempts zero", "{'limit':5,'retry':{'maxAttempts':0}}"),
                put("retry.maxAttempts above max", "{'limit':5,'retry':{'maxAttempts':1001}}"),
                put("retry unknown field", "{'limit':5,'retry':{'attempts':3}}"),
                put("retry.onExhausted unknown", "{'limit':5,'retry':{'onExhausted':'explode'}}"),
                put("retry.onExhausted forward as string", "{'limit':5,'retry':{'onExhausted':'forward'}}"),
                put("retry.onExhausted forward bad name", "{'limit':5,'retry':{'onExhausted':{'forward':'Bad Name'}}}"),
                put("retry backoffs inverted", "{'limit':5,'retry':{'initialBackoff':'PT10S','maxBackoff':'PT1S'}}"),
                put("retry backoff above a day", "{'limit':5,'retry':{'initialBackoff':'P2D'}}"),
                put("delivery.mode unknown", "{'limit':5,'delivery':{'mode':'pigeon'}}"),
                put("delivery not an object", "{'limit':5,'delivery':'pull'}"),
                put("delivery.url not http", "{'limit':5,'delivery':{'mode':'webhook','url':'ftp://x'}}"),
                put("delivery.url without a host", "{'limit':5,'delivery':{'mode':'webhook','url':'http:///hook'}}"),
                put("delivery.url not a URL", "{'limit':5,'delivery':{'mode':'webhook','url':'http://exa mple/x'}}"),
                put("delivery.url with credentials", "{'limit':5,'delivery':{'mode':'webhook','url':'https://u:p@example.com/x'}}"),
                put("delivery.url missing", "{'limit':5,'delivery':{'mode':'webhook'}}"),
                put("delivery.url without mode", "{'limit':5,'delivery':{'url':'http://127.0.0.1:9/hook'}}"),
                put("delivery.timeout below 1s", "{'limit':5,'delivery':{'mode':'webhook','url':'http://127.0.0.1:9/h','timeout':'500ms'}}"),
                put("delivery.timeout longer than the lease",
                        "{'limit':5,'leaseTimeout':'10s','delivery':{'mode':'webhook','url':'http://127.0.0.1:9/h','timeout':'30s'}}"),
                put("delivery.secret too short", "{'limit':5,'delivery':{'mode':'webhook','url':'http://127.0.0.1:9/h','secret':'short'}}"),
                put("delivery.secret with a space",
                        "{'limit':5,'delivery':{'mode':'webhook','url':'http://127.0.0.1:9/h','secret':'sixteen chars ok!'}}"),
                put("delivery.secret a number", "{'limit':5,'delivery':{'mode':'webhook','url':'http://127.0.0.1:9/h','secret':12345}}"),
                put("delivery.secret on pull", "{'limit':5,'delivery':{'mode':'pull','secret':'sixteen-chars-ok!'}}"),
                put("delivery unknown field", "{'limit':5,'delivery':{'mode':'webhook','url':'http://127.0.0.1:9/h','retries':3}}"),
                put("retry.onExhausted forward to itself", "{'limit':5,'retry':{'onExhausted':{'forward':'g7'}}}"),
                put("onLeaseExpired unknown", "{'limit':5,'onLeaseExpired':'explode'}"),
                put("deeply nested", "{'limit':5,'retry':" + nested(3000) + "}"),
                bad("PUT invalid UTF-8", "PUT", S, new byte[] {'{', '"', (byte) 0xff, (byte) 0xfe, '"', ':', '1', '}'}, 400),
                // --- PUT: the name
                bad("PUT uppercase name", "PUT", "/v1/semaphores/Upper", j("{'limit':5}"), 400),
                bad("PUT name of 129 chars", "PUT", "/v1/semaphores/" + long129, j("{'limit':5}"), 400),
                bad("PUT name starting with a dash", "PUT", "/v1/semaphores/-g7", j("{'limit':5}"), 400),
                bad("PUT name starting with a dot", "PUT", "/v1/semaphores/.g7", j("{'limit':5}"), 400),
                bad("PUT name with a space", "PUT", "/v1/semaphores/g%207", j("{'limit':5}"), 400),
                bad("PUT name with a colon", "PUT", "/v1/semaphores/g:7", j("{'limit':5}"), 400),
                bad("PUT non-ASCII name", "PUT", "/v1/semaphores/%C3%A9t%C3%A9", j("{'limit':5}"), 400),
                bad("PUT new name, bad body", "PUT", "/v1/semaphores/fresh", j("{'limit':-1}"), 400),
                bad("PUT new name, unknown field", "PUT", "/v1/semaphores/fresh", j("{'limit':1,'x':1}"), 400),
                // --- PATCH
                patch("limit negative", "{'limit':-1}"),
                patch("limit as string", "{'limit':'x'}"),
                patch("limit null", "{'limit':null}"),
                patch("unknown field", "{'bogus':1}"),
                patch("array body", "[1]"),
                patch("bad JSON", "{'limit'"),
                patch("leaseTimeout bad", "{'leaseTimeout':'abc'}"),
                patch("retry.maxAttempts above max", "{'retry':{'maxAttempts':100000}}"),
                patch("retry a number", "{'retry':5}"),
                patch("retry unknown field", "{'retry':{'bogus':1}}"),
                patch("paused a number", "{'paused':1}"),
                patch("webhook secret too short", "{'delivery':{'mode':'webhook','url':'http://127.0.0.1:9/x','secret':'short'}}"),
                patch("lease shorter than the webhook timeout",
                        "{'leaseTimeout':'2s','delivery':{'mode':'webhook','url':'http://127.0.0.1:9/x','timeout':'5s'}}"),
                bad("PATCH uppercase name", "PATCH", "/v1/semaphores/G7", j("{'limit':1}"), 400),
                bad("PATCH unknown semaphore", "PATCH", "/v1/semaphores/nobody", j("{'limit':1}"), 404),
                // --- GET, list, DELETE
                bad("GET uppercase name", "GET", "/v1/semaphores/G7", null, 400),
                bad("GET name of 129 chars", "GET", "/v1/semaphores/" + long129, null, 400),
                bad("GET unknown semaphore", "GET", "/v1/semaphores/nobody", null, 404),
                bad("list limit 0", "GET", "/v1/semaphores?limit=0", null, 400),
                bad("list limit 1001", "GET", "/v1/semaphores?limit=1001", null, 400),
                bad("list limit negative", "GET", "/v1/semaphores?limit=-5", null, 400),
                bad("list limit not a number", "GET", "/v1/semaphores?limit=abc", null, 400),
                bad("list limit fractional", "GET", "/v1/semaphores?limit=1.5", null, 400),
                bad("list limit overflowing", "GET", "/v1/semaphores?limit=99999999999999999999", null, 400),
                bad("list bad cursor", "GET", "/v1/semaphores?cursor=NOT_A_NAME", null, 400),
                bad("DELETE force=maybe", "DELETE", S + "?force=maybe", null, 400),
                bad("DELETE while held", "DELETE", S, null, 409),
                bad("DELETE uppercase name", "DELETE", "/v1/semaphores/G7?force=true", null, 400),
                // --- pause, resume
                bad("pause bad channel", "POST", S + "/pause", j("{'channel':'bad channel!'}"), 400),
                bad("pause empty channel", "POST", S + "/pause", j("{'channel':''}"), 400),
                bad("pause channel a number", "POST", S + "/pause", j("{'channel':5}"), 400),
                bad("pause unknown field", "POST", S + "/pause", j("{'all':true}"), 400),
                bad("pause array body", "POST", S + "/pause", j("[]"), 400),
                bad("resume bad channel", "POST", S + "/resume", j("{'channel':'" + long129 + "'}"), 400),
                bad("resume bad JSON", "POST", S + "/resume", j("{"), 400),
                bad("pause unknown semaphore", "POST", "/v1/semaphores/nobody/pause", null, 404),
                // --- acquire
                acquire("wait above PT10M", "{'wait':'PT11M'}"),
                acquire("wait just above PT10M", "{'wait':'PT10M0.001S'}"),
                acquire("wait 11m", "{'wait':'11m'}"),
                acquire("wait not a duration", "{'wait':'soon'}"),
                acquire("wait negative", "{'wait':'-PT1S'}"),
                acquire("wait a number", "{'wait':5}"),
                acquire("leaseTimeout zero", "{'leaseTimeout':'PT0S'}"),
                acquire("leaseTimeout 500ms", "{'leaseTimeout':'500ms'}"),
                acquire("leaseTimeout above 30 days", "{'leaseTimeout':'P31D'}"),
                acquire("empty channel", "{'channel':''}"),
                acquire("channel with a space", "{'channel':'a b'}"),
                acquire("channel of 129 chars", "{'channel':'" + long129 + "'}"),
                acquire("channel a number", "{'channel':7}"),
                acquire("channel starting with a dash", "{'channel':'-x'}"),
                acquire("unknown field", "{'extra':true}"),
                acquire("unknown null field", "{'wait':null,'bogus':null}"),
                acquire("not JSON", "please"),
                acquire("array body", "[]"),
                acquire("null body", "null"),
                bad("acquire uppercase name", "POST", "/v1/semaphores/G7/permits", null, 400),
                bad("acquire unknown semaphore", "POST", "/v1/semaphores/nobody/permits", null, 404),
                // --- heartbeat, release
                bad("heartbeat bad lease", "POST", S + "/permits/{permit}/heartbeat", j("{'leaseTimeout':'x'}"), 400),
                bad("heartbeat lease zero", "POST", S + "/permits/{permit}/heartbeat", j("{'leaseTimeout':'PT0S'}"), 400),
                bad("heartbeat unknown field", "POST", S + "/permits/{permit}/heartbeat", j("{'foo':1}"), 400),
                bad("heartbeat array body", "POST", S + "/permits/{permit}/heartbeat", j("[]"), 400),
                bad("heartbeat unknown permit", "POST", S + "/permits/p1.0123456789abcdef/heartbeat", null, 404),
                bad("release unknown permit", "DELETE", S + "/permits/p999.0123456789abcdef", null, 404),
                bad("release malformed id", "DELETE", S + "/permits/xyz", null, 404),
                bad("release id of 65 chars", "DELETE", S + "/permits/" + "p".repeat(65), null, 404),
                bad("release uppercase semaphore", "DELETE", "/v1/semaphores/G7/permits/{permit}", null, 400),
                bad("release on another semaphore", "DELETE", "/v1/semaphores/nobody/permits/{permit}", null, 404),
                // --- enqueue
                enqueue("no payload", "{}"),
                enqueue("no payload, only a channel", "{'channel':'c1'}"),
                enqueue("priority above max", "{'payload':1,'priority':1000001}"),
                enqueue("priority below min", "{'payload':1,'priority':-1000001}"),
                enqueue("priority huge", "{'payload':1,'priority':9999999999999}"),
                enqueue("priority a string", "{'payload':1,'priority':'high'}"),
                enqueue("priority fractional", "{'payload':1,'priority':1.5}"),
                enqueue("bad channel", "{'payload':1,'channel':'bad channel'}"),
                enqueue("channel a number", "{'payload':1,'channel':5}"),
                enqueue("idempotencyKey a number", "{'payload':1,'idempotencyKey':5}"),
                enqueue("idempotencyKey of 257 chars", "{'payload':1,'idempotencyKey':'" + "k".repeat(257) + "'}"),
                enqueue("unknown field", "{'payload':1,'extra':1}"),
                enqueue("array body", "[1]"),
                enqueue("bad JSON", "{'payload':}"),
                enqueue("payload nested too deep", "{'payload':" + nested(3000) + "}"),
                enqueue("payload number of 5000 digits", "{'payload':" + "9".repeat(5000) + "}"),
                bad("enqueue Idempotency-Key header of 257 chars", "POST", S + "/jobs", j("{'payload':1}"), 400,
                        "Idempotency-Key", "k".repeat(257)),
                bad("enqueue Idempotency-Key header differs from the body's", "POST", S + "/jobs",
                        j("{'payload':1,'idempotencyKey':'a'}"), 400, "Idempotency-Key", "b"),
                bad("enqueue payload over 256 KiB", "POST", S + "/jobs",
                        "{\"payload\":\"" + "x".repeat(256 * 1024 + 1) + "\"}", 413),
                bad("enqueue request over the request limit", "POST", S + "/jobs",
                        "{\"payload\":\"" + "x".repeat(1024 * 1024) + "\"}", 413),
                bad("enqueue unknown semaphore", "POST", "/v1/semaphores/nobody/jobs", j("{'payload':1}"), 404),
                // --- claim
                claim("max 0", "{'max':0}"),
                claim("max 101", "{'max':101}"),
                claim("max a string", "{'max':'1'}"),
                claim("max fractional", "{'max':1.5}"),
                claim("max negative", "{'max':-1}"),
                claim("wait above PT10M", "{'wait':'PT11M'}"),
                claim("wait not a duration", "{'wait':'x'}"),
                claim("leaseTimeout below 1s", "{'leaseTimeout':'PT0.1S'}"),
                claim("leaseTimeout below 1s, long-polling", "{'wait':'PT2S','leaseTimeout':'PT0.1S'}"),
                claim("leaseTimeout above 30 days, long-polling", "{'wait':'PT2S','leaseTimeout':'P31D'}"),
                claim("unknown field", "{'foo':1}"),
                claim("array body", "[]"),
                // --- list, purge
                bad("jobs list without state", "GET", S + "/jobs", null, 400),
                bad("jobs list bad state", "GET", S + "/jobs?state=bogus", null, 400),
                bad("jobs list limit 0", "GET", S + "/jobs?state=waiting&limit=0", null, 400),
                bad("jobs list limit 1001", "GET", S + "/jobs?state=waiting&limit=1001", null, 400),
                bad("jobs list bad cursor", "GET", S + "/jobs?state=waiting&cursor=abc", null, 400),
                bad("jobs list fractional cursor", "GET", S + "/jobs?state=waiting&cursor=1.5", null, 400),
                bad("purge completed", "DELETE", S + "/jobs?state=completed", null, 400),
                bad("delete a waiting job", "DELETE", S + "/jobs/{waiting}", null, 409),
                bad("delete an inflight job", "DELETE", S + "/jobs/{inflight}", null, 409),
                bad("delete an unknown job", "DELETE", S + "/jobs/j-unknown", null, 404),
                bad("purge inflight", "DELETE", S + "/jobs?state=inflight", null, 400),
                bad("purge without state", "DELETE", S + "/jobs", null, 400),
                bad("purge bad state", "DELETE", S + "/jobs?state=bogus", null, 400),
                // --- complete, fail, heartbeat, move, cancel
                bad("fail retryable a string", "POST", S + "/jobs/{inflight}/fail", j("{'retryable':'yes'}"), 400),
                bad("fail error a number", "POST", S + "/jobs/{inflight}/fail", j("{'error':5}"), 400),
                bad("fail error too long", "POST", S + "/jobs/{inflight}/fail", j("{'error':'" + "e".repeat(4097) + "'}"), 400),
                bad("fail unknown field", "POST", S + "/jobs/{inflight}/fail", j("{'reason':'x'}"), 400),
                bad("fail permitId a number", "POST", S + "/jobs/{inflight}/fail", j("{'permitId':5}"), 400),
                bad("fail array body", "POST", S + "/jobs/{inflight}/fail", j("[]"), 400),
                bad("fail a dead job", "POST", S + "/jobs/{dead}/fail", null, 410),
                bad("fail a waiting job", "POST", S + "/jobs/{waiting}/fail", null, 409),
                bad("complete unknown field", "POST", S + "/jobs/{inflight}/complete", j("{'result':1}"), 400),
                bad("complete permitId too long", "POST", S + "/jobs/{inflight}/complete", j("{'permitId':'" + "p".repeat(65) + "'}"), 400),
                bad("complete with another permit", "POST", S + "/jobs/{inflight}/complete", j("{'permitId':'{permit}'}"), 410),
                bad("complete a waiting job", "POST", S + "/jobs/{waiting}/complete", null, 409),
                bad("complete an unknown job", "POST", S + "/jobs/j0000000000000000/complete", null, 404),
                bad("heartbeat job bad lease", "POST", S + "/jobs/{inflight}/heartbeat", j("{'leaseTimeout':'x'}"), 400),
                bad("heartbeat job unknown field", "POST", S + "/jobs/{inflight}/heartbeat", j("{'x':1}"), 400),
                bad("heartbeat a waiting job", "POST", S + "/jobs/{waiting}/heartbeat", null, 409),
                bad("cancel a completed job", "POST", S + "/jobs/{completed}/cancel", null, 409),
                bad("cancel a cancelled job", "POST", S + "/jobs/{cancelled}/cancel", null, 409),
                bad("requeue a dead job", "POST", S + "/jobs/{dead}/requeue", null, 409),
                bad("reschedule a completed job", "POST", S + "/jobs/{completed}/reschedule", null, 409),
                bad("requeue an unknown job", "POST", S + "/jobs/j0000000000000000/requeue", null, 404),
                bad("get an unknown job", "GET", S + "/jobs/j0000000000000000", null, 404),
                bad("get a job id of 65 chars", "GET", S + "/jobs/" + "j".repeat(65), null, 404),
                // --- redrive
                bad("redrive jobIds a string", "POST", S + "/dead-letters/redrive", j("{'jobIds':'{dead}'}"), 400),
                bad("redrive jobIds of numbers", "POST", S + "/dead-letters/redrive", j("{'jobIds':[1]}"), 400),
                bad("redrive jobIds an object", "POST", S + "/dead-letters/redrive", j("{'jobIds':{}}"), 400),
                bad("redrive jobIds mixed", "POST", S + "/dead-letters/redrive", j("{'jobIds':['{dead}',null]}"), 400),
                bad("redrive position unknown", "POST", S + "/dead-letters/redrive", j("{'position':'middle'}"), 400),
                bad("redrive position a number", "POST", S + "/dead-letters/redrive", j("{'position':1}"), 400),
                bad("redrive unknown field", "POST", S + "/dead-letters/redrive", j("{'all':true}"), 400),
                bad("redrive too many ids", "POST", S + "/dead-letters/redrive",
                        "{\"jobIds\":[" + "\"{dead}\",".repeat(1000) + "\"{dead}\"]}", 400),
                // --- routes
                bad("unknown route", "GET", "/v1/nothing", null, 404),
                bad("unknown route under a semaphore", "POST", S + "/nothing", null, 404),
                bad("wrong method", "PUT", S + "/permits", j("{}"), ANY_4XX)));
        return c.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedWithAProblemAndWritesNothing(String label, String method, String path, Object body, int status, String[] headers) {
        String resolvedPath = resolve(path);
        Object resolvedBody = body instanceof String s ? resolve(s) : body;
        Map<String, JsonNode> before = snapshot();

        Res r = api.send(method, resolvedPath, resolvedBody, headers);

        if (status == ANY_4XX) {
            assertThat(r.status()).as(r.toString()).isBetween(400, 499);
        } else {
            assertThat(r.status()).as(r.toString()).isEqualTo(status);
        }
        assertThat(r.contentType()).as(r.toString()).startsWith("application/problem+json");
        assertThat(r.json()).as(r.toString()).isNotNull();
        assertThat(r.code()).as(r.toString()).matches("[a-z_]+");
        assertThat(r.json().path("status").asInt()).isEqualTo(r.status());
        assertThat(r.json().path("type").asString()).isNotBlank();
        assertThat(r.json().path("title").asString()).isNotBlank();
        if (r.status() == 400) {
            assertThat(r.code()).isIn("invalid_argument", "unsupported");
        }

        Map<String, JsonNode> after = snapshot();
        assertThat(after).as("written by " + label).isEqualTo(before);
    }

    private static String resolve(String s) {
        for (Map.Entry<String, String> e : ids.entrySet()) {
            s = s.replace(e.getKey(), e.getValue());
        }
        return s;
    }
}
