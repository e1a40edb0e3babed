package dev.sluice.core;

/** The answer to a release or heartbeat of a permit. */
public enum ReleaseOutcome {
    /** Done now. */
    DONE,
    /** The permit was already released: nothing was freed again. */
    ALREADY_RELEASED,
    /** The lease had run out before the call: the permit was reclaimed (410 Gone). */
    EXPIRED
}
