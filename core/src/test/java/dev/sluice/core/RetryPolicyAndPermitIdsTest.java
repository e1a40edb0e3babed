package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.permit.PermitIds;
import dev.sluice.core.semaphore.RetryPolicy;
import dev.sluice.core.semaphore.RetryPolicy.OnExhausted;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The retry policy's backoff and the permit-id format. */
class RetryPolicyAndPermitIdsTest {
    /** nextDouble() of a generator whose nextLong() is -1 is the largest double below 1. */
    private static final RandomGenerator HIGHEST = () -> -1L;
    private static final RandomGenerator LOWEST = () -> 0L;

    private final RetryPolicy policy =
            new RetryPolicy(10, Duration.ofMillis(500), Duration.ofSeconds(3), OnExhausted.DEADLETTER, null);

    @Test
    void backoffDoublesFromTheInitialBackoffAndIsCappedAtTheMaximum() {
        assertThat(policy.backoffAfter(1, HIGHEST)).isEqualTo(Duration.ofMillis(499));
        assertThat(policy.backoffAfter(2, HIGHEST)).isEqualTo(Duration.ofMillis(999));
        assertThat(policy.backoffAfter(3, HIGHEST)).isEqualTo(Duration.ofMillis(1999));
        assertThat(policy.backoffAfter(4, HIGHEST)).isEqualTo(Duration.ofMillis(2999));
        assertThat(policy.backoffAfter(1000, HIGHEST)).isEqualTo(Duration.ofMillis(2999));
    }

    @Test
    void backoffHasFullJitterDownToZero() {
        assertThat(policy.backoffAfter(5, LOWEST)).isEqualTo(Duration.ZERO);
        RandomGenerator random = new SplittableRandom(1);
        long distinct = java.util.stream.IntStream.range(0, 50)
                .mapToObj(i -> policy.backoffAfter(4, random)).distinct().count();
        assertThat(distinct).as("failing jobs do not retry in lockstep").isGreaterThan(40);
    }

    @Property(tries = 300)
    void backoffIsWithinZeroAndTheCappedCeiling(@ForAll @IntRange(min = 1, max = 1000) int attempt,
                                                 @ForAll @LongRange(min = 0, max = 60_000) long initialMillis,
                                                 @ForAll @LongRange(min = 0, max = 600_000) long extraMillis,
                                                 @ForAll long seed) {
        RetryPolicy p = new RetryPolicy(Limits.MAX_ATTEMPTS, Duration.ofMillis(initialMillis),
                Duration.ofMillis(initialMillis + extraMillis), OnExhausted.DEADLETTER, null);
        double ceiling = Math.min(initialMillis * Math.pow(2, attempt - 1), initialMillis + extraMillis);
        Duration backoff = p.backoffAfter(attempt, new SplittableRandom(seed));
        assertThat(backoff.toMillis()).isBetween(0L, (long) ceiling);
    }

    @Test
    void maxAttemptsBoundsTheAttempts() {
        RetryPolicy three = new RetryPolicy(3, Duration.ZERO, Duration.ZERO, OnExhausted.DROP, null);
        assertThat(three.allowsAnotherAfter(2)).isTrue();
        assertThat(three.allowsAnotherAfter(3)).isFalse();
    }

    @Test
    void invalidPoliciesAreRefused() {
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO, OnExhausted.DROP, null))
                .isInstanceOf(SluiceException.class);
        assertThatThrownBy(() -> new RetryPolicy(1, Duration.ofSeconds(2), Duration.ofSeconds(1), OnExhausted.DROP, null))
                .isInstanceOf(SluiceException.class);
        assertThatThrownBy(() -> new RetryPolicy(1, Duration.ZERO, Duration.ZERO, OnExhausted.FORWARD, null))
                .isInstanceOf(SluiceException.class);
        assertThatThrownBy(() -> new RetryPolicy(1, Duration.ZERO, Duration.ZERO, OnExhausted.DROP, "other"))
                .isInstanceOf(SluiceException.class);
    }

    @Property(tries = 300)
    void permitIdsCarryTheirFencingToken(@ForAll @LongRange(min = 1, max = Long.MAX_VALUE) long token, @ForAll long seed) {
        String id = PermitIds.newId(token, new SplittableRandom(seed));
        assertThat(id).matches("p[0-9]+\\.[0-9a-f]{16}");
        assertThat(PermitIds.tokenOf(id)).hasValue(token);
    }

    @Test
    void malformedPermitIdsHaveNoToken() {
        for (String id : new String[] {null, "", "p", "p.0123456789abcdef", "x1.0123456789abcdef", "p1.0123",
                "p1.0123456789abcdef0", "pa.0123456789abcdef", "p1-0123456789abcdef", "p99999999999999999999.0123456789abcdef"}) {
            assertThat(PermitIds.tokenOf(id)).as(String.valueOf(id)).isEmpty();
        }
    }
}
