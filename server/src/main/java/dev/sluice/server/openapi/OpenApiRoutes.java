package dev.sluice.server.openapi;

import io.javalin.config.RoutesConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /openapi.json}: the OpenAPI 3.1 description of the whole API. It is maintained by
 * hand next to the routes ({@code resources/openapi.json}); {@code OpenApiTest} fails when the
 * two differ (a route without a description or the reverse, an error code not listed).
 */
public final class OpenApiRoutes {
    public static final String RESOURCE = "/openapi.json";

    private final String document = load();

    public void register(RoutesConfig routes) {
        routes.get("/openapi.json", ctx -> {
            ctx.contentType("application/json");
            ctx.result(document);
        });
    }

    /** The document as served. */
    public static String load() {
        try (InputStream in = OpenApiRoutes.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from the server's resources");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
