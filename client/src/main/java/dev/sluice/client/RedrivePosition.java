package dev.sluice.client;

/** Where redriven dead jobs re-enter the queue. */
public enum RedrivePosition {
    /** Behind everything that waits now. */
    BACK,
    /** At the position they had when first enqueued. */
    ORIGINAL
}
