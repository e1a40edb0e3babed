package dev.sluice.client;

import java.util.Objects;

/**
 * One job of a batch enqueue ({@link Semaphore#submitEach}): its payload, serialized as by
 * {@link Semaphore#submit(Object)}, and its own options, idempotency key included.
 */
public record Submission(Object payload, SubmitOptions options) {
    public Submission {
        Objects.requireNonNull(options, "options");
    }

    /** A job with the default options. */
    public static Submission of(Object payload) {
        return new Submission(payload, SubmitOptions.defaults());
    }
}
