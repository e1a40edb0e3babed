package dev.sluice.core.job;

/** The states of a queue entry. See SPEC §1: waiting → inflight → completed | failed | dead, and cancelled. */
public enum JobState {
    WAITING, INFLIGHT, COMPLETED, FAILED, DEAD, CANCELLED;

    public boolean isFinished() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
