package dev.sluice.client;

import java.time.Duration;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the server does with a job whose attempt failed: it waits out an exponential backoff (with
 * jitter) at its original position and is granted again, up to {@code maxAttempts} attempts; then
 * {@code onExhausted} applies. Validation of ranges is left to the server.
 *
 * @param maxAttempts    the most attempts, including the first
 * @param initialBackoff the backoff after the first failure
 * @param maxBackoff     the cap of the backoff
 * @param onExhausted    what happens after the last attempt failed
 * @param forwardTo      the semaphore that receives the job when {@code onExhausted} is
 *                       {@link OnExhausted#FORWARD}; else {@code null}
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, OnExhausted onExhausted,
                          String forwardTo) {

    public enum OnExhausted {
        /** To the dead-letter list. */
        DEADLETTER,
        /** Pause the job's channel until it is resumed (for a processor that is down). */
        SUSPEND,
        /** Discard the job. */
        DROP,
        /** Enqueue it on the semaphore {@code forwardTo}. */
        FORWARD
    }

    public RetryPolicy {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(onExhausted, "onExhausted");
        if ((onExhausted == OnExhausted.FORWARD) != (forwardTo != null)) {
            throw new IllegalArgumentException("forwardTo is required with FORWARD, and only then");
        }
    }

    /** {@code maxAttempts} attempts, then the dead-letter list. */
    public static RetryPolicy deadLetterAfter(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
        return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, OnExhausted.DEADLETTER, null);
    }

    /** {@code maxAttempts} attempts, then forwarded to the semaphore {@code target}. */
    public static RetryPolicy forwardAfter(int maxAttempts, Duration initialBackoff, Duration maxBackoff,
                                           String target) {
        return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, OnExhausted.FORWARD, target);
    }

    ObjectNode toJson(ObjectNode node) {
        node.put("maxAttempts", maxAttempts);
        node.put("initialBackoff", initialBackoff.toString());
        node.put("maxBackoff", maxBackoff.toString());
        if (onExhausted == OnExhausted.FORWARD) {
            node.putObject("onExhausted").put("forward", forwardTo);
        } else {
            node.put("onExhausted", Json.wire(onExhausted));
        }
        return node;
    }

    /** Lenient: {@code null} when the object lacks what a policy needs. */
    static RetryPolicy from(JsonNode n) {
        if (n == null || !n.isObject()) {
            return null;
        }
        Integer max = Json.integer(n, "maxAttempts");
        Duration initial = Json.duration(n, "initialBackoff");
        Duration cap = Json.duration(n, "maxBackoff");
        JsonNode ex = Json.field(n, "onExhausted");
        OnExhausted on = null;
        String forward = null;
        if (ex != null && ex.isObject()) {
            forward = Json.string(ex, "forward");
            on = forward != null ? OnExhausted.FORWARD : null;
        } else if (ex != null && ex.isString()) {
            on = Json.enumValue(OnExhausted.class, ex.stringValue());
            if (on == OnExhausted.FORWARD) {
                forward = Json.string(n, "forwardTo");
                if (forward == null) {
                    forward = Json.string(n, "forward");
                }
            }
        }
        if (max == null || initial == null || cap == null || on == null || (on == OnExhausted.FORWARD && forward == null)) {
            return null;
        }
        return new RetryPolicy(max, initial, cap, on, forward);
    }
}
