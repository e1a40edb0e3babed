package dev.sluice.sim;

/**
 * The simulator's pseudo-random numbers: SplitMix64, with transcendental functions from
 * {@link StrictMath}, so a seed gives bit-for-bit the same stream on every JVM and platform
 * (unlike {@code java.util.Random}'s Gaussian or {@code Math.log}, which may use intrinsics).
 */
public final class Rng {

    private long state;
    private double spareGaussian;
    private boolean hasSpare;

    public Rng(long seed) {
        this.state = seed;
    }

    /** An independent stream derived from a seed: one per source of randomness, so they do not interfere. */
    public static Rng stream(long seed, int streamId) {
        return new Rng(mix64(seed + 0x632BE59BD9B4E019L * (streamId + 1L)) ^ mix64(streamId * 0xD1B54A32D192ED03L));
    }

    public long nextLong() {
        return mix64(state += 0x9E3779B97F4A7C15L);
    }

    /** Uniform in [0, 1). */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Exponentially distributed with the given mean. */
    public double nextExponential(double mean) {
        return -mean * StrictMath.log1p(-nextDouble());
    }

    /** Standard normal (Marsaglia's polar method). */
    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spareGaussian;
        }
        double u;
        double v;
        double s;
        do {
            u = 2 * nextDouble() - 1;
            v = 2 * nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double f = StrictMath.sqrt(-2 * StrictMath.log(s) / s);
        spareGaussian = v * f;
        hasSpare = true;
        return u * f;
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
