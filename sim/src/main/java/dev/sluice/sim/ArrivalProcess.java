package dev.sluice.sim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * When requests arrive: {@link Poisson} at a constant rate, {@link Spikes} (a base rate with periodic
 * bursts of random height), or a {@link Replay} of recorded timestamps.
 */
public sealed interface ArrivalProcess permits ArrivalProcess.Poisson, ArrivalProcess.Spikes, ArrivalProcess.Replay {

    /** The long-run mean arrival rate, per second (for reports). */
    double meanRate();

    /** A one-line human description. */
    String describe();

    /**
     * A fresh, deterministic stream of arrival times (seconds, non-decreasing) up to {@code duration};
     * {@link ArrivalStream#next()} returns {@code +Infinity} when exhausted.
     */
    ArrivalStream stream(long seed, double duration);

    /** A generator of arrival times; no allocation per arrival. */
    interface ArrivalStream {
        double next();
    }

    /** Poisson arrivals at {@code rate} per second (exponential gaps) — the "M" in M/M/c. */
    record Poisson(double rate) implements ArrivalProcess {
        public static final double DEFAULT_RATE = 8;

        public Poisson {
            if (!(rate > 0) || !Double.isFinite(rate)) {
                throw new IllegalArgumentException("arrival rate must be positive, got " + rate);
            }
        }

        @Override
        public double meanRate() {
            return rate;
        }

        @Override
        public String describe() {
            return "Poisson, " + Fmt.trim(rate, 4) + "/s";
        }

        @Override
        public ArrivalStream stream(long seed, double duration) {
            Rng rng = Rng.stream(seed, 1);
            double mean = 1 / rate;
            return new ArrivalStream() {
                private double t;

                @Override
                public double next() {
                    if (t == Double.POSITIVE_INFINITY) {
                        return t;
                    }
                    t += rng.nextExponential(mean);
                    if (t >= duration) {
                        t = Double.POSITIVE_INFINITY;
                    }
                    return t;
                }
            };
        }
    }

    /**
     * A Poisson base rate with periodic bursts: burst {@code k} covers
     * {@code [period/2 + k·period, period/2 + k·period + burstDuration)} and adds a rate drawn once per burst
     * from a normal distribution {@code N(meanAmplitude, amplitudeStddev²)}, truncated at zero. Within a
     * burst, arrivals are Poisson at {@code baseRate + amplitude}.
     *
     * <p>The defaults (5/s base, +20/s for 10 s every 60 s, stddev 5/s) against a limit of 10 and a mean
     * service time of 1 s give the classic picture: half-loaded between bursts, 2.5× overloaded during them.
     */
    record Spikes(double baseRate, double period, double burstDuration, double meanAmplitude, double amplitudeStddev)
            implements ArrivalProcess {

        public Spikes {
            check(baseRate >= 0 && Double.isFinite(baseRate), "spikes base rate must be >= 0, got " + baseRate);
            check(period > 0 && Double.isFinite(period), "spikes period must be positive, got " + period);
            check(burstDuration > 0 && burstDuration <= period,
                    "spikes burst duration must be positive and at most the period, got " + burstDuration);
            check(meanAmplitude >= 0 && Double.isFinite(meanAmplitude), "spikes amplitude must be >= 0, got " + meanAmplitude);
            check(amplitudeStddev >= 0 && Double.isFinite(amplitudeStddev),
                    "spikes amplitude stddev must be >= 0, got " + amplitudeStddev);
            check(baseRate > 0 || meanAmplitude > 0, "spikes need a positive base rate or amplitude");
        }

        public static Spikes defaults() {
            return new Spikes(5, 60, 10, 20, 5);
        }

        public Spikes withBaseRate(double rate) {
            return new Spikes(rate, period, burstDuration, meanAmplitude, amplitudeStddev);
        }

        /** When burst {@code k} (from 0) starts, in seconds. */
        public double burstStart(int k) {
            return period / 2 + k * period;
        }

        /** When burst {@code k} ends, in seconds. */
        public double burstEnd(int k) {
            return burstStart(k) + burstDuration;
        }

        @Override
        public double meanRate() {
            return baseRate + meanAmplitude * burstDuration / period;
        }

        @Override
        public String describe() {
            return "spikes: " + Fmt.trim(baseRate, 4) + "/s base, +" + Fmt.trim(meanAmplitude, 4) + "/s (±"
                    + Fmt.trim(amplitudeStddev, 4) + ") for " + Durations.format(burstDuration) + " every "
                    + Durations.format(period);
        }

        @Override
        public ArrivalStream stream(long seed, double duration) {
            Rng rng = Rng.stream(seed, 1);
            Rng amplitudes = Rng.stream(seed, 4);
            return new ArrivalStream() {
                // Segment 0 is [0, period/2) at the base rate; segment 2k+1 is burst k; segment 2k+2 the base
                // rate until the next burst. Segments are tracked by index, never recomputed from t by floor().
                private int segment;
                private double segStart;
                private double segEnd = period / 2;
                private double rate = baseRate;
                private double t;

                @Override
                public double next() {
                    while (t < duration) {
                        if (rate > 0) {
                            double candidate = t + rng.nextExponential(1 / rate);
                            if (candidate < segEnd) {
                                t = candidate;
                                if (t >= duration) {
                                    break;
                                }
                                return t;
                            }
                        }
                        // Memoryless: restart the clock at the segment boundary with the next segment's rate.
                        t = segEnd;
                        advanceSegment();
                    }
                    t = Double.POSITIVE_INFINITY;
                    return t;
                }

                private void advanceSegment() {
                    segment++;
                    int k = (segment - 1) / 2;
                    if (segment % 2 == 1) {
                        segStart = burstStart(k);
                        segEnd = segStart + burstDuration;
                        double amp = meanAmplitude + amplitudeStddev * amplitudes.nextGaussian();
                        rate = baseRate + Math.max(0, amp);
                    } else {
                        segStart = burstEnd(k);
                        segEnd = burstStart(k + 1);
                        rate = baseRate;
                    }
                    if (segEnd <= segStart) { // burst == period: no base-rate gap
                        advanceSegment();
                    }
                }
            };
        }

        private static void check(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }

    /**
     * Replays recorded arrival times (seconds from the start of the run, sorted on load). Times are used as
     * they are: subtract the first timestamp yourself if they are epoch seconds.
     */
    record Replay(String source, double[] times) implements ArrivalProcess {

        public Replay {
            if (source == null) {
                source = "replay";
            }
            times = times.clone();
            for (double t : times) {
                if (!(t >= 0) || !Double.isFinite(t)) {
                    throw new IllegalArgumentException("replayed arrival times must be finite and >= 0, got " + t);
                }
            }
            Arrays.sort(times);
        }

        /** Reads a CSV of timestamps in seconds, one per line (the first field of each line); header optional. */
        public static Replay fromCsv(Path path) {
            String text;
            try {
                text = Files.readString(path, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read arrivals CSV '" + path + "': " + e, e);
            }
            return fromCsv(path.toString(), text);
        }

        /** Parses CSV text (see {@link #fromCsv(Path)}); {@code source} names it in errors and reports. */
        public static Replay fromCsv(String source, String text) {
            String[] lines = text.split("\r\n|\r|\n", -1);
            double[] times = new double[16];
            int n = 0;
            boolean seenData = false;
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i].strip();
                if (line.startsWith("\uFEFF")) {
                    line = line.substring(1);
                }
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int comma = line.indexOf(',');
                String field = (comma >= 0 ? line.substring(0, comma) : line).strip();
                if (field.length() >= 2 && field.startsWith("\"") && field.endsWith("\"")) {
                    field = field.substring(1, field.length() - 1).strip();
                }
                double t;
                try {
                    t = Double.parseDouble(field);
                } catch (NumberFormatException e) {
                    if (!seenData) { // the header line
                        seenData = true;
                        continue;
                    }
                    throw new IllegalArgumentException("arrivals CSV '" + source + "' line " + (i + 1)
                            + ": '" + field + "' is not a timestamp in seconds");
                }
                seenData = true;
                if (!(t >= 0) || !Double.isFinite(t)) {
                    throw new IllegalArgumentException("arrivals CSV '" + source + "' line " + (i + 1)
                            + ": timestamp must be finite and >= 0, got " + field);
                }
                if (n == times.length) {
                    times = Arrays.copyOf(times, n * 2);
                }
                times[n++] = t;
            }
            if (n == 0) {
                throw new IllegalArgumentException("arrivals CSV '" + source + "' holds no timestamps");
            }
            return new Replay(source, Arrays.copyOf(times, n));
        }

        /** The last arrival time, in seconds. */
        public double lastTime() {
            return times.length == 0 ? 0 : times[times.length - 1];
        }

        @Override
        public double[] times() {
            return times.clone();
        }

        @Override
        public double meanRate() {
            double last = lastTime();
            return last > 0 ? times.length / last : times.length;
        }

        @Override
        public String describe() {
            return "replay of " + Fmt.count(times.length) + " timestamps from " + source;
        }

        /** Replays every timestamp up to and including {@code duration}. */
        @Override
        public ArrivalStream stream(long seed, double duration) {
            double[] ts = times;
            return new ArrivalStream() {
                private int i;

                @Override
                public double next() {
                    if (i < ts.length && ts[i] <= duration) {
                        return ts[i++];
                    }
                    return Double.POSITIVE_INFINITY;
                }
            };
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Replay r && r.source.equals(source) && Arrays.equals(r.times, times);
        }

        @Override
        public int hashCode() {
            return source.hashCode() * 31 + Arrays.hashCode(times);
        }

        @Override
        public String toString() {
            return "Replay[" + source + ", " + times.length + " timestamps]";
        }
    }

    /**
     * Parses {@code poisson} (optionally {@code poisson:RATE}), {@code spikes} (optionally
     * {@code spikes:base=5,period=60s,burst=10s,amplitude=20,stddev=5}) or {@code csv:PATH}.
     */
    static ArrivalProcess parse(String text) {
        String expected = "expected poisson, poisson:RATE, spikes, spikes:base=5,period=60s,burst=10s,amplitude=20,stddev=5 or csv:PATH";
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty arrival process: " + expected);
        }
        String t = text.trim();
        int colon = t.indexOf(':');
        String kind = (colon < 0 ? t : t.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
        String args = colon < 0 ? "" : t.substring(colon + 1).trim();
        switch (kind) {
            case "poisson" -> {
                if (args.isEmpty()) {
                    return new Poisson(Poisson.DEFAULT_RATE);
                }
                try {
                    return new Poisson(parseRate(args));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("invalid arrival process '" + text + "': " + e.getMessage());
                }
            }
            case "spikes" -> {
                Spikes d = Spikes.defaults();
                if (args.isEmpty()) {
                    return d;
                }
                double base = d.baseRate();
                double period = d.period();
                double burst = d.burstDuration();
                double amp = d.meanAmplitude();
                double sd = d.amplitudeStddev();
                try {
                    for (String kv : args.split(",")) {
                        int eq = kv.indexOf('=');
                        if (eq < 0) {
                            throw new IllegalArgumentException("'" + kv.trim() + "' is not KEY=VALUE");
                        }
                        String key = kv.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                        String value = kv.substring(eq + 1).trim();
                        switch (key) {
                            case "base", "rate" -> base = parseRate(value);
                            case "period" -> period = Durations.parseSeconds(value);
                            case "burst", "duration" -> burst = Durations.parseSeconds(value);
                            case "amplitude", "amp" -> amp = parseRate(value);
                            case "stddev", "sd" -> sd = parseRate(value);
                            default -> throw new IllegalArgumentException("unknown spikes parameter '" + key
                                    + "' (known: base, period, burst, amplitude, stddev)");
                        }
                    }
                    return new Spikes(base, period, burst, amp, sd);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("invalid arrival process '" + text + "': " + e.getMessage());
                }
            }
            case "csv" -> {
                if (args.isEmpty()) {
                    throw new IllegalArgumentException("invalid arrival process '" + text + "': csv needs a path, e.g. csv:arrivals.csv");
                }
                return Replay.fromCsv(Path.of(args));
            }
            default -> throw new IllegalArgumentException("unknown arrival process '" + text + "': " + expected);
        }
    }

    private static double parseRate(String text) {
        String v = text.trim();
        if (v.endsWith("/s")) {
            v = v.substring(0, v.length() - 2).trim();
        }
        try {
            double r = Double.parseDouble(v);
            if (!(r >= 0) || !Double.isFinite(r)) {
                throw new IllegalArgumentException("rate must be a finite number >= 0, got '" + text + "'");
            }
            return r;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a rate (per second)");
        }
    }
}
