package dev.sluice.server.http;

import dev.sluice.core.Limits;
import dev.sluice.core.Names;
import dev.sluice.core.SluiceException;
import io.javalin.http.Context;

/** Path and query parameters, validated. */
public final class Params {
    private Params() {}

    public static String semaphore(Context ctx) {
        return Names.semaphore(ctx.pathParam("name"));
    }

    /** What permit and job ids are made of; no other string is the id of anything. */
    private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public static String id(Context ctx, String param) {
        String id = ctx.pathParam(param);
        if (!isId(id)) {
            throw SluiceException.notFound("no such " + param);
        }
        return id;
    }

    /** Whether {@code s} could be a permit or job id. */
    public static boolean isId(String s) {
        return ID.matcher(s).matches();
    }

    public static int pageSize(Context ctx) {
        String raw = ctx.queryParam("limit");
        if (raw == null) {
            return Limits.DEFAULT_PAGE_SIZE;
        }
        try {
            int n = Integer.parseInt(raw);
            if (n >= 1 && n <= Limits.MAX_PAGE_SIZE) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // falls through to the error
        }
        throw SluiceException.invalid("limit must be a whole number between 1 and " + Limits.MAX_PAGE_SIZE);
    }

    public static boolean flag(Context ctx, String name) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.equals("false")) {
            return false;
        }
        if (raw.equals("true") || raw.isEmpty()) {
            return true;
        }
        throw SluiceException.invalid(name + " must be true or false");
    }
}
