package dev.sluice.server.security;

import dev.sluice.core.access.Action;
import dev.sluice.core.access.ApiKey;
import io.javalin.http.Context;

/**
 * Who is making a request: the API key it presented, or, on a node that asks for no keys,
 * {@link #UNRESTRICTED}. A request the {@link Authenticator} did not look at (an open endpoint)
 * is nobody, allowed nothing.
 */
public final class Principal {
    /** On a node without authentication: may do anything. */
    public static final Principal UNRESTRICTED = new Principal(null, true);
    private static final Principal NOBODY = new Principal(null, false);
    private static final String ATTRIBUTE = "sluice.principal";

    private final ApiKey key;
    private final boolean unrestricted;

    private Principal(ApiKey key, boolean unrestricted) {
        this.key = key;
        this.unrestricted = unrestricted;
    }

    static Principal of(ApiKey key) {
        return new Principal(key, false);
    }

    public boolean allows(Action action, String semaphore) {
        return unrestricted || key != null && key.allows(action, semaphore);
    }

    /** The key's id, or null when there is no key. */
    public String keyId() {
        return key == null ? null : key.id();
    }

    /** The principal of a request as the {@link Authenticator} found it; nobody if it set none. */
    public static Principal of(Context ctx) {
        Principal p = ctx.attribute(ATTRIBUTE);
        return p == null ? NOBODY : p;
    }

    void attachTo(Context ctx) {
        ctx.attribute(ATTRIBUTE, this);
    }

    @Override
    public String toString() {
        return unrestricted ? "Principal[unrestricted]" : "Principal[" + (key == null ? "nobody" : key.id()) + "]";
    }
}
