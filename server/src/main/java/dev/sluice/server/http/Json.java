package dev.sluice.server.http;

import dev.sluice.core.SluiceException;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.concurrent.CompletionException;
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

    /**
     * A body declared at most this long is read straight into an array of its length. Javalin's
     * own read copies every body through a fresh 8 KiB chunk and a growing buffer; it still reads
     * the longer and the undeclared (chunked) ones, against the server's request limit, which is
     * never below this.
     */
    static final int READ_DIRECTLY = 64 * 1024;

    /**
     * The request body as JSON; an empty body reads as {@code {}}. Parsed once a request: a filter
     * that looks at it (the wait quota) and the route share the tree, which neither changes.
     */
    public static JsonNode body(Context ctx) {
        JsonNode parsed = ctx.attribute(PARSED);
        if (parsed == null) {
            parsed = objectOf(bytes(ctx));
            ctx.attribute(PARSED, parsed);
        }
        return parsed;
    }

    /** The request attribute that keeps a body parsed, for a second look. */
    private static final String PARSED = "sluice.body.json";

    private static JsonNode objectOf(byte[] bytes) {
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

    /** The request attribute that keeps a body read directly, for a second look after one that could not parse it. */
    private static final String BODY = "sluice.body";

    private static byte[] bytes(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared < 0 || declared > READ_DIRECTLY) {
            return ctx.bodyAsBytes();   // Javalin keeps what it read for a second look
        }
        byte[] kept = ctx.attribute(BODY);
        if (kept != null) {
            return kept;
        }
        try {
            InputStream in = ctx.req().getInputStream();
            byte[] body = in.readNBytes((int) declared);
            // read on to the end of the content (-1: Jetty's framing gives nothing past the declared
            // length), as Javalin's read does, so that Jetty counts the body consumed
            in.read();
            ctx.attribute(BODY, body);
            return body;
        } catch (IOException e) {
            // as Javalin's own read lets it out: Javalin answers a client that timed out or went away itself
            throw new CompletionException(e);
        }
    }

    public static JsonNode parse(String json) {
        return MAPPER.readTree(json);
    }

    public static void send(Context ctx, int status, JsonNode body) {
        ctx.status(status);
        write(ctx, "application/json", body);
    }

    /** Writes {@code body} as the answer, in {@code contentType}; the status is the caller's. */
    static void write(Context ctx, String contentType, JsonNode body) {
        ctx.contentType(contentType);
        ctx.result(MAPPER.writeValueAsBytes(body));
    }

    public static String instant(Instant t) {
        return t == null ? null : t.toString();
    }
}
