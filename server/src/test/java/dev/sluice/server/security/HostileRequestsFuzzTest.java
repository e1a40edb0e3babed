package dev.sluice.server.security;

import static dev.sluice.server.Api.j;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.Api;
import dev.sluice.server.Api.Res;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;
import tools.jackson.databind.JsonNode;

/**
 * Hostile and malformed HTTP thrown at a live node that asks for API keys, over raw sockets so
 * that nothing is tidied on the way: random and broken paths (percent-encodings, dot segments,
 * bad UTF-8, overlong segments), methods, headers (bad, missing, huge, wrong keys and schemes),
 * bodies (random bytes, truncated and deeply nested JSON, chunked), and for the API's own fields
 * durations, names and numbers at and past their bounds.
 *
 * <p>Each answer must be: not a 5xx; when a refusal, problem+json with a {@code code} and the
 * same {@code status}; never a success for a request without a valid key (except
 * {@code /healthz}, {@code /readyz}) nor for the fuzzing key on an admin endpoint. The fuzzing key
 * may use the semaphore {@code sentinel} but not manage it; afterwards the sentinel must be
 * exactly as configured and SPEC §2 must still hold on it (no more than {@code limit} permits,
 * nor {@code channelLimit} per channel; a release frees exactly one; queued work is delivered),
 * and the store file must pass its integrity check.
 *
 * <p>Complements {@code NeverA5xxPropertyTest} (well-formed HTTP, random JSON on the write
 * endpoints, no keys) and {@code BadInputTest} (each named bad input, nothing written). Tries:
 * {@value FuzzTries#CI_TRIES} in CI, {@code -Dsluice.fuzz.tries=100000} for a long run; the inputs
 * come from the build's fixed seed ({@code FixedSeed}), new ones with {@code -Dsluice.seed=random}.
 */
class HostileRequestsFuzzTest {
    private static final String SENTINEL = "sentinel";
    private static final String SENTINEL_CONFIG = "{'limit':5,'channelLimit':3,'leaseTimeout':'PT10M'}";

    private static Path dataDir;
    private static SecureNode node;
    private static String fuzzKey;
    private static String revokedKey;
    private static final List<String> permits = new CopyOnWriteArrayList<>();
    private static final List<String> jobs = new CopyOnWriteArrayList<>();
    private static final AtomicInteger tried = new AtomicInteger();
    private static volatile boolean failed;
    /** Every permit and job id a fuzzing request obtained, to hand back before the checks afterwards. */
    private static final java.util.Set<String> grantedPermits = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final java.util.Set<String> grantedJobs = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static JsonNode sentinelBefore;

    @BeforeContainer
    static void start() throws IOException {
        dataDir = Files.createTempDirectory("sluice-fuzz");
        // a short idle timeout: a request that promises more body than it sends is answered 408 after it
        node = SecureNode.start(dev.sluice.server.ServerSettings.defaults().withPort(0).withDataDir(dataDir),
                SecuritySettings.defaults().withIdleTimeout(java.time.Duration.ofSeconds(2)));
        assertThat(node.admin("PUT", "/v1/semaphores/" + SENTINEL, j(SENTINEL_CONFIG)).status()).isEqualTo(201);
        assertThat(node.admin("PUT", "/v1/semaphores/fz-a", j("{'limit':3}")).status()).isEqualTo(201);
        fuzzKey = node.key("fuzzer", "use:" + SENTINEL, "use:fz-*", "manage:fz-*");
        Res doomed = node.create("revoked", "admin");
        revokedKey = doomed.str("key");
        node.admin("DELETE", "/v1/keys/" + doomed.str("id"), null);
        for (String s : List.of(SENTINEL, "fz-a")) {
            permits.add(node.admin("POST", "/v1/semaphores/" + s + "/permits", null).str("permitId"));
            jobs.add(node.admin("POST", "/v1/semaphores/" + s + "/jobs", j("{'payload':1}")).str("jobId"));
        }
        sentinelBefore = config(node.admin("GET", "/v1/semaphores/" + SENTINEL, null).json());
    }

    @AfterContainer
    static void stop() throws Exception {
        node.close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("sluice.db"));
             ResultSet rs = c.createStatement().executeQuery("PRAGMA integrity_check")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).as("store integrity after the fuzzing").isEqualTo("ok");
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The configured part of a semaphore view (not its live state or timestamps). */
    private static JsonNode config(JsonNode view) {
        tools.jackson.databind.node.ObjectNode c = (tools.jackson.databind.node.ObjectNode) view.deepCopy();
        c.remove("state");
        c.remove("updatedAt");
        return c;
    }

    // ---- the property ----------------------------------------------------------------------

    @Property(shrinking = ShrinkingMode.OFF)
    @AddLifecycleHook(FuzzTries.class)
    void everyAnswerIsBelow500AProblemWhenARefusalAndNeverASuccessWithoutTheRightKey(@ForAll("requests") Raw req) throws IOException {
        tried.incrementAndGet();
        try {
            check(req);
        } catch (RuntimeException | Error e) {
            failed = true;   // so that the checks after the property do not hide this failure
            throw e;
        }
    }

    private static void check(Raw req) throws IOException {
        Answer a = send(req);
        assertThat(a.status()).as("an answer to\n" + req).isPositive();
        assertThat(a.status()).as(req + "\n-> " + a).isLessThan(500);
        if (a.status() >= 400) {
            assertThat(a.contentType()).as(req + "\n-> " + a).startsWith("application/problem+json");
            JsonNode problem = Api.MAPPER.readTree(a.body());
            assertThat(problem.path("code").asString("")).as(req + "\n-> " + a).matches("[a-z_]+");
            assertThat(problem.path("status").asInt()).as(req + "\n-> " + a).isEqualTo(a.status());
        }
        boolean success = a.status() / 100 == 2;
        if (success && req.key() != KeyKind.FUZZ && req.key() != KeyKind.ADMIN) {
            assertThat(req.isOpenEndpoint() || a.isDashboardFile()).as("served without a valid key:\n" + req + "\n-> " + a).isTrue();
        }
        if (success && req.key() == KeyKind.FUZZ) {
            assertThat(req.pathOnly()).as("an admin endpoint served to the fuzzing key:\n" + req + "\n-> " + a).doesNotStartWith("/v1/keys");
        }
        collectIds(a);
    }

    /** Keeps ids the fuzzing obtained, so that later requests can aim at real permits and jobs. */
    private static void collectIds(Answer a) {
        if (a.status() / 100 != 2 || a.body().isEmpty()) {
            return;
        }
        Matcher m = Pattern.compile("\"(permitId|jobId)\":\"([A-Za-z0-9._-]{1,64})\"").matcher(a.body());
        while (m.find()) {
            boolean permit = m.group(1).equals("permitId");
            (permit ? grantedPermits : grantedJobs).add(m.group(2));
            List<String> pool = permit ? permits : jobs;
            if (pool.size() < 200) {
                pool.add(m.group(2));
            }
        }
    }

    @AfterProperty
    void spec2StillHoldsOnTheSentinel() {
        if (failed) {
            return;   // the property's own failure is the one to report
        }
        assertThat(tried.get()).as("tries run").isPositive();
        System.out.println("HostileRequestsFuzzTest: " + tried.get() + " hostile requests answered");
        String s = "/v1/semaphores/" + SENTINEL;
        JsonNode view = node.admin("GET", s, null).json();
        assertThat(config(view)).as("the sentinel's config, which the fuzzing key may not change").isEqualTo(sentinelBefore);
        assertThat(view.get("state").get("pausedChannels")).isEmpty();
        assertThat(node.call(null, "GET", "/readyz", null).status()).isEqualTo(200);

        // hand back what the fuzzing holds, as far as its answers told
        assertThat(node.admin("DELETE", s + "/jobs?state=waiting", null).status()).isEqualTo(200);
        grantedPermits.forEach(id -> node.call(fuzzKey, "DELETE", s + "/permits/" + id, null));
        grantedJobs.forEach(id -> node.call(fuzzKey, "POST", s + "/jobs/" + id + "/cancel", null));
        int before = node.admin("GET", s, null).json().get("state").get("inUse").asInt();
        assertThat(before).as("G1: permits in use").isBetween(0, 5);

        // G1 per channel: a channel nobody used takes at most channelLimit (3) permits, and that many if the total allows
        List<String> mine = new ArrayList<>();
        int onChannel = 0;
        for (int i = 0; i < 10; i++) {
            Res r = node.call(fuzzKey, "POST", s + "/permits", j("{'channel':'invariant-a'}"));
            if (r.status() != 201) {
                assertThat(r.code()).isEqualTo("limit_reached");
                break;
            }
            mine.add(r.str("permitId"));
            onChannel++;
        }
        assertThat(onChannel).as("G1: grants on one channel, %d in use before", before).isEqualTo(Math.min(3, 5 - before));
        // G1 overall: grants stop exactly at the limit
        for (int c = 0; c < 10; c++) {
            Res r = node.call(fuzzKey, "POST", s + "/permits", j("{'channel':'invariant-" + c + "'}"));
            if (r.status() == 201) {
                mine.add(r.str("permitId"));
            }
        }
        assertThat(node.admin("GET", s, null).json().get("state").get("inUse").asInt())
                .as("G1: in use once every channel was tried (%d before, %d granted now)", before, mine.size()).isEqualTo(5);
        assertThat(before + mine.size()).isEqualTo(5);

        if (!mine.isEmpty()) {
            // G6: a release frees exactly one, and only once
            String first = mine.getFirst();
            assertThat(node.call(fuzzKey, "DELETE", s + "/permits/" + first, null).status()).isEqualTo(204);
            assertThat(node.call(fuzzKey, "DELETE", s + "/permits/" + first, null).status()).isEqualTo(204);
            assertThat(node.admin("GET", s, null).json().get("state").get("inUse").asInt()).isEqualTo(4);
            mine.subList(1, mine.size()).forEach(id -> node.call(fuzzKey, "DELETE", s + "/permits/" + id, null));

            // G3/G5: with capacity free, queued work is delivered
            String job = node.call(fuzzKey, "POST", s + "/jobs", j("{'payload':{'after':'fuzzing'},'channel':'invariant-job'}")).str("jobId");
            Res c = node.call(fuzzKey, "POST", s + "/jobs/claim", j("{'max':100}"));
            assertThat(c.status()).isEqualTo(200);
            assertThat(c.json().get("jobs").valueStream().map(x -> x.get("jobId").asString()))
                    .as("the job enqueued after the fuzzing is claimed").contains(job);
        }
    }

    // ---- raw HTTP --------------------------------------------------------------------------

    enum KeyKind { FUZZ, ADMIN, NONE, GARBAGE, REVOKED, OTHER_SCHEME }

    /** One request as bytes on the wire, with what the checks need to know about it. */
    record Raw(String method, String target, KeyKind key, byte[] wire) {
        String pathOnly() {
            int q = target.indexOf('?');
            return q < 0 ? target : target.substring(0, q);
        }

        boolean isOpenEndpoint() {
            String p = pathOnly();
            while (p.length() > 1 && p.endsWith("/")) {
                p = p.substring(0, p.length() - 1);
            }
            return p.equals("/healthz") || p.equals("/readyz") || p.equals("/openapi.json");
        }

        @Override
        public String toString() {
            String text = new String(wire, StandardCharsets.ISO_8859_1);
            text = text.length() > 1500 ? text.substring(0, 1500) + "…(" + wire.length + " bytes)" : text;
            return "[" + key + "] " + text.replace("\r\n", "⏎\n");
        }
    }

    record Answer(int status, String contentType, String body) {
        /**
         * The dashboard's page or one of its static files (whatever path Jetty resolved to it): open,
         * they hold no data; every answer of the API is JSON.
         */
        boolean isDashboardFile() {
            return contentType.startsWith("text/html") || contentType.startsWith("text/css") || contentType.contains("javascript");
        }

        @Override
        public String toString() {
            return status + " " + contentType + " " + (body.length() > 500 ? body.substring(0, 500) + "…" : body);
        }
    }

    private static Answer send(Raw req) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", node.server.port())) {
            socket.setSoTimeout(30_000);
            try {
                socket.getOutputStream().write(req.wire());
                socket.getOutputStream().flush();
            } catch (IOException refusedEarly) {
                // the server may answer and close before reading all of a bad request: read what it said
            }
            return parse(socket.getInputStream());
        }
    }

    private static Answer parse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                break;
            }
        }
        String headers = head.toString(StandardCharsets.ISO_8859_1);
        Matcher status = Pattern.compile("^HTTP/1\\.[01] (\\d{3})").matcher(headers);
        if (!status.find()) {
            return new Answer(-1, "", "no HTTP answer: " + headers);
        }
        String contentType = header(headers, "Content-Type");
        String length = header(headers, "Content-Length");
        byte[] body;
        if (!length.isEmpty()) {
            body = in.readNBytes(Integer.parseInt(length.strip()));
        } else if (header(headers, "Transfer-Encoding").toLowerCase(Locale.ROOT).contains("chunked")) {
            body = dechunk(in);
        } else {
            body = in.readAllBytes();
        }
        return new Answer(Integer.parseInt(status.group(1)), contentType, new String(body, StandardCharsets.UTF_8));
    }

    private static String header(String headers, String name) {
        Matcher m = Pattern.compile("(?im)^" + name + ":\\s*(.*?)\\r?$").matcher(headers);
        return m.find() ? m.group(1) : "";
    }

    private static byte[] dechunk(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) != -1 && c != '\n') {
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            int size = Integer.parseInt(line.toString().split(";")[0].strip(), 16);
            if (size == 0) {
                return out.toByteArray();
            }
            out.writeBytes(in.readNBytes(size));
            in.read();
            in.read();
        }
    }

    // ---- generators ------------------------------------------------------------------------

    @Provide
    Arbitrary<Raw> requests() {
        return Arbitraries.randomValue(r -> new Gen(r).request());
    }

    /** Everything random about one request, from one source of randomness (jqwik's, so a failure can be replayed). */
    private static final class Gen {
        private final Random r;

        Gen(Random r) {
            this.r = r;
        }

        private boolean chance(double p) {
            return r.nextDouble() < p;
        }

        @SafeVarargs
        private <T> T pick(T... from) {
            return from[r.nextInt(from.length)];
        }

        private <T> T pick(List<T> from) {
            return from.get(r.nextInt(from.size()));
        }

        /** A route, its usual method and the body fields it reads. */
        private record Route(String method, String path, List<String> fields) {}

        private static final List<String> CONFIG = List.of("limit", "channelLimit", "leaseTimeout", "paused", "delivery", "retry",
                "onLeaseExpired");
        private static final List<Route> ROUTES = List.of(
                new Route("GET", "/v1/semaphores", List.of()),
                new Route("PUT", "/v1/semaphores/{name}", CONFIG),
                new Route("PATCH", "/v1/semaphores/{name}", CONFIG),
                new Route("GET", "/v1/semaphores/{name}", List.of()),
                new Route("DELETE", "/v1/semaphores/{name}", List.of()),
                new Route("POST", "/v1/semaphores/{name}/pause", List.of("channel")),
                new Route("POST", "/v1/semaphores/{name}/resume", List.of("channel")),
                new Route("POST", "/v1/semaphores/{name}/permits", List.of("channel", "leaseTimeout", "wait")),
                new Route("POST", "/v1/semaphores/{name}/permits/{permit}/heartbeat", List.of("leaseTimeout")),
                new Route("DELETE", "/v1/semaphores/{name}/permits/{permit}", List.of()),
                new Route("POST", "/v1/semaphores/{name}/jobs", List.of("payload", "channel", "priority", "idempotencyKey")),
                new Route("POST", "/v1/semaphores/{name}/jobs/claim", List.of("max", "wait", "leaseTimeout")),
                new Route("GET", "/v1/semaphores/{name}/jobs", List.of()),
                new Route("DELETE", "/v1/semaphores/{name}/jobs", List.of()),
                new Route("GET", "/v1/semaphores/{name}/jobs/{job}", List.of()),
                new Route("POST", "/v1/semaphores/{name}/jobs/{job}/complete", List.of("permitId")),
                new Route("POST", "/v1/semaphores/{name}/jobs/{job}/fail", List.of("error", "retryable", "permitId")),
                new Route("POST", "/v1/semaphores/{name}/jobs/{job}/heartbeat", List.of("leaseTimeout", "permitId")),
                new Route("POST", "/v1/semaphores/{name}/jobs/{job}/requeue", List.of()),
                new Route("POST", "/v1/semaphores/{name}/jobs/{job}/reschedule", List.of()),
                new Route("POST", "/v1/semaphores/{name}/jobs/{job}/cancel", List.of()),
                new Route("POST", "/v1/semaphores/{name}/dead-letters/redrive", List.of("jobIds", "position")),
                new Route("GET", "/v1/keys", List.of()),
                new Route("POST", "/v1/keys", List.of("name", "scopes")),
                new Route("GET", "/v1/keys/{key}", List.of()),
                new Route("DELETE", "/v1/keys/{key}", List.of()),
                new Route("POST", "/v1/simulations", List.of("scenario", "arrival", "rate", "service", "limit", "limitSchedule",
                        "duration", "seed", "mode", "retries", "retryBackoff")),
                new Route("GET", "/healthz", List.of()),
                new Route("GET", "/readyz", List.of()));

        Raw request() {
            Route route = pick(ROUTES);
            String method = chance(0.85) ? route.method()
                    : pick("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "FOO", "get", "PROPFIND");
            String target = chance(0.04) ? randomPath() : fill(route.path()) + query();
            if (chance(0.02)) {
                target = target + "/" + "x".repeat(r.nextInt(3000));   // long URIs, some past Jetty's limit
            }
            KeyKind key = keyKind(route);
            byte[] body = body(method, route);
            return new Raw(method, target, key, wire(method, target, key, body));
        }

        /** The admin key only on the key routes: anywhere else it could rightly change the sentinel. */
        private KeyKind keyKind(Route route) {
            double roll = r.nextDouble();
            if (route.path().startsWith("/v1/keys") && roll < 0.5) {
                return KeyKind.ADMIN;
            }
            return roll < 0.76 ? KeyKind.FUZZ : roll < 0.83 ? KeyKind.NONE : roll < 0.90 ? KeyKind.GARBAGE
                    : roll < 0.95 ? KeyKind.REVOKED : KeyKind.OTHER_SCHEME;
        }

        private String fill(String template) {
            return template.replace("{name}", name()).replace("{permit}", id(permits, "p"))
                    .replace("{job}", id(jobs, "j")).replace("{key}", pick("config", "key_0000000000000000", "", "%zz", "x".repeat(70)));
        }

        private String name() {
            double roll = r.nextDouble();
            if (roll < 0.4) {
                return SENTINEL;
            }
            if (roll < 0.65) {
                return "fz-a";
            }
            if (roll < 0.75) {
                return "fz-" + Integer.toString(r.nextInt(50), 36);
            }
            return pick("SENTINEL", "Sentinel", "%73entinel", "sentinel%2F..%2Ffz-a", "..", "%2e%2e", ".", "", "a%20b", "a%00b",
                    "%C3%28", "%zz", "%", "%C3%A9t%C3%A9", "sentinel;x=1", "a".repeat(129), "fz-a%2Fpermits", "-x", "fz-a.",
                    "%F0%9F%98%80", "fz-" + "9".repeat(30), "sentinel%00", "%252e%252e", "fz-a%09");
        }

        private String id(List<String> real, String prefix) {
            return chance(0.6) && !real.isEmpty() ? pick(real)
                    : pick(prefix + "1.0123456789abcdef", prefix + "999999999999999999999.x", "", "%zz", "..", prefix.repeat(65),
                    "p-1.x", "%C3%28", "1e9", "-1");
        }

        private String query() {
            if (chance(0.6)) {
                return "";
            }
            List<String> params = new ArrayList<>();
            for (int i = 1 + r.nextInt(3); i > 0; i--) {
                params.add(pick("limit=" + number(), "cursor=" + pick("", "sentinel", "fz-a", "%zz", "0", "-1", "999999999999999999999", "Bad"),
                        "state=" + pick("waiting", "inflight", "dead", "completed", "failed", "cancelled", "bogus", "", "WAITING"),
                        "force=" + pick("true", "false", "maybe", ""), "%zz", "a=%", "=x", "&&", "limit=1&limit=2", "x=%C3%28", "force"));
            }
            return "?" + String.join("&", params);
        }

        private String randomPath() {
            StringBuilder p = new StringBuilder();
            for (int i = r.nextInt(6); i >= 0; i--) {
                p.append('/');
                for (int k = r.nextInt(12); k > 0; k--) {
                    p.append(chance(0.85) ? (char) ('!' + r.nextInt(94)) : '%');
                }
            }
            return p.toString().replace("#", "%23").replace("?", "%3F");
        }

        private String number() {
            return pick("0", "-0", "1", "-1", "5", "100", "1000", "1001", "2147483647", "2147483648", "-2147483649",
                    "9223372036854775807", "9223372036854775808", "99999999999999999999999", "1.5", "1e3", "1E-7", "-0.0",
                    "1e400", "NaN", "0x10", "007", "+1", " 1", "١٢", String.valueOf(r.nextInt()));
        }

        private String duration() {
            return pick("PT0S", "PT0.1S", "100ms", "PT0.2S", "0s", "1s", "PT1S", "PT2S", "5m", "PT10M", "PT10M0.001S", "PT11M", "P30D",
                    "P31D", "-PT1S", "PT-1S", "abc", "", " ", "1", "1x", "PT", "P", "PT99999999999999999999H", "999999999d",
                    "9999999999d", "P1Y", "PT1.5S", "pt1s", "PT0.0001S", "1h", "2h", "1d", "0ms", "999999999ms");
        }

        /** A short duration or a malformed one: a long valid wait would only slow the run. */
        private String waitDuration() {
            return pick("PT0S", "PT0.05S", "50ms", "100ms", "PT0.2S", "PT11M", "-PT1S", "abc", "", "P1D", "99999999999d", "PT-0.1S");
        }

        private String string(String... also) {
            if (chance(0.5) && also.length > 0) {
                return q(pick(also));
            }
            StringBuilder b = new StringBuilder();
            for (int n = r.nextInt(20); n > 0; n--) {
                b.append(chance(0.8) ? (char) (' ' + r.nextInt(95)) : (char) r.nextInt(0xD800));
            }
            return q(b.toString());
        }

        private static String q(String s) {
            return Api.MAPPER.writeValueAsString(s);
        }

        private String value(String field, int depth) {
            if (chance(0.15)) {
                return any(depth);
            }
            return switch (field) {
                case "limit", "channelLimit", "max", "priority", "maxAttempts" -> chance(0.7) ? String.valueOf(r.nextInt(20)) : number();
                case "leaseTimeout", "initialBackoff", "maxBackoff", "timeout" -> q(duration());
                case "wait" -> chance(0.85) ? q(waitDuration()) : pick("null", "5", "true", "[]", "{}");
                case "paused", "retryable", "releaseOnSuccess" -> pick("true", "false", "null", "1", "\"true\"");
                case "channel" -> string("default", "c1", "c-2", "C.3:x", "", "bad channel", "-x", "a".repeat(129), "é");
                case "payload" -> any(3);
                case "idempotencyKey" -> string("k1", "k2", "", "k".repeat(257));
                case "error" -> string("boom", "e".repeat(5000));
                case "permitId" -> chance(0.5) && !permits.isEmpty() ? q(pick(permits)) : string("", "p1.x", "p".repeat(65));
                case "jobIds" -> {
                    List<String> ids = new ArrayList<>();
                    for (int i = r.nextInt(4); i > 0; i--) {
                        ids.add(chance(0.5) && !jobs.isEmpty() ? q(pick(jobs)) : string("x", ""));
                    }
                    yield "[" + String.join(",", ids) + "]";
                }
                case "position" -> string("back", "original", "front");
                case "onLeaseExpired" -> string("retry", "deadletter", "Retry", "explode");
                case "delivery" -> depth > 0 ? object(List.of("mode", "url", "timeout", "releaseOnSuccess"), depth - 1) : any(0);
                case "retry" -> depth > 0 ? object(List.of("maxAttempts", "initialBackoff", "maxBackoff", "onExhausted"), depth - 1) : any(0);
                case "mode" -> string("pull", "webhook", "PULL", "push");
                case "onExhausted" -> chance(0.8) ? string("deadletter", "suspend", "drop", "forward") : "{\"forward\":" + string("fz-a", "Bad") + "}";
                case "name" -> string("fuzzed key", "", " ", "\u0000", "n".repeat(129));
                case "scopes" -> {
                    List<String> s = new ArrayList<>();
                    for (int i = r.nextInt(5); i > 0; i--) {
                        s.add(string("admin", "metrics", "use:*", "manage:fz-*", "use:", "root", "use:Bad", "use:a b", "manage:" + "a".repeat(129)));
                    }
                    yield "[" + String.join(",", s) + "]";
                }
                default -> any(depth);
            };
        }

        private String any(int depth) {
            double roll = r.nextDouble();
            if (depth <= 0 || roll < 0.6) {
                return switch (r.nextInt(5)) {
                    case 0 -> pick("null", "true", "false");
                    case 1, 2 -> number();
                    case 3 -> q(duration());
                    default -> string();
                };
            }
            if (roll < 0.8) {
                List<String> items = new ArrayList<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    items.add(any(depth - 1));
                }
                return "[" + String.join(",", items) + "]";
            }
            return object(List.of("a", "limit", "wait", "payload", "x"), depth - 1);
        }

        private String object(List<String> fields, int depth) {
            List<String> parts = new ArrayList<>();
            for (String f : fields) {
                if (chance(0.5)) {
                    parts.add(q(f) + ":" + value(f, depth));
                }
            }
            if (chance(0.1)) {
                parts.add(q(pick("bogus", "", "LIMIT", "__proto__", "wait ")) + ":" + any(0));
            }
            if (chance(0.05) && !parts.isEmpty()) {
                parts.add(parts.getFirst());   // a field twice
            }
            java.util.Collections.shuffle(parts, r);
            return "{" + String.join(",", parts) + "}";
        }

        private byte[] body(String method, Route route) {
            boolean usual = method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
            if (!usual && chance(0.9) || usual && chance(0.05)) {
                return null;
            }
            double roll = r.nextDouble();
            String text;
            if (roll < 0.78) {
                text = object(route.fields().isEmpty() ? List.of("x", "limit") : route.fields(), 2);
            } else if (roll < 0.83) {
                String o = object(route.fields().isEmpty() ? List.of("x") : route.fields(), 2);
                text = o.substring(0, r.nextInt(Math.max(1, o.length())));
            } else if (roll < 0.86) {
                int depth = 500 + r.nextInt(3000);
                text = "{\"payload\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
            } else if (roll < 0.88) {
                text = "{\"limit\":" + "9".repeat(1000 + r.nextInt(9000)) + "}";
            } else if (roll < 0.90) {
                text = "\uFEFF" + object(route.fields(), 1);
            } else if (roll < 0.92) {
                text = pick("null", "[]", "\"x\"", "5", "true", "", " ", "{}{}", "{\"a\":1}garbage");
            } else {
                byte[] random = new byte[r.nextInt(300)];
                r.nextBytes(random);
                return random;
            }
            return text.getBytes(StandardCharsets.UTF_8);
        }

        private byte[] wire(String method, String target, KeyKind key, byte[] body) {
            StringBuilder h = new StringBuilder();
            h.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
            if (chance(0.98)) {
                h.append("Host: localhost\r\n");
            }
            switch (key) {
                case FUZZ -> h.append(pick("Authorization: Bearer ", "authorization: bearer ", "AUTHORIZATION: Bearer  ")).append(fuzzKey).append("\r\n");
                case ADMIN -> h.append("Authorization: Bearer ").append(SecureNode.ADMIN_KEY).append("\r\n");
                case NONE -> {
                    // no Authorization header at all
                }
                case GARBAGE -> h.append("Authorization: Bearer ").append(pick("x", "sluice_" + "A".repeat(43), fuzzKey + "x",
                        fuzzKey.substring(0, 20), "", "k".repeat(700), SecureNode.ADMIN_KEY.toUpperCase(Locale.ROOT))).append("\r\n");
                case REVOKED -> h.append("Authorization: Bearer ").append(revokedKey).append("\r\n");
                case OTHER_SCHEME -> h.append("Authorization: ").append(pick("Basic " + fuzzKey, fuzzKey, "Token " + fuzzKey,
                        "Bearer", "Bearer" + fuzzKey, "Digest x")).append("\r\n");
            }
            if (body != null) {
                h.append("Content-Type: ").append(chance(0.85) ? "application/json" : pick("text/plain", "", "application/json; charset=utf-16",
                        "\u0001", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "*/*")).append("\r\n");
            }
            if (chance(0.08)) {
                h.append("Idempotency-Key: ").append(pick("k1", "", " ", "k".repeat(300), "a\tb", "é")).append("\r\n");
            }
            if (chance(0.08)) {
                h.append(pick("X-Fuzz", "X-" + HexFormat.of().toHexDigits(r.nextInt()), "Bad Header", "", "X:Y", "Content-Length"))
                        .append(": ").append(pick("1", "", "\u00ff\u0001", "v".repeat(r.nextInt(200)), "-1", "abc")).append("\r\n");
            }
            if (chance(0.02)) {
                h.append("X-Huge: ").append("h".repeat(9000 + r.nextInt(4000))).append("\r\n");   // past the 8 KiB header limit
            }
            boolean chunked = body != null && chance(0.07);
            if (body != null) {
                if (chunked) {
                    h.append("Transfer-Encoding: chunked\r\n");
                } else {
                    int length = chance(0.03) ? r.nextInt(body.length + 1) : body.length;   // now and then shorter than the body
                    h.append("Content-Length: ").append(length).append("\r\n");
                }
            }
            h.append("Connection: close\r\n\r\n");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(h.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                if (chunked) {
                    for (int i = 0; i < body.length; i += 97) {
                        int n = Math.min(97, body.length - i);
                        out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.write(body, i, n);
                        out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } else {
                    out.writeBytes(body);
                }
            }
            return out.toByteArray();
        }
    }
}
