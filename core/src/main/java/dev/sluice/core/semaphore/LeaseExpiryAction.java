package dev.sluice.core.semaphore;

/** What happens to an inflight job whose lease ran out. */
public enum LeaseExpiryAction {
    /** A failed attempt: the retry policy applies. */
    RETRY,
    /** Straight to the dead-letter list. */
    DEADLETTER
}
