package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.ProblemCode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code /openapi.json} is maintained by hand; this test fails when it drifts from the routes the
 * server registers, from the error codes, or from itself (a reference to nothing).
 */
class OpenApiTest {
    private static final Set<String> METHODS = Set.of("get", "put", "post", "patch", "delete");

    @TempDir
    static Path dataDir;
    static TestServer server;
    static JsonNode doc;

    @BeforeAll
    static void start() {
        server = TestServer.start(dataDir);
        Api.Res r = server.api().get("/openapi.json");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("application/json");
        doc = r.json();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Set<String> documented() {
        Set<String> ops = new TreeSet<>();
        for (String path : doc.get("paths").propertyNames()) {
            for (String method : doc.get("paths").get(path).propertyNames()) {
                if (METHODS.contains(method)) {
                    ops.add(method.toUpperCase(Locale.ROOT) + " " + path);
                }
            }
        }
        return ops;
    }

    @Test
    void describesExactlyTheRoutesTheServerServes() {
        Set<String> served = new TreeSet<>(server.server().routes());
        // the dashboard is static files, not a route: check that it is served, then count it
        Api.Res dashboard = server.api().get("/");
        assertThat(dashboard.status()).isEqualTo(200);
        assertThat(dashboard.contentType()).startsWith("text/html");
        served.add("GET /");
        assertThat(served).hasSizeGreaterThan(25);
        assertThat(documented()).as("documented operations (left) against served routes").isEqualTo(served);
    }

    @Test
    void isOpenApi31WithUniqueOperationIds() {
        assertThat(doc.get("openapi").asString()).startsWith("3.1");
        List<String> ids = new ArrayList<>();
        for (JsonNode path : doc.get("paths")) {
            for (String method : path.propertyNames()) {
                JsonNode op = path.get(method);
                assertThat(op.hasNonNull("operationId")).isTrue();
                assertThat(op.get("responses").isEmpty()).isFalse();
                ids.add(op.get("operationId").asString());
            }
        }
        assertThat(new HashSet<>(ids)).hasSameSizeAs(ids);
    }

    @Test
    void listsEveryProblemCode() {
        Set<String> documentedCodes = new TreeSet<>();
        doc.at("/components/schemas/ProblemCode/enum").forEach(c -> documentedCodes.add(c.asString()));
        Set<String> codes = new TreeSet<>();
        Arrays.stream(ProblemCode.values()).forEach(c -> codes.add(c.wireName()));
        assertThat(documentedCodes).isEqualTo(codes);
        assertThat(doc.at("/components/schemas/Problem/required").toString()).contains("code");
    }

    @Test
    void everyReferenceResolves() {
        List<String> refs = new ArrayList<>();
        collectRefs(doc, refs);
        assertThat(refs).isNotEmpty();
        for (String ref : refs) {
            assertThat(ref).startsWith("#/");
            assertThat(doc.at(ref.substring(1)).isMissingNode()).as("reference " + ref).isFalse();
        }
    }

    private static void collectRefs(JsonNode n, List<String> refs) {
        if (n.isObject()) {
            if (n.has("$ref")) {
                refs.add(n.get("$ref").asString());
            }
            n.forEach(child -> collectRefs(child, refs));
        } else if (n.isArray()) {
            n.forEach(child -> collectRefs(child, refs));
        }
    }
}
