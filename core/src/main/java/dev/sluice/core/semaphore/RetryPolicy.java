package dev.sluice.core.semaphore;

import dev.sluice.core.Limits;
import dev.sluice.core.SluiceException;
import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * What happens to a job whose attempt failed: it waits out a backoff at its original position and
 * is granted again, until {@code maxAttempts} attempts have been made; then {@code onExhausted}.
 *
 * @param forwardTo the semaphore that receives the job when {@code onExhausted} is {@link OnExhausted#FORWARD}
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff,
                          OnExhausted onExhausted, String forwardTo) {

    public enum OnExhausted { DEADLETTER, SUSPEND, DROP, FORWARD }

    public static final RetryPolicy DEFAULT =
            new RetryPolicy(5, Duration.ofSeconds(1), Duration.ofMinutes(5), OnExhausted.DEADLETTER, null);

    public RetryPolicy {
        if (maxAttempts < 1 || maxAttempts > Limits.MAX_ATTEMPTS) {
            throw SluiceException.invalid("retry.maxAttempts must be between 1 and " + Limits.MAX_ATTEMPTS);
        }
        if (initialBackoff == null || initialBackoff.isNegative() || initialBackoff.compareTo(Limits.MAX_BACKOFF) > 0) {
            throw SluiceException.invalid("retry.initialBackoff must be between PT0S and " + Limits.MAX_BACKOFF);
        }
        if (maxBackoff == null || maxBackoff.compareTo(initialBackoff) < 0 || maxBackoff.compareTo(Limits.MAX_BACKOFF) > 0) {
            throw SluiceException.invalid("retry.maxBackoff must be between retry.initialBackoff and " + Limits.MAX_BACKOFF);
        }
        if (onExhausted == null) {
            throw SluiceException.invalid("retry.onExhausted is required");
        }
        if ((onExhausted == OnExhausted.FORWARD) != (forwardTo != null)) {
            throw SluiceException.invalid("retry.onExhausted {\"forward\": name} needs a semaphore name, and only then");
        }
    }

    /**
     * The delay before attempt {@code attempt + 1} after attempt {@code attempt} (1-based) failed:
     * exponential growth capped at {@code maxBackoff}, with full jitter, so that many failing jobs
     * do not retry in lockstep.
     */
    public Duration backoffAfter(int attempt, RandomGenerator random) {
        double ceilingMillis = initialBackoff.toMillis() * Math.pow(2, Math.max(0, attempt - 1));
        double capped = Math.min(ceilingMillis, maxBackoff.toMillis());
        return Duration.ofMillis((long) (random.nextDouble() * capped));
    }

    /** Whether another attempt is allowed after {@code attempts} attempts. */
    public boolean allowsAnotherAfter(int attempts) {
        return attempts < maxAttempts;
    }
}
