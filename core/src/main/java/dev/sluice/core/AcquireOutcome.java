package dev.sluice.core;

import dev.sluice.core.permit.PermitRecord;

/** The answer to an acquire: a permit now, a place in the queue, or a refusal with its reason. */
public sealed interface AcquireOutcome {
    record Granted(PermitRecord permit) implements AcquireOutcome {}

    record Queued(String waiterId) implements AcquireOutcome {}

    /** @param reason {@link ProblemCode#LIMIT_REACHED} or {@link ProblemCode#PAUSED} */
    record Rejected(ProblemCode reason) implements AcquireOutcome {}
}
