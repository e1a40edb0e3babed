package dev.sluice.core;

import dev.sluice.core.job.JobRecord;

/**
 * @param created  false when an earlier job with the same idempotency key was returned instead
 * @param position 1-based place in grant order when waiting, else 0
 */
public record Enqueued(JobRecord job, boolean created, long position) {}
