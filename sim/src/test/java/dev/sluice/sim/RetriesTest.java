package dev.sluice.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RetriesTest {

    private final Scenario noRetries = Scenario.spikes();
    private final Scenario retries = Scenario.spikes().toBuilder().retries(3).retryBackoff("1s").retryMaxBackoff("8s").build();

    @Test
    void retriesRecoverSomeRejectionsAtTheCostOfWaitingAndAttempts() {
        Figures plain = Simulator.run(noRetries, Mode.SYNC).figures();
        Figures retried = Simulator.run(retries, Mode.SYNC).figures();
        assertThat(retried.offered()).isEqualTo(plain.offered());
        assertThat(retried.rejectedPct()).isLessThan(plain.rejectedPct()).isPositive();
        assertThat(retried.attempts()).isGreaterThan(retried.offered() + retried.rejected() * 3 - 1);
        assertThat(retried.completed() + retried.rejected()).isEqualTo(retried.offered());
        // Most requests get through on the first try (wait 0); the retried ones waited their backoff.
        assertThat(retried.waitP50()).isZero();
        assertThat(retried.waitMean()).isPositive();
        assertThat(retried.waitP99()).isPositive().isLessThanOrEqualTo(1 + 2 + 4 + 1e-9);
        assertThat(retried.maxWaiting()).isZero();
        long retriedTries = 0;
        for (long r : Simulator.run(retries, Mode.SYNC).series().retries()) {
            retriedTries += r;
        }
        assertThat(retriedTries).isEqualTo(retried.attempts() - retried.offered());
    }

    @Test
    void asyncIgnoresRetries() {
        assertThat(JsonReport.render(null, Simulator.run(retries, Mode.ASYNC), true))
                .isEqualTo(JsonReport.render(null, Simulator.run(noRetries, Mode.ASYNC), true));
    }

    @Test
    void rejectedPctIsTheShareOfOfferedRequestsFinallyRejected() {
        Figures f = Simulator.run(retries, Mode.SYNC).figures();
        assertThat(f.rejectedPct()).isEqualTo(100.0 * f.rejected() / f.offered());
    }
}
