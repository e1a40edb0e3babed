package dev.sluice.sim;

import java.util.Locale;

/**
 * How long a granted request holds its permit. Parsed from {@code fixed:2s}, {@code exp:1s} (mean) or
 * {@code lognormal:MEDIAN,SIGMA} (e.g. {@code lognormal:1s,0.5}; SIGMA is the standard deviation of the log).
 */
public sealed interface ServiceTime permits ServiceTime.Fixed, ServiceTime.Exponential, ServiceTime.LogNormal {

    /** One service time, in seconds. */
    double sample(Rng rng);

    /** The mean service time, in seconds. */
    double mean();

    /** The canonical textual form, parseable by {@link #parse(String)}. */
    String spec();

    /** Always the same time. */
    record Fixed(double seconds) implements ServiceTime {
        public Fixed {
            requirePositive(seconds, "fixed service time");
        }

        @Override
        public double sample(Rng rng) {
            return seconds;
        }

        @Override
        public double mean() {
            return seconds;
        }

        @Override
        public String spec() {
            return "fixed:" + Durations.format(seconds);
        }
    }

    /** Exponentially distributed (memoryless) with the given mean — the "M" in M/M/c. */
    record Exponential(double mean) implements ServiceTime {
        public Exponential {
            requirePositive(mean, "exponential mean service time");
        }

        @Override
        public double sample(Rng rng) {
            return rng.nextExponential(mean);
        }

        @Override
        public String spec() {
            return "exp:" + Durations.format(mean);
        }
    }

    /** Log-normal: {@code median * exp(sigma * Z)}; a long right tail, like most real calls. */
    record LogNormal(double median, double sigma) implements ServiceTime {
        public LogNormal {
            requirePositive(median, "log-normal median service time");
            if (!(sigma >= 0) || !Double.isFinite(sigma) || sigma > 10) {
                throw new IllegalArgumentException("log-normal sigma must be between 0 and 10, got " + sigma);
            }
        }

        @Override
        public double sample(Rng rng) {
            return median * StrictMath.exp(sigma * rng.nextGaussian());
        }

        @Override
        public double mean() {
            return median * StrictMath.exp(sigma * sigma / 2);
        }

        @Override
        public String spec() {
            return "lognormal:" + Durations.format(median) + "," + Fmt.trim(sigma, 6);
        }
    }

    /** Parses {@code fixed:2s}, {@code exp:1s}, {@code lognormal:1s,0.5}. */
    static ServiceTime parse(String text) {
        String expected = "expected fixed:DURATION, exp:MEAN or lognormal:MEDIAN,SIGMA (e.g. fixed:2s, exp:1s, lognormal:1s,0.5)";
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty service time: " + expected);
        }
        String t = text.trim();
        int colon = t.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("invalid service time '" + text + "': " + expected);
        }
        String kind = t.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String args = t.substring(colon + 1).trim();
        try {
            return switch (kind) {
                case "fixed", "constant", "const" -> new Fixed(Durations.parseSeconds(args));
                case "exp", "exponential" -> new Exponential(Durations.parseSeconds(args));
                case "lognormal", "lognorm", "log-normal" -> {
                    String[] parts = args.split(",", -1);
                    if (parts.length != 2) {
                        throw new IllegalArgumentException("log-normal needs MEDIAN,SIGMA, e.g. lognormal:1s,0.5");
                    }
                    double sigma;
                    try {
                        sigma = Double.parseDouble(parts[1].trim());
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("log-normal sigma '" + parts[1].trim() + "' is not a number");
                    }
                    yield new LogNormal(Durations.parseSeconds(parts[0]), sigma);
                }
                default -> throw new IllegalArgumentException("unknown distribution '" + kind + "'");
            };
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("invalid service time")) {
                throw e;
            }
            throw new IllegalArgumentException("invalid service time '" + text + "': " + e.getMessage() + "; " + expected, e);
        }
    }

    private static void requirePositive(double seconds, String what) {
        if (!(seconds > 0) || !Double.isFinite(seconds)) {
            throw new IllegalArgumentException(what + " must be positive and finite, got " + seconds);
        }
    }
}
