package dev.sluice.server.security;

import dev.sluice.core.Names;
import dev.sluice.core.ProblemCode;
import dev.sluice.core.SluiceException;
import dev.sluice.core.access.Action;
import dev.sluice.core.access.ApiKey;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.router.Endpoint;
import java.util.Locale;
import java.util.Optional;

/**
 * Runs before every matched endpoint: finds the caller's key ({@code Authorization: Bearer <key>})
 * and checks it against the endpoint's {@link Access} rule. No or an unknown key is a 401, a key
 * without the scope a 403, both problem+json; the endpoint then does not run.
 *
 * <p>Order of checks: the key (401), then the semaphore name of the route (400, so that a
 * malformed name is not mistaken for a missing scope), then the scope (403).
 */
final class Authenticator implements Handler {
    private static final String BEARER = "bearer ";

    private final KeyRing keys;
    private final boolean enabled;

    Authenticator(KeyRing keys, boolean enabled) {
        this.keys = keys;
        this.enabled = enabled;
    }

    @Override
    public void handle(Context ctx) {
        Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        if (endpoint == null) {   // no route: the dashboard's static files (open), or a 404 to come
            if (!enabled) {
                Principal.UNRESTRICTED.attachTo(ctx);
            }
            return;
        }
        Access.Rule rule = Access.of(endpoint.method.name(), endpoint.path);
        if (!enabled) {
            Principal.UNRESTRICTED.attachTo(ctx);
            return;
        }
        if (rule instanceof Access.Rule.Open) {
            return;
        }
        ApiKey key = authenticate(ctx.header("Authorization"));
        Principal principal = Principal.of(key);
        if (rule instanceof Access.Rule.Needs(Action action)) {
            String semaphore = endpoint.path.contains("{name}") ? Names.semaphore(ctx.pathParam("name")) : null;
            if (!principal.allows(action, semaphore)) {
                throw new SluiceException(ProblemCode.FORBIDDEN, "the API key " + key.id() + " (" + key.name() + ") may not "
                        + describe(action) + (semaphore == null ? "" : " semaphore " + semaphore) + "; its scopes: "
                        + key.scopes());
            }
        }
        principal.attachTo(ctx);
    }

    private ApiKey authenticate(String header) {
        if (header == null || header.isBlank()) {
            throw new SluiceException(ProblemCode.UNAUTHORIZED,
                    "this server requires an API key: send the header Authorization: Bearer <key>");
        }
        if (header.length() <= BEARER.length() || !header.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
            throw new SluiceException(ProblemCode.UNAUTHORIZED, "the Authorization header must be: Bearer <key>");
        }
        String token = header.substring(BEARER.length()).strip();
        Optional<ApiKey> key = token.isEmpty() || token.length() > Secrets.MAX_LENGTH ? Optional.empty() : keys.find(token);
        return key.orElseThrow(() -> new SluiceException(ProblemCode.UNAUTHORIZED, "the API key is not valid: unknown or revoked"));
    }

    private static String describe(Action action) {
        return switch (action) {
            case MANAGE -> "manage";
            case USE -> "use";
            case MANAGE_OR_USE -> "read or use";
            case METRICS -> "read the metrics of this node";
            case ADMIN -> "do this (admin only)";
        };
    }
}
