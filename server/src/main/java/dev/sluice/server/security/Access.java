package dev.sluice.server.security;

import dev.sluice.core.access.Action;
import java.util.HashMap;
import java.util.Map;

/**
 * What each endpoint asks of the caller's key, by method and route. A route not listed here
 * needs {@code admin}: a new endpoint is closed until someone decides who may use it.
 */
public final class Access {

    /** What one endpoint asks. */
    public sealed interface Rule {
        /** No key needed: liveness, readiness, the dashboard page, the API description. */
        record Open() implements Rule {}

        /** Any valid key; what the answer shows is filtered by the key's scopes. */
        record AnyKey() implements Rule {}

        /** A key allowing the action, on the semaphore of the route's {@code {name}} if it has one. */
        record Needs(Action action) implements Rule {}
    }

    public static final Rule OPEN = new Rule.Open();
    public static final Rule ANY_KEY = new Rule.AnyKey();
    private static final Rule ADMIN = new Rule.Needs(Action.ADMIN);

    private static final Map<String, Rule> RULES = new HashMap<>();

    static {
        String s = "/v1/semaphores/{name}";
        open("GET /healthz", "GET /readyz", "GET /", "GET /openapi.json");
        rule(ANY_KEY, "GET /v1/semaphores");
        // the simulator reads and writes no state of the node, and is bounded (docs/limits.md): any valid key
        rule(ANY_KEY, "POST /v1/simulations");
        needs(Action.MANAGE, "PUT " + s, "PATCH " + s, "DELETE " + s, "POST " + s + "/pause", "POST " + s + "/resume",
                "POST " + s + "/dead-letters/redrive", "DELETE " + s + "/jobs", "DELETE " + s + "/jobs/{id}");
        needs(Action.USE, "POST " + s + "/permits", "POST " + s + "/permits/{id}/heartbeat", "DELETE " + s + "/permits/{id}",
                "POST " + s + "/jobs", "POST " + s + "/jobs/batch", "POST " + s + "/jobs/claim", "POST " + s + "/jobs/complete",
                "POST " + s + "/jobs/{id}/complete",
                "POST " + s + "/jobs/{id}/fail", "POST " + s + "/jobs/{id}/heartbeat");
        needs(Action.MANAGE_OR_USE, "GET " + s, "GET " + s + "/jobs", "GET " + s + "/jobs/{id}", "GET " + s + "/events",
                "GET " + s + "/channels",
                "POST " + s + "/jobs/{id}/requeue", "POST " + s + "/jobs/{id}/reschedule", "POST " + s + "/jobs/{id}/cancel");
        needs(Action.METRICS, "GET /metrics");
        needs(Action.ADMIN, "GET /v1/keys", "POST /v1/keys", "GET /v1/keys/{id}", "DELETE /v1/keys/{id}");
    }

    private Access() {}

    private static void open(String... endpoints) {
        rule(OPEN, endpoints);
    }

    private static void needs(Action action, String... endpoints) {
        rule(new Rule.Needs(action), endpoints);
    }

    private static void rule(Rule rule, String... endpoints) {
        for (String e : endpoints) {
            RULES.put(e, rule);
        }
    }

    /** The rule of the endpoint {@code method path} ({@code path} as registered, e.g. {@code /v1/semaphores/{name}}). */
    public static Rule of(String method, String path) {
        return RULES.getOrDefault(method + " " + path, ADMIN);
    }
}
