package dev.sluice.core;

import dev.sluice.core.job.JobRecord;
import dev.sluice.core.permit.PermitRecord;

/** A job granted to a claiming worker, with the permit it now holds. */
public record Claimed(JobRecord job, PermitRecord permit) {}
