package dev.sluice.client;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * How a semaphore's async jobs reach their processor.
 *
 * @param mode             {@link Mode#PULL}: workers claim ({@link Worker}); {@link Mode#WEBHOOK}: the server POSTs
 * @param url              the webhook URL; {@code null} in pull mode
 * @param timeout          how long the webhook may take to answer; {@code null} for the server's default
 * @param releaseOnSuccess whether a 2xx answer completes the job at once (for short processors)
 */
public record Delivery(Mode mode, URI url, Duration timeout, boolean releaseOnSuccess) {
    public enum Mode { PULL, WEBHOOK }

    public Delivery {
        Objects.requireNonNull(mode, "mode");
        if (mode == Mode.WEBHOOK && url == null) {
            throw new IllegalArgumentException("a webhook delivery needs a url");
        }
    }

    /** Workers pull jobs with {@code claim}: the default. */
    public static Delivery pull() {
        return new Delivery(Mode.PULL, null, null, false);
    }

    /** The server POSTs each granted job to {@code url}; the job stays inflight until completed or failed. */
    public static Delivery webhook(URI url) {
        return new Delivery(Mode.WEBHOOK, url, null, false);
    }

    public static Delivery webhook(URI url, Duration timeout, boolean releaseOnSuccess) {
        return new Delivery(Mode.WEBHOOK, url, timeout, releaseOnSuccess);
    }

    ObjectNode toJson(ObjectNode node) {
        node.put("mode", Json.wire(mode));
        if (mode == Mode.WEBHOOK) {
            node.put("url", url.toString());
            if (timeout != null) {
                node.put("timeout", timeout.toString());
            }
            node.put("releaseOnSuccess", releaseOnSuccess);
        }
        return node;
    }

    static Delivery from(JsonNode n) {
        if (n == null) {
            return null;
        }
        String modeName = n.isString() ? n.stringValue() : Json.string(n, "mode");
        Mode mode = Json.enumValue(Mode.class, modeName);
        String url = Json.string(n, "url");
        if (mode == Mode.WEBHOOK && url != null) {
            return new Delivery(mode, URI.create(url), Json.duration(n, "timeout"),
                    Json.bool(n, "releaseOnSuccess", false));
        }
        return mode == Mode.PULL ? pull() : null;
    }
}
