package dev.sluice.server.http;

import dev.sluice.core.SluiceException;
import io.javalin.http.Context;
import java.time.Instant;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Reading request bodies and writing responses as JSON. */
public final class Json {
    public static final JsonMapper MAPPER = JsonMapper.builder().build();

    private Json() {}

    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** The request body as JSON; an empty body reads as {@code {}}. */
    public static JsonNode body(Context ctx) {
        byte[] bytes = ctx.bodyAsBytes();
        if (bytes.length == 0) {
            return object();
        }
        try {
            JsonNode node = MAPPER.readTree(bytes);
            if (node == null || node.isMissingNode()) {
                return object();
            }
            if (!node.isObject()) {
                throw SluiceException.invalid("the request body must be a JSON object");
            }
            return node;
        } catch (JacksonException e) {
            throw SluiceException.invalid("the request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    public static JsonNode parse(String json) {
        return MAPPER.readTree(json);
    }

    public static void send(Context ctx, int status, JsonNode body) {
        ctx.status(status);
        ctx.contentType("application/json");
        ctx.result(body.toString());
    }

    public static String instant(Instant t) {
        return t == null ? null : t.toString();
    }
}
