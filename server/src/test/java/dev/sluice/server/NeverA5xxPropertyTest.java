package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.Api.Res;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** G7 as a property: random JSON-ish bodies on the write endpoints never get a 5xx, and every refusal is a problem. */
class NeverA5xxPropertyTest {
    private static final String S = "/v1/semaphores/prop";

    private static Path dataDir;
    private static TestServer server;
    private static Api api;
    private static String permitId;
    private static String jobId;

    @BeforeContainer
    static void start() throws IOException {
        dataDir = Files.createTempDirectory("sluice-property");
        server = TestServer.start(dataDir);
        api = server.api();
        assertThat(api.put(S, Api.j("{'limit':1000}")).status()).isEqualTo(201);
        permitId = api.post(S + "/permits").str("permitId");
        jobId = api.post(S + "/jobs", Api.j("{'payload':1}")).str("jobId");
        api.post(S + "/jobs/claim");
    }

    @AfterContainer
    static void stop() throws IOException {
        server.close();
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    record Request(String method, String path, String body) {
        @Override
        public String toString() {
            return method + " " + path + " " + body;
        }
    }

    @Property(tries = 400, shrinking = ShrinkingMode.BOUNDED)
    void neverA5xx(@ForAll("requests") Request req) {
        String path = req.path().replace("{permit}", permitId).replace("{job}", jobId);
        Res r = api.send(req.method(), path, req.body());
        assertThat(r.status()).as(r.toString()).isLessThan(500);
        if (r.status() >= 400) {
            assertThat(r.contentType()).as(r.toString()).startsWith("application/problem+json");
            assertThat(r.code()).as(r.toString()).isNotBlank();
            assertThat(r.json().path("status").asInt()).isEqualTo(r.status());
        }
    }

    // ---- generators ------------------------------------------------------------------------

    private static final List<String> CONFIG = List.of("limit", "channelLimit", "leaseTimeout", "paused", "delivery", "retry", "onLeaseExpired");
    private static final List<String> RETRY = List.of("maxAttempts", "initialBackoff", "maxBackoff", "onExhausted");
    private static final List<String> DELIVERY = List.of("mode", "url", "timeout", "releaseOnSuccess", "secret");
    private static final List<String> ALL_KEYS = Stream.of(CONFIG, RETRY, DELIVERY,
            List.of("channel", "wait", "payload", "priority", "idempotencyKey", "max", "error", "retryable", "permitId",
                    "jobIds", "position", "forward", "x", ""))
            .flatMap(List::stream).distinct().toList();

    private static final List<String> WORDS = List.of("PT0S", "PT1S", "PT2S", "1s", "500ms", "PT0.5S", "PT11M", "-PT1S",
            "P31D", "P2D", "PT99999999999999999999H", "999999999d", "abc", "", " ", "pull", "webhook", "deadletter", "suspend",
            "drop", "forward", "retry", "back", "original", "default", "c1", "Bad Name", "a".repeat(129), "waiting",
            "http://127.0.0.1:9/hook", "ftp://x", "été", "\u0000", "\uD83D\uDE00", "p1.0123456789abcdef", "null", "{}");

    private static final List<String> NUMBERS = List.of("0", "-0", "1", "-1", "5", "100", "101", "1000", "1000000", "1000001",
            "2147483647", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
            "99999999999999999999999999", "1.5", "1e3", "1E-7", "-0.0", "1e400", "-1e400");

    private static final List<String> DURATIONS = List.of("PT1S", "PT2S", "2s", "PT30S", "5m", "PT0S", "500ms", "P31D", "P2D",
            "-PT1S", "abc", "", "PT99999999999999999999H", "1d");

    /** A wait stays short, or is refused: a valid long wait on a full gate would only slow the run. */
    private static final List<String> WAITS = List.of("PT0S", "PT0.1S", "100ms", "PT0.2S", "PT11M", "-PT1S", "abc", "", "P1D",
            "99999999999d");

    /** Random JSON-ish text, with the kinds of values each known field takes, and sometimes anything. */
    private static final class Json {
        private final Random r;

        Json(Random r) {
            this.r = r;
        }

        private <T> T pick(List<T> from) {
            return from.get(r.nextInt(from.size()));
        }

        private boolean chance(double p) {
            return r.nextDouble() < p;
        }

        private static String q(String s) {
            return Api.MAPPER.writeValueAsString(s);
        }

        private String randomString() {
            StringBuilder b = new StringBuilder();
            int n = r.nextInt(12);
            for (int i = 0; i < n; i++) {
                b.append(chance(0.8) ? (char) (32 + r.nextInt(95)) : (char) r.nextInt(0xD800));
            }
            return b.toString();
        }

        String scalar() {
            return switch (r.nextInt(7)) {
                case 0 -> pick(List.of("null", "true", "false"));
                case 1, 2 -> pick(NUMBERS);
                case 3 -> String.valueOf(r.nextInt(2004) - 3);
                case 4 -> String.valueOf(r.nextLong());
                case 5 -> q(pick(WORDS));
                default -> q(randomString());
            };
        }

        String any(int depth) {
            double roll = r.nextDouble();
            if (depth <= 0 || roll < 0.7) {
                return scalar();
            }
            if (roll < 0.85) {
                List<String> items = new ArrayList<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    items.add(any(depth - 1));
                }
                return "[" + String.join(",", items) + "]";
            }
            return object(ALL_KEYS, depth - 1);
        }

        String valueFor(String key, int depth) {
            if (key.equals("wait")) {
                return chance(0.8) ? q(pick(WAITS)) : pick(List.of("null", "5", "true", "[]", "{}"));
            }
            if (chance(0.2)) {
                return any(Math.min(depth, 1));
            }
            return switch (key) {
                case "retry" -> depth > 0 ? object(RETRY, depth - 1) : scalar();
                case "delivery" -> depth > 0 ? object(DELIVERY, depth - 1) : scalar();
                case "onExhausted" -> chance(0.8) ? q(pick(List.of("deadletter", "suspend", "drop", "forward", "x")))
                        : "{\"forward\":" + q(pick(List.of("prop", "other", "Bad"))) + "}";
                case "jobIds" -> {
                    List<String> ids = new ArrayList<>();
                    for (int i = r.nextInt(4); i > 0; i--) {
                        ids.add(q(pick(List.of("{job}", "x", ""))));
                    }
                    yield "[" + String.join(",", ids) + "]";
                }
                case "payload" -> any(2);
                case "limit", "channelLimit", "max", "priority", "maxAttempts" ->
                        chance(0.8) ? String.valueOf(r.nextInt(51)) : pick(NUMBERS);
                case "leaseTimeout", "initialBackoff", "maxBackoff", "timeout" -> q(pick(DURATIONS));
                case "paused", "retryable", "releaseOnSuccess" -> pick(List.of("true", "false", "null", "1", "\"true\""));
                case "channel" -> q(pick(List.of("default", "c1", "c2", "C-3.x:y", "", "bad channel", "-x", "a".repeat(129))));
                case "mode" -> q(pick(List.of("pull", "webhook", "PULL", "push")));
                case "position" -> q(pick(List.of("back", "original", "front")));
                case "onLeaseExpired" -> q(pick(List.of("retry", "deadletter", "Retry", "explode")));
                default -> chance(0.5) ? q(pick(WORDS)) : scalar();
            };
        }

        /** An object of some of the keys, now and then with one it does not know. */
        String object(List<String> keys, int depth) {
            List<String> fields = new ArrayList<>();
            for (String key : keys) {
                if (chance(0.5)) {
                    fields.add(q(key) + ":" + valueFor(key, depth));
                }
            }
            if (chance(0.1)) {
                String extra = pick(ALL_KEYS);
                if (!keys.contains(extra)) {
                    fields.add(r.nextInt(fields.size() + 1), q(extra) + ":" + valueFor(extra, depth));
                }
            }
            java.util.Collections.shuffle(fields, r);
            return "{" + String.join(",", fields) + "}";
        }

        /** A body: mostly an object of the endpoint's fields, sometimes anything at all. */
        String body(List<String> keys) {
            double roll = r.nextDouble();
            if (roll < 0.8) {
                return object(keys, 2);
            }
            if (roll < 0.87) {
                return any(1);
            }
            if (roll < 0.94) {
                String o = object(keys, 2);
                return switch (r.nextInt(3)) {
                    case 0 -> o.substring(0, o.length() - 1);
                    case 1 -> o + " {";
                    default -> randomString();
                };
            }
            return null;
        }
    }

    private static final List<Map.Entry<String, List<String>>> ENDPOINTS = List.of(
            Map.entry("PUT " + S, CONFIG),
            Map.entry("PATCH " + S, CONFIG),
            Map.entry("POST " + S + "/permits", List.of("channel", "leaseTimeout", "wait")),
            Map.entry("POST " + S + "/permits/{permit}/heartbeat", List.of("leaseTimeout")),
            Map.entry("POST " + S + "/jobs", List.of("payload", "channel", "priority", "idempotencyKey")),
            Map.entry("POST " + S + "/jobs/claim", List.of("max", "wait", "leaseTimeout")),
            Map.entry("POST " + S + "/jobs/{job}/fail", List.of("error", "retryable", "permitId")),
            Map.entry("POST " + S + "/jobs/{job}/heartbeat", List.of("leaseTimeout", "permitId")),
            Map.entry("POST " + S + "/pause", List.of("channel")),
            Map.entry("POST " + S + "/resume", List.of("channel")),
            Map.entry("POST " + S + "/dead-letters/redrive", List.of("jobIds", "position")));

    @Provide
    Arbitrary<Request> requests() {
        return Arbitraries.of(ENDPOINTS).flatMap(e -> {
            String[] mp = e.getKey().split(" ", 2);
            return Arbitraries.randomValue(r -> new Request(mp[0], mp[1], new Json(r).body(e.getValue())));
        });
    }
}
