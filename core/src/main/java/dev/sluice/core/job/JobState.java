package dev.sluice.core.job;

/**
 * The states of a queue entry. See SPEC §1: waiting → inflight → completed | failed | dead, and
 * cancelled; and, for a job whose retries ran out on a semaphore with
 * {@code onExhausted: {forward: other}}: forwarding (on its way to the other semaphore) →
 * forwarded (it lives on there, under the same id).
 */
public enum JobState {
    WAITING, INFLIGHT, COMPLETED, FAILED, DEAD, CANCELLED, FORWARDING, FORWARDED;

    /** Over for this semaphore, with nothing left to do: kept a while, then deleted by housekeeping. */
    public boolean isFinished() {
        return this == COMPLETED || this == FAILED || this == CANCELLED || this == FORWARDED;
    }

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
