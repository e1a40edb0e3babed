package dev.sluice.core.access;

/** What an operation needs its caller's key to allow, on the semaphore it concerns (if any). */
public enum Action {
    /** Configure, pause and resume, delete, redrive dead letters, purge the queue. */
    MANAGE,
    /** Acquire, heartbeat and release permits; enqueue, claim, complete, fail and heartbeat jobs. */
    USE,
    /** Read a semaphore or its jobs, and hand a job back (requeue, reschedule, cancel): either scope will do. */
    MANAGE_OR_USE,
    /** Read the Prometheus metrics. */
    METRICS,
    /** Manage API keys, and anything else. */
    ADMIN
}
