package dev.sluice.client;

import java.util.Objects;

/**
 * Options of an enqueue ({@link Semaphore#submit(Object, SubmitOptions)}). Immutable; start from
 * {@link #defaults()} and derive with the {@code with…} methods.
 *
 * @param channel        the channel, or {@code null} for {@code default}
 * @param priority       higher is granted first among eligible jobs, or {@code null} for the default (0)
 * @param idempotencyKey deduplicates retried enqueues: a repeated key returns the first job instead
 *                       of enqueueing another; or {@code null}
 */
public record SubmitOptions(String channel, Integer priority, String idempotencyKey) {
    private static final SubmitOptions DEFAULTS = new SubmitOptions(null, null, null);

    public static SubmitOptions defaults() {
        return DEFAULTS;
    }

    public SubmitOptions withChannel(String channel) {
        return new SubmitOptions(Objects.requireNonNull(channel, "channel"), priority, idempotencyKey);
    }

    public SubmitOptions withPriority(int priority) {
        return new SubmitOptions(channel, priority, idempotencyKey);
    }

    public SubmitOptions withIdempotencyKey(String idempotencyKey) {
        return new SubmitOptions(channel, priority, Objects.requireNonNull(idempotencyKey, "idempotencyKey"));
    }
}
