package dev.sluice.client;

/**
 * The states of an async job: {@code waiting → inflight → completed | failed → (retry: waiting) |
 * dead}, plus {@code cancelled}; and {@code forwarding → forwarded} for a job moved to another
 * semaphore when its retries ran out ({@code onExhausted: {forward: …}}).
 */
public enum JobState {
    /** Accepted, waiting for capacity (or for its retry backoff). */
    WAITING,
    /** Holds a permit; being processed. */
    INFLIGHT,
    /** Processed successfully. */
    COMPLETED,
    /** Failed for good without being kept (e.g. retries exhausted with {@code onExhausted: drop}). */
    FAILED,
    /** In the dead-letter list, until redriven or deleted. */
    DEAD,
    /** Cancelled by an operator. */
    CANCELLED,
    /** Its retries ran out and it is on its way to the semaphore it is forwarded to. */
    FORWARDING,
    /** Moved to another semaphore, where it lives on under the same id. */
    FORWARDED;

    /** The lower-case name used on the wire, e.g. {@code inflight}. */
    public String wireName() {
        return Json.wire(this);
    }

    /** The state for a wire name, ignoring case; {@code null} for a name this SDK does not know. */
    public static JobState fromWire(String name) {
        return Json.enumValue(JobState.class, name);
    }
}
