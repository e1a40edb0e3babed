package dev.sluice.server.security;

import io.javalin.http.Context;

/** Who makes a request, as the audit log names them. */
public final class Actors {
    private Actors() {}

    /**
     * The actor of a request: {@code key:<id>@<address>} when it presented an API key, else
     * {@code remote:<address>} (a node that asks for no keys).
     */
    public static String of(Context ctx) {
        String keyId = Principal.of(ctx).keyId();
        return keyId == null ? "remote:" + ctx.ip() : "key:" + keyId + "@" + ctx.ip();
    }
}
