package dev.sluice.server.http;

import dev.sluice.core.ProblemCode;
import dev.sluice.core.SluiceException;
import dev.sluice.store.sql.StoreException;
import io.javalin.http.Context;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/** Every failure as an RFC 9457 problem+json body with a stable {@code code}. */
public final class Problems {
    private static final Logger log = LoggerFactory.getLogger(Problems.class);
    public static final String TYPE_BASE = "https://sluice.dev/problems/";

    private Problems() {}

    public static int status(ProblemCode code) {
        return switch (code) {
            case INVALID_ARGUMENT, UNSUPPORTED -> 400;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case LEASE_EXPIRED -> 410;
            case PAYLOAD_TOO_LARGE -> 413;
            case LIMIT_REACHED, PAUSED -> 429;
            case STORE_UNAVAILABLE -> 503;
            case INTERNAL -> 500;
            case UNAUTHORIZED -> 401;
            case FORBIDDEN -> 403;
            case TOO_MANY_WAITS -> 429;
        };
    }

    private static String title(ProblemCode code) {
        return switch (code) {
            case INVALID_ARGUMENT -> "Invalid argument";
            case UNSUPPORTED -> "Not supported";
            case NOT_FOUND -> "Not found";
            case CONFLICT -> "Conflict";
            case LEASE_EXPIRED -> "Lease expired";
            case PAYLOAD_TOO_LARGE -> "Payload too large";
            case LIMIT_REACHED -> "Limit reached";
            case PAUSED -> "Paused";
            case STORE_UNAVAILABLE -> "Store unavailable";
            case INTERNAL -> "Internal error";
            case UNAUTHORIZED -> "Unauthorized";
            case FORBIDDEN -> "Forbidden";
            case TOO_MANY_WAITS -> "Too many waiting requests";
        };
    }

    public static void write(Context ctx, ProblemCode code, String detail) {
        write(ctx, code, detail, null);
    }

    /** With {@code index}, the position of the refused item in the request's list (see {@link RefusedItem}). */
    private static void write(Context ctx, ProblemCode code, String detail, Integer index) {
        ObjectNode body = Json.object();
        body.put("type", TYPE_BASE + code.wireName());
        body.put("title", title(code));
        body.put("status", status(code));
        body.put("detail", detail);
        body.put("code", code.wireName());
        body.put("instance", ctx.path());
        if (index != null) {
            body.put("index", index);
        }
        ctx.status(status(code));
        if (code == ProblemCode.LIMIT_REACHED || code == ProblemCode.PAUSED || code == ProblemCode.STORE_UNAVAILABLE
                || code == ProblemCode.TOO_MANY_WAITS) {
            ctx.header("Retry-After", "1");
        }
        if (code == ProblemCode.UNAUTHORIZED) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"sluice\"");
        }
        Json.write(ctx, "application/problem+json", body);
    }

    /** Maps anything thrown by a handler. */
    public static void handle(Throwable thrown, Context ctx) {
        Throwable e = unwrap(thrown);
        switch (e) {
            case RefusedItem item -> write(ctx, item.code(), item.getMessage(), item.index());
            case SluiceException se -> write(ctx, se.code(), se.getMessage());
            case StoreException se -> {
                // one line, not a stack trace: during an outage every request lands here. The client is told
                // the kind of failure alone: the driver's words can name hosts, users, files and SQL.
                log.warn("Store unavailable on {} {}: {}", ctx.method(), ctx.path(), se.getMessage());
                write(ctx, ProblemCode.STORE_UNAVAILABLE, "the store is unavailable: " + se.publicReason()
                        + " (the server's log has the cause)");
            }
            default -> {
                log.error("Unexpected failure on {} {}", ctx.method(), ctx.path(), e);
                write(ctx, ProblemCode.INTERNAL, "an unexpected error occurred; it has been logged");
            }
        }
    }

    public static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
