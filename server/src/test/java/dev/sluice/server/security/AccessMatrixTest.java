package dev.sluice.server.security;

import static dev.sluice.server.Api.j;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.access.Action;
import dev.sluice.server.Api.Res;
import dev.sluice.server.TestServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each kind of key against each endpoint, over real HTTP on a node that asks for keys. Every
 * case gets fresh state made with the admin key (a semaphore, a permit, jobs), then makes its one
 * request with the key under test: an allowed request must succeed with its usual status, a
 * refused one must be 401 (no or a bad key) or 403 (a key without the scope), as problem+json.
 */
class AccessMatrixTest {
    @TempDir
    static Path dataDir;
    static SecureNode node;
    static final Map<String, String> keys = new LinkedHashMap<>();

    /** The request to make, prepared for one case. */
    record Req(String method, String path, String body) {}

    /** What a case has to work with: its own semaphore, covered by the test keys' globs when {@code covered}. */
    record Fixture(String semaphore) {
        String s() {
            return "/v1/semaphores/" + semaphore;
        }

        String permit() {
            return node.admin("POST", s() + "/permits", null).str("permitId");
        }

        String waitingJob() {
            return node.admin("POST", s() + "/jobs", j("{'payload':1}")).str("jobId");
        }

        /** An inflight job: its id and its permit. */
        String[] inflightJob() {
            waitingJob();
            Res c = node.admin("POST", s() + "/jobs/claim", null);
            return new String[] {c.json().get("jobs").get(0).get("jobId").asString(), c.json().get("jobs").get(0).get("permitId").asString()};
        }
    }

    /** One endpoint: what it needs, how to prepare a request to it, and its status when allowed. */
    record Endpoint(String label, Action needs, int ok, Function<Fixture, Req> prepare) {
        @Override
        public String toString() {
            return label;
        }
    }

    private static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("PUT semaphore", Action.MANAGE, 200, f -> new Req("PUT", f.s(), j("{'limit':7}"))),
            new Endpoint("PATCH semaphore", Action.MANAGE, 200, f -> new Req("PATCH", f.s(), j("{'limit':8}"))),
            new Endpoint("DELETE semaphore", Action.MANAGE, 204, f -> new Req("DELETE", f.s() + "?force=true", null)),
            new Endpoint("pause", Action.MANAGE, 200, f -> new Req("POST", f.s() + "/pause", null)),
            new Endpoint("resume", Action.MANAGE, 200, f -> new Req("POST", f.s() + "/resume", j("{'channel':'c'}"))),
            new Endpoint("redrive", Action.MANAGE, 200, f -> new Req("POST", f.s() + "/dead-letters/redrive", null)),
            new Endpoint("purge", Action.MANAGE, 200, f -> {
                f.waitingJob();
                return new Req("DELETE", f.s() + "/jobs?state=waiting", null);
            }),
            new Endpoint("acquire", Action.USE, 201, f -> new Req("POST", f.s() + "/permits", null)),
            new Endpoint("heartbeat permit", Action.USE, 200, f -> new Req("POST", f.s() + "/permits/" + f.permit() + "/heartbeat", null)),
            new Endpoint("release", Action.USE, 204, f -> new Req("DELETE", f.s() + "/permits/" + f.permit(), null)),
            new Endpoint("enqueue", Action.USE, 202, f -> new Req("POST", f.s() + "/jobs", j("{'payload':{'a':1}}"))),
            new Endpoint("enqueue batch", Action.USE, 202, f -> new Req("POST", f.s() + "/jobs/batch", j("{'jobs':[{'payload':1},{'payload':2}]}"))),
            new Endpoint("complete batch", Action.USE, 200, f -> {
                String[] job = f.inflightJob();
                return new Req("POST", f.s() + "/jobs/complete", j("{'jobs':[{'jobId':'" + job[0] + "','permitId':'" + job[1] + "'}]}"));
            }),
            new Endpoint("claim", Action.USE, 200, f -> {
                f.waitingJob();
                return new Req("POST", f.s() + "/jobs/claim", null);
            }),
            new Endpoint("complete", Action.USE, 204, f -> {
                String[] job = f.inflightJob();
                return new Req("POST", f.s() + "/jobs/" + job[0] + "/complete", j("{'permitId':'" + job[1] + "'}"));
            }),
            new Endpoint("fail", Action.USE, 204, f -> {
                String[] job = f.inflightJob();
                return new Req("POST", f.s() + "/jobs/" + job[0] + "/fail", j("{'permitId':'" + job[1] + "'}"));
            }),
            new Endpoint("heartbeat job", Action.USE, 200, f -> {
                String[] job = f.inflightJob();
                return new Req("POST", f.s() + "/jobs/" + job[0] + "/heartbeat", j("{'permitId':'" + job[1] + "'}"));
            }),
            new Endpoint("GET semaphore", Action.MANAGE_OR_USE, 200, f -> new Req("GET", f.s(), null)),
            new Endpoint("list jobs", Action.MANAGE_OR_USE, 200, f -> new Req("GET", f.s() + "/jobs?state=waiting", null)),
            new Endpoint("GET job", Action.MANAGE_OR_USE, 200, f -> new Req("GET", f.s() + "/jobs/" + f.waitingJob(), null)),
            new Endpoint("requeue", Action.MANAGE_OR_USE, 200, f -> new Req("POST", f.s() + "/jobs/" + f.inflightJob()[0] + "/requeue", null)),
            new Endpoint("reschedule", Action.MANAGE_OR_USE, 200,
                    f -> new Req("POST", f.s() + "/jobs/" + f.inflightJob()[0] + "/reschedule", null)),
            new Endpoint("cancel", Action.MANAGE_OR_USE, 200, f -> new Req("POST", f.s() + "/jobs/" + f.waitingJob() + "/cancel", null)),
            new Endpoint("list keys", Action.ADMIN, 200, f -> new Req("GET", "/v1/keys", null)),
            new Endpoint("get key", Action.ADMIN, 200, f -> new Req("GET", "/v1/keys/" + KeyRing.CONFIGURED_ID, null)),
            new Endpoint("create key", Action.ADMIN, 201, f -> new Req("POST", "/v1/keys", j("{'name':'made','scopes':['use:x']}"))),
            new Endpoint("revoke key", Action.ADMIN, 204, f -> {
                String id = node.create("doomed", "use:x").str("id");
                return new Req("DELETE", "/v1/keys/" + id, null);
            }));

    /** Makes the keys under test, by label (a null key sends none). */
    @BeforeAll
    static void start() {
        node = SecureNode.start(dataDir);
        keys.put("admin", SecureNode.ADMIN_KEY);
        keys.put("stored admin", node.key("stored admin", "admin"));
        keys.put("metrics", node.key("metrics", "metrics"));
        keys.put("manage:m-*", node.key("managers", "manage:m-*"));
        keys.put("use:m-*", node.key("users", "use:m-*"));
        keys.put("manage+use:o-*", node.key("others", "manage:o-*", "use:o-*"));
        keys.put("exact use:m-exact", node.key("exact", "use:m-exact"));
        Res revoked = node.create("revoked", "admin");
        keys.put("revoked", revoked.str("key"));
        keys.put("none", null);
        keys.put("garbage", "not-a-key");
        assertThat(node.admin("DELETE", "/v1/keys/" + revoked.str("id"), null).status()).isEqualTo(204);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    /** What the key labelled so may do: its scopes, applied to a semaphore named m-…. */
    private static boolean allowed(String key, Action needs) {
        return switch (key) {
            case "admin", "stored admin" -> true;
            case "metrics" -> needs == Action.METRICS;
            case "manage:m-*" -> needs == Action.MANAGE || needs == Action.MANAGE_OR_USE;
            case "use:m-*" -> needs == Action.USE || needs == Action.MANAGE_OR_USE;
            default -> false;
        };
    }

    private static boolean authenticated(String key) {
        return !List.of("revoked", "none", "garbage").contains(key);
    }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (Endpoint e : ENDPOINTS) {
            for (String key : keys.keySet()) {
                all.add(Arguments.of(e, key));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("cases")
    void eachKeyMayDoExactlyWhatItsScopesAllow(Endpoint endpoint, String key) {
        Fixture f = new Fixture(created(TestServer.name("m")));
        Req req = endpoint.prepare().apply(f);

        Res r = node.call(keys.get(key), req.method(), req.path(), req.body());

        if (!authenticated(key)) {
            assertThat(r.status()).as(r.toString()).isEqualTo(401);
            assertThat(r.code()).isEqualTo("unauthorized");
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"sluice\"");
        } else if (allowed(key, endpoint.needs())) {
            assertThat(r.status()).as(r.toString()).isEqualTo(endpoint.ok());
        } else {
            assertThat(r.status()).as(r.toString()).isEqualTo(403);
            assertThat(r.code()).isEqualTo("forbidden");
        }
        if (r.status() >= 400) {
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.json().path("status").asInt()).isEqualTo(r.status());
        }
    }

    private static String created(String name) {
        assertThat(node.admin("PUT", "/v1/semaphores/" + name, j("{'limit':5}")).status()).isEqualTo(201);
        return name;
    }

    @Test
    void aGlobCoversOnlyTheNamesItMatches() {
        String exact = "m-exact";
        node.admin("PUT", "/v1/semaphores/" + exact, j("{'limit':5}"));
        String other = created(TestServer.name("x"));
        String key = keys.get("exact use:m-exact");
        assertThat(node.call(key, "POST", "/v1/semaphores/" + exact + "/permits", null).status()).isEqualTo(201);
        assertThat(node.call(key, "POST", "/v1/semaphores/m-exact2/permits", null).status()).isEqualTo(403);
        assertThat(node.call(keys.get("use:m-*"), "POST", "/v1/semaphores/" + other + "/permits", null).status()).isEqualTo(403);
        assertThat(node.call(keys.get("manage:m-*"), "PATCH", "/v1/semaphores/" + other, j("{'limit':1}")).status()).isEqualTo(403);
        assertThat(node.call(keys.get("manage+use:o-*"), "GET", "/v1/semaphores/" + exact, null).status()).isEqualTo(403);
    }

    @Test
    void theSemaphoreListShowsOnlyWhatTheKeyMayRead() {
        String m = created(TestServer.name("m"));
        String o = created(TestServer.name("o"));
        String x = created(TestServer.name("x"));
        List<String> asUser = names(keys.get("use:m-*"));
        assertThat(asUser).contains(m).doesNotContain(o, x);
        assertThat(asUser).allMatch(n -> n.startsWith("m-"));
        assertThat(names(keys.get("manage+use:o-*"))).contains(o).doesNotContain(m, x);
        assertThat(names(keys.get("metrics"))).isEmpty();
        assertThat(names(SecureNode.ADMIN_KEY)).contains(m, o, x);
        assertThat(node.call(null, "GET", "/v1/semaphores", null).status()).isEqualTo(401);
    }

    private static List<String> names(String key) {
        Res r = node.call(key, "GET", "/v1/semaphores?limit=1000", null);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("items").valueStream().map(n -> n.get("name").asString()).toList();
    }

    @Test
    void aSimulationNeedsAnyValidKey() {
        String body = j("{'scenario':'poisson','duration':'10s'}");
        for (String key : keys.keySet()) {
            Res r = node.call(keys.get(key), "POST", "/v1/simulations", body);
            if (authenticated(key)) {
                assertThat(r.status()).as(key + ": " + r).isEqualTo(200);
                assertThat(r.json().get("sync").get("offered").asLong()).isPositive();
            } else {
                assertThat(r.status()).as(key + ": " + r).isEqualTo(401);
            }
        }
    }

    @Test
    void healthAndReadinessNeedNoKey() {
        assertThat(node.call(null, "GET", "/healthz", null).status()).isEqualTo(200);
        assertThat(node.call(null, "GET", "/readyz", null).status()).isEqualTo(200);
        assertThat(node.call("garbage", "GET", "/healthz", null).status()).isEqualTo(200);
    }

    @Test
    void anUnlistedEndpointNeedsAdmin() {
        assertThat(Access.of("POST", "/v1/something/new")).isEqualTo(new Access.Rule.Needs(Action.ADMIN));
        assertThat(Access.of("GET", "/anything")).isEqualTo(new Access.Rule.Needs(Action.ADMIN));
        assertThat(Access.of("GET", "/healthz")).isEqualTo(Access.OPEN);
    }

    @Test
    void malformedAuthorizationHeadersAre401() {
        String s = "/v1/semaphores/" + created(TestServer.name("m"));
        for (String header : List.of("", " ", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token " + SecureNode.ADMIN_KEY,
                "Bearer " + SecureNode.ADMIN_KEY + "x", "bearer" + SecureNode.ADMIN_KEY, "Bearer " + "k".repeat(600))) {
            Res r = node.api.send("GET", s, null, "Authorization", header);
            assertThat(r.status()).as("Authorization: " + header + " -> " + r).isEqualTo(401);
            assertThat(r.code()).isEqualTo("unauthorized");
        }
        assertThat(node.api.send("GET", s, null, "Authorization", "BEARER " + SecureNode.ADMIN_KEY).status())
                .as("the scheme is case-insensitive").isEqualTo(200);
    }

    @Test
    void aMalformedSemaphoreNameIsA400EvenForAKeyThatCannotTouchIt() {
        Res r = node.call(keys.get("use:m-*"), "GET", "/v1/semaphores/Bad%20Name", null);
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(node.call(null, "GET", "/v1/semaphores/Bad%20Name", null).status()).as("but the key comes first").isEqualTo(401);
    }
}
