package dev.sluice.server.http;

import io.javalin.http.Context;

/** Who makes a request, as the audit log names them. */
public final class Actors {
    private Actors() {}

    /**
     * The actor of a request: {@code remote:<address>} for now. When API keys exist, the key's id
     * is the better answer, and this is the one place to give it.
     */
    public static String of(Context ctx) {
        return "remote:" + ctx.ip();
    }
}
