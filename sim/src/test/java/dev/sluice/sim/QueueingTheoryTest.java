package dev.sluice.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The simulator against closed-form queueing theory: Poisson arrivals (λ = 8/s), exponential service
 * (mean 1 s), c = 10 permits, so an offered load of a = λ/μ = 8 Erlang (ρ = 0.8).
 *
 * <ul>
 *   <li>sync without retries is the M/M/c/c loss system: the share rejected is Erlang B(10, 8) ≈ 0.1217
 *       and utilization is a·(1 − B)/c ≈ 70.3%;</li>
 *   <li>async is the M/M/c queue: the mean wait is C(10, 8)/(cμ − λ) ≈ 0.2046 s (Erlang C ≈ 0.409), and the
 *       wait's tail is P(W > x) = C·e^{−(cμ−λ)x}, so p95 ≈ 1.051 s, p99 ≈ 1.856 s.</li>
 * </ul>
 *
 * <p><b>Tolerance.</b> Waits of successive requests are strongly correlated (at ρ = 0.8 a busy spell lasts
 * many service times), so the textbook σ/√n of n individual waits would badly understate the error. Instead
 * the test runs R = 20 <em>independent replications</em> (seeds 1000…1019, 10,000 simulated seconds ≈ 80,000
 * arrivals each). The replication means are independent and, by the CLT, close to normal; their standard
 * error SE = s/√R is an honest estimate of the error of the grand mean. We require
 * |grand mean − theory| ≤ 4·SE (a false alarm would be a 4-sigma event, ~6·10⁻⁵; the run is deterministic,
 * so it either always passes or always fails), and in addition that SE is small (a few percent of the
 * theoretical value at most), so the check has power: a simulator off by more than ~10% cannot pass.
 * Each replication starts empty; the bias that introduces is negligible: the M/M/10 at ρ = 0.8 relaxes in
 * tens of seconds, against 10,000 s per run. (With 200 replications — too slow for a unit test — all the
 * figures agreed with theory within 1.5 SE, the blocking probability within 0.2% relative.)
 */
class QueueingTheoryTest {

    private static final int C = 10;
    private static final double LAMBDA = 8;
    private static final double MEAN_SERVICE = 1;
    private static final int R = 20;
    private static final double DURATION = 10_000;

    private static final double[] blocking = new double[R];
    private static final double[] utilization = new double[R];
    private static final double[] waitMean = new double[R];
    private static final double[] waitP95 = new double[R];
    private static final double[] waitP99 = new double[R];
    private static final double[] asyncUtilization = new double[R];

    @BeforeAll
    static void replicate() {
        for (int i = 0; i < R; i++) {
            Scenario s = Scenario.builder()
                    .arrival(new ArrivalProcess.Poisson(LAMBDA))
                    .service(new ServiceTime.Exponential(MEAN_SERVICE))
                    .limit(C)
                    .duration(DURATION)
                    .seed(1000 + i)
                    .build();
            Figures sync = Simulator.run(s, Mode.SYNC).figures();
            Figures async = Simulator.run(s, Mode.ASYNC).figures();
            assertThat(sync.offered()).isBetween(75_000L, 85_000L);
            blocking[i] = sync.rejectedPct() / 100;
            utilization[i] = sync.utilizationPct();
            waitMean[i] = async.waitMean();
            waitP95[i] = async.waitP95();
            waitP99[i] = async.waitP99();
            asyncUtilization[i] = async.utilizationPct();
            assertThat(async.rejected()).isZero();
            assertThat(async.completed()).isEqualTo(async.offered());
        }
    }

    @Test
    void erlangFormulasMatchKnownValues() {
        // Single server: B(1, a) = a/(1+a); C(1, a) = ρ; M/M/1 mean wait ρ/(μ−λ).
        assertThat(Erlang.b(1, 0.5)).isCloseTo(0.5 / 1.5, within(1e-12));
        assertThat(Erlang.c(1, 0.5)).isCloseTo(0.5, within(1e-12));
        assertThat(Erlang.mmcMeanWait(1, 0.5, 1)).isCloseTo(0.5 / (1 - 0.5), within(1e-12));
        // Tabulated: B(10, 8) = 0.12166, C(10, 8) = 0.40918.
        assertThat(Erlang.b(10, 8)).isCloseTo(0.12166, within(5e-6));
        assertThat(Erlang.c(10, 8)).isCloseTo(0.40918, within(5e-6));
        // The recursion is stable where the factorial formula overflows.
        assertThat(Erlang.b(10_000, 9_000)).isBetween(0.0, 0.2);
        assertThat(Erlang.b(0, 3)).isEqualTo(1.0);
    }

    @Test
    void syncWithoutRetriesRejectsTheErlangBShare() {
        double theory = Erlang.b(C, LAMBDA * MEAN_SERVICE);
        assertWithinStandardErrors("blocking probability", blocking, theory, 0.03);
    }

    @Test
    void syncUtilizationIsTheCarriedLoadOverTheLimit() {
        double a = LAMBDA * MEAN_SERVICE;
        double theory = 100 * a * (1 - Erlang.b(C, a)) / C;
        assertWithinStandardErrors("sync utilization %", utilization, theory, 0.01);
    }

    @Test
    void asyncMeanWaitIsErlangC() {
        double theory = Erlang.mmcMeanWait(C, LAMBDA, MEAN_SERVICE);
        assertThat(theory).isCloseTo(0.2046, within(1e-4));
        assertWithinStandardErrors("mean wait", waitMean, theory, 0.05);
    }

    @Test
    void asyncWaitTailIsExponentialBeyondErlangC() {
        assertWithinStandardErrors("wait p95", waitP95, Erlang.mmcWaitQuantile(C, LAMBDA, MEAN_SERVICE, 0.95), 0.05);
        assertWithinStandardErrors("wait p99", waitP99, Erlang.mmcWaitQuantile(C, LAMBDA, MEAN_SERVICE, 0.99), 0.05);
    }

    @Test
    void asyncCarriesAllTheOfferedLoad() {
        // Nothing is lost, so the permits are busy a/c = 80% of the time.
        assertWithinStandardErrors("async utilization %", asyncUtilization, 100 * LAMBDA * MEAN_SERVICE / C, 0.01);
    }

    /** |mean − theory| ≤ 4·SE over independent replications, and SE ≤ maxRelativeSe·theory. */
    private static void assertWithinStandardErrors(String what, double[] replications, double theory, double maxRelativeSe) {
        double mean = 0;
        for (double x : replications) {
            mean += x;
        }
        mean /= replications.length;
        double ss = 0;
        for (double x : replications) {
            ss += (x - mean) * (x - mean);
        }
        double se = Math.sqrt(ss / (replications.length - 1)) / Math.sqrt(replications.length);
        assertThat(se).as("%s: standard error %.5f must be small against %.5f for the test to mean something", what, se, theory)
                .isLessThan(maxRelativeSe * theory);
        assertThat(mean).as("%s: simulated %.5f vs theory %.5f (SE %.5f)", what, mean, theory, se)
                .isCloseTo(theory, within(4 * se));
    }
}
