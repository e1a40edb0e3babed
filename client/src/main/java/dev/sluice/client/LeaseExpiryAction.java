package dev.sluice.client;

/** What the server does with an inflight job whose lease ran out ({@code onLeaseExpired}). */
public enum LeaseExpiryAction {
    /** Counts as a failed attempt; the retry policy applies. */
    RETRY,
    /** Straight to the dead-letter list. */
    DEADLETTER
}
