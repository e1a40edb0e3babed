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
        return ByteBuffer.wrap(body(status, reason));
    }

    @Override
    protected void generateResponse(Request request, Response response, int status, String message, Throwable cause,
                                    Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, TYPE);
        response.write(true, ByteBuffer.wrap(body(status, message)), callback);
    }

    static byte[] body(int status, String reason) {
        ProblemCode code = switch (status) {
            case 404 -> ProblemCode.NOT_FOUND;
            case 413 -> ProblemCode.PAYLOAD_TOO_LARGE;
            default -> HttpStatus.isServerError(status) ? ProblemCode.INTERNAL : ProblemCode.INVALID_ARGUMENT;
        };
        String title = HttpStatus.getMessage(status);
        ObjectNode n = Json.object();
        n.put("type", Problems.TYPE_BASE + code.wireName());
        n.put("title", title == null ? "Bad request" : title);
        n.put("status", status);
        n.put("detail", reason == null || reason.isBlank() ? "the request is malformed: " + title : "the request is malformed: " + reason);
        n.put("code", code.wireName());
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }
}
