package dev.sluice.sim;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a simulation run depends on. Same scenario (including {@link #seed()}) → identical result.
 *
 * @param name            a label for reports ({@code spikes}, {@code poisson}, {@code custom})
 * @param arrival         when requests arrive
 * @param service         how long a granted request holds its permit
 * @param limit           the semaphore's limit over time
 * @param duration        arrivals are generated in {@code [0, duration)} seconds (a replay: up to and including
 *                        it); the run then continues until the system drains
 * @param seed            seed of every random stream
 * @param retries         sync mode only: how many times a rejected try is retried (0 = never)
 * @param retryBackoff    base delay of the exponential backoff, seconds: retry {@code n} (from 1) waits a
 *                        uniform random time in {@code [0, min(retryMaxBackoff, retryBackoff·2^(n-1)))} ("full jitter")
 * @param retryMaxBackoff cap of the backoff, seconds
 * @param buckets         target number of points of the time series (merged down when the drain runs long)
 */
public record Scenario(
        String name,
        ArrivalProcess arrival,
        ServiceTime service,
        LimitSchedule limit,
        double duration,
        long seed,
        int retries,
        double retryBackoff,
        double retryMaxBackoff,
        int buckets) {

    public static final long DEFAULT_SEED = 1;
    public static final double DEFAULT_DURATION = 600;
    public static final int DEFAULT_BUCKETS = 300;

    public Scenario {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(arrival, "arrival");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(limit, "limit");
        if (!(duration > 0) || !Double.isFinite(duration)) {
            throw new IllegalArgumentException("duration must be positive and finite, got " + duration);
        }
        if (retries < 0 || retries > 100) {
            throw new IllegalArgumentException("retries must be between 0 and 100, got " + retries);
        }
        if (!(retryBackoff > 0) || !Double.isFinite(retryBackoff)) {
            throw new IllegalArgumentException("retry backoff must be positive, got " + retryBackoff);
        }
        if (!(retryMaxBackoff >= retryBackoff) || !Double.isFinite(retryMaxBackoff)) {
            throw new IllegalArgumentException("retry max backoff must be at least the retry backoff, got " + retryMaxBackoff);
        }
        if (buckets < 10 || buckets > 100_000) {
            throw new IllegalArgumentException("buckets must be between 10 and 100000, got " + buckets);
        }
    }

    /** A builder with the defaults: Poisson 8/s, {@code exp:1s}, limit 10, 10 minutes, seed 1, no retries. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder preset to a named scenario:
     * <ul>
     *   <li>{@code spikes} — {@link ArrivalProcess.Spikes#defaults()}, {@code exp:1s}, limit 10, 10 minutes;</li>
     *   <li>{@code poisson} — Poisson 8/s, {@code exp:1s}, limit 10, 10 minutes (an M/M/10 at 80% load).</li>
     * </ul>
     */
    public static Builder preset(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "spikes" -> new Builder().name("spikes").arrival(ArrivalProcess.Spikes.defaults());
            case "poisson" -> new Builder().name("poisson").arrival(new ArrivalProcess.Poisson(ArrivalProcess.Poisson.DEFAULT_RATE));
            default -> throw new IllegalArgumentException("unknown scenario '" + name + "': expected spikes or poisson");
        };
    }

    /** The spikes preset, built. */
    public static Scenario spikes() {
        return preset("spikes").build();
    }

    /** The poisson preset, built. */
    public static Scenario poisson() {
        return preset("poisson").build();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.name = name;
        b.arrival = arrival;
        b.service = service;
        b.limit = limit;
        b.duration = duration;
        b.seed = seed;
        b.retries = retries;
        b.retryBackoff = retryBackoff;
        b.retryMaxBackoff = retryMaxBackoff;
        b.buckets = buckets;
        return b;
    }

    /** The parameters as ordered label → value pairs, for reports. */
    public Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("scenario", name);
        p.put("arrivals", arrival.describe());
        p.put("mean arrival rate", Fmt.trim(arrival.meanRate(), 3) + "/s");
        p.put("service time", service.spec() + " (mean " + Durations.format(service.mean()) + ")");
        p.put("limit", limit.spec());
        double load = arrival.meanRate() * service.mean();
        p.put("offered load", Fmt.trim(load, 2) + " Erlang (" + Fmt.trim(100 * load / Math.max(1, limit.steps().getFirst().limit()), 1)
                + "% of the initial limit)");
        p.put("duration", Durations.format(duration) + " of arrivals, then until drained");
        p.put("sync retries", retries == 0 ? "none"
                : retries + " (backoff " + Durations.format(retryBackoff) + " doubling up to " + Durations.format(retryMaxBackoff) + ", full jitter)");
        p.put("seed", Long.toString(seed));
        return p;
    }

    /** Builds a {@link Scenario}; setters taking strings parse them and throw {@link IllegalArgumentException} with a clear message. */
    public static final class Builder {
        private String name = "custom";
        private ArrivalProcess arrival = new ArrivalProcess.Poisson(ArrivalProcess.Poisson.DEFAULT_RATE);
        private ServiceTime service = new ServiceTime.Exponential(1);
        private LimitSchedule limit = LimitSchedule.constant(10);
        private Double duration;
        private long seed = DEFAULT_SEED;
        private int retries;
        private double retryBackoff = 1;
        private double retryMaxBackoff = 30;
        private int buckets = DEFAULT_BUCKETS;

        private Builder() {
        }

        public Builder name(String name) {
            this.name = Objects.requireNonNull(name);
            return this;
        }

        public Builder arrival(ArrivalProcess arrival) {
            this.arrival = Objects.requireNonNull(arrival);
            return this;
        }

        /** {@code poisson}, {@code poisson:RATE}, {@code spikes}, {@code spikes:base=…,period=…}, {@code csv:PATH}. */
        public Builder arrival(String spec) {
            return arrival(ArrivalProcess.parse(spec));
        }

        /** The Poisson rate, or the spikes' base rate, per second. */
        public Builder rate(double rate) {
            switch (arrival) {
                case ArrivalProcess.Poisson p -> arrival = new ArrivalProcess.Poisson(rate);
                case ArrivalProcess.Spikes s -> {
                    if (!(rate >= 0) || !Double.isFinite(rate)) {
                        throw new IllegalArgumentException("arrival rate must be >= 0, got " + rate);
                    }
                    arrival = s.withBaseRate(rate);
                }
                case ArrivalProcess.Replay r ->
                        throw new IllegalArgumentException("a rate does not apply to a CSV replay (its timestamps set the rate)");
            }
            return this;
        }

        public Builder service(ServiceTime service) {
            this.service = Objects.requireNonNull(service);
            return this;
        }

        /** {@code fixed:2s}, {@code exp:1s}, {@code lognormal:1s,0.5}. */
        public Builder service(String spec) {
            return service(ServiceTime.parse(spec));
        }

        public Builder limit(int limit) {
            this.limit = LimitSchedule.constant(limit);
            return this;
        }

        public Builder limitSchedule(LimitSchedule schedule) {
            this.limit = Objects.requireNonNull(schedule);
            return this;
        }

        /** {@code "0s:10,600s:20"} or {@code "10"}. */
        public Builder limitSchedule(String spec) {
            return limitSchedule(LimitSchedule.parse(spec));
        }

        public Builder duration(double seconds) {
            if (!(seconds > 0) || !Double.isFinite(seconds)) {
                throw new IllegalArgumentException("duration must be positive, got " + seconds);
            }
            this.duration = seconds;
            return this;
        }

        /** {@code 10m}, {@code 600s}, {@code PT10M}… */
        public Builder duration(String spec) {
            return duration(Durations.parsePositive(spec, "duration"));
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder retries(int retries) {
            this.retries = retries;
            return this;
        }

        public Builder retryBackoff(double seconds) {
            this.retryBackoff = seconds;
            if (retryMaxBackoff < seconds) {
                retryMaxBackoff = seconds;
            }
            return this;
        }

        public Builder retryBackoff(String spec) {
            return retryBackoff(Durations.parsePositive(spec, "retry backoff"));
        }

        public Builder retryMaxBackoff(double seconds) {
            this.retryMaxBackoff = seconds;
            return this;
        }

        public Builder retryMaxBackoff(String spec) {
            return retryMaxBackoff(Durations.parsePositive(spec, "retry max backoff"));
        }

        public Builder buckets(int buckets) {
            this.buckets = buckets;
            return this;
        }

        /**
         * Builds the scenario. Without an explicit duration, a replay runs up to its last timestamp (at least 1 s)
         * and the other processes for {@link #DEFAULT_DURATION} seconds.
         */
        public Scenario build() {
            double d;
            if (duration != null) {
                d = duration;
            } else if (arrival instanceof ArrivalProcess.Replay r) {
                d = Math.max(1, r.lastTime());
            } else {
                d = DEFAULT_DURATION;
            }
            return new Scenario(name, arrival, service, limit, d, seed, retries, retryBackoff, retryMaxBackoff, buckets);
        }
    }
}
