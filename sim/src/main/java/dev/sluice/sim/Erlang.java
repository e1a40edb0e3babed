package dev.sluice.sim;

/**
 * Queueing-theory reference values for {@code c} servers (permits) offered {@code a = λ/μ} Erlang, used to
 * validate the simulator: Erlang B for the loss system (sync, no retries) and Erlang C for the queue (async).
 */
public final class Erlang {

    private Erlang() {
    }

    /**
     * Erlang B: the probability that a request finds all {@code c} permits held, in a loss system (M/M/c/c).
     * Uses the numerically stable recursion {@code B(0) = 1, B(k) = a·B(k-1) / (k + a·B(k-1))}.
     */
    public static double b(int c, double a) {
        if (c < 0 || !(a >= 0)) {
            throw new IllegalArgumentException("need c >= 0 and a >= 0");
        }
        double b = 1;
        for (int k = 1; k <= c; k++) {
            b = a * b / (k + a * b);
        }
        return b;
    }

    /**
     * Erlang C: the probability that a request has to wait in an M/M/c queue, from Erlang B:
     * {@code C = c·B / (c − a·(1 − B))}. Requires {@code a < c} (a stable queue).
     */
    public static double c(int c, double a) {
        if (!(a < c)) {
            throw new IllegalArgumentException("Erlang C needs a < c (stable queue), got a=" + a + ", c=" + c);
        }
        double b = b(c, a);
        return c * b / (c - a * (1 - b));
    }

    /** Mean wait in queue of an M/M/c: {@code C / (c·μ − λ)}, with {@code μ = 1 / meanService}. */
    public static double mmcMeanWait(int c, double lambda, double meanService) {
        double mu = 1 / meanService;
        return c(c, lambda / mu) / (c * mu - lambda);
    }

    /**
     * The {@code q}-quantile of the wait in an M/M/c: {@code P(W > x) = C·e^{−(cμ−λ)x}}, so the quantile is
     * {@code ln(C / (1−q)) / (cμ − λ)} when {@code 1−q < C}, and 0 otherwise.
     */
    public static double mmcWaitQuantile(int c, double lambda, double meanService, double q) {
        double mu = 1 / meanService;
        double cc = c(c, lambda / mu);
        double tail = 1 - q;
        return tail >= cc ? 0 : Math.log(cc / tail) / (c * mu - lambda);
    }
}
