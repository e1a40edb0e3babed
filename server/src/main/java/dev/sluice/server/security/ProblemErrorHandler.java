package dev.sluice.server.security;

import dev.sluice.core.ProblemCode;
import dev.sluice.server.http.Json;
import dev.sluice.server.http.Problems;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import tools.jackson.databind.node.ObjectNode;

/**
 * Errors Jetty answers itself, before a request reaches the API (a malformed request line or
 * URI, headers too large, a bad {@code Content-Length}), as problem+json like every other error
 * instead of Jetty's HTML page.
 */
final class ProblemErrorHandler extends ErrorHandler {
    private static final String TYPE = "application/problem+json";

    /** Jetty writes error bodies only for GET, POST and HEAD by default; the API's problems go to every method. */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, TYPE);
        return ByteBuffer.wrap(body(status, malformed(reason, status)));
    }

    @Override
    protected void generateResponse(Request request, Response response, int status, String message, Throwable cause,
                                    Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, TYPE);
        response.write(true, ByteBuffer.wrap(body(status, malformed(message, status))), callback);
    }

    private static String malformed(String reason, int status) {
        return "the request is malformed: " + (reason == null || reason.isBlank() ? HttpStatus.getMessage(status) : reason);
    }

    static byte[] body(int status, String detail) {
        ProblemCode code = switch (status) {
            case 404 -> ProblemCode.NOT_FOUND;
            case 413 -> ProblemCode.PAYLOAD_TOO_LARGE;
            case 505 -> ProblemCode.UNSUPPORTED;   // an HTTP version other than 1.0 and 1.1: Jetty's status, a client's error
            default -> HttpStatus.isServerError(status) ? ProblemCode.INTERNAL : ProblemCode.INVALID_ARGUMENT;
        };
        String title = HttpStatus.getMessage(status);
        ObjectNode n = Json.object();
        n.put("type", Problems.TYPE_BASE + code.wireName());
        n.put("title", title == null ? "Bad request" : title);
        n.put("status", status);
        n.put("detail", detail);
        n.put("code", code.wireName());
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Javalin's own answer when a request body stops arriving (the idle timeout ran out while it
     * was read): 408, as a problem instead of an empty text/plain body.
     */
    static void requestTimeout(io.javalin.http.Context ctx) {
        ctx.status(408);
        ctx.contentType(TYPE);
        ctx.result(body(408, "the request body did not arrive within the idle timeout"));
    }
}
