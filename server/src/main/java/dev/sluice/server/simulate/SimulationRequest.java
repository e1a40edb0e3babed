package dev.sluice.server.simulate;

import dev.sluice.core.SluiceException;
import dev.sluice.sim.Scenario;
import dev.sluice.store.json.Fields;
import java.util.Locale;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The body of {@code POST /v1/simulations}: the parameters of {@code sluice simulate}, read and
 * bounded so that one request cannot hold the node for long (docs/limits.md). Every field is
 * optional; the defaults are the CLI's (the {@code spikes} scenario).
 *
 * @param scenario what the simulator runs
 * @param sync     whether to run the sync mode (try-acquire, rejected when full)
 * @param async    whether to run the async mode (a FIFO queue in front of the gate)
 */
record SimulationRequest(Scenario scenario, boolean sync, boolean async) {
    /** Simulated time of arrivals, at most. */
    static final double MAX_DURATION_SECONDS = 3600;
    /** Expected arrivals (mean rate × duration), at most: a run of this size takes well under a second. */
    static final double MAX_EXPECTED_ARRIVALS = 200_000;
    /** Retries of a rejected try, at most (each one is another event per request). */
    static final int MAX_RETRIES = 10;
    /** Steps of a limit schedule, at most. */
    static final int MAX_SCHEDULE_STEPS = 100;
    private static final int MAX_TEXT = 2000;
    private static final long MAX_SEED = 9_007_199_254_740_991L;   // 2^53 - 1: what a JavaScript number holds exactly

    static final Set<String> FIELDS = Set.of("scenario", "arrival", "rate", "service", "limit", "limitSchedule", "duration",
            "seed", "mode", "retries", "retryBackoff");

    /**
     * Reads a request body.
     *
     * @throws SluiceException {@code invalid_argument} naming the field, for anything malformed or past a bound
     */
    static SimulationRequest parse(JsonNode json) {
        JsonNode body = Fields.object(json, "simulation");
        Fields.onlyKnown(body, "simulation", FIELDS);
        String mode = text(body, "mode");
        boolean sync = true;
        boolean async = true;
        if (mode != null) {
            switch (mode.strip().toLowerCase(Locale.ROOT)) {
                case "sync" -> async = false;
                case "async" -> sync = false;
                case "both" -> { }
                default -> throw SluiceException.invalid("mode must be sync, async or both, got " + Fields.clip(mode));
            }
        }
        if (Fields.present(body, "limit") && Fields.present(body, "limitSchedule")) {
            throw SluiceException.invalid("give either limit or limitSchedule, not both");
        }
        Scenario scenario;
        try {
            scenario = scenario(body);
        } catch (IllegalArgumentException e) {
            throw SluiceException.invalid(e.getMessage());
        }
        bounds(scenario);
        return new SimulationRequest(scenario, sync, async);
    }

    private static Scenario scenario(JsonNode body) {
        String preset = text(body, "scenario");
        Scenario.Builder b = Scenario.preset(preset == null ? "spikes" : preset);
        String arrival = text(body, "arrival");
        if (arrival != null) {
            String kind = arrival.strip().split(":", 2)[0].strip().toLowerCase(Locale.ROOT);
            if (!kind.equals("poisson") && !kind.equals("spikes")) {
                // csv:PATH would read a file of the node's: the CLI replays files, the server does not
                throw SluiceException.invalid("arrival must be poisson[:RATE] or spikes[:base=…,period=…,burst=…,amplitude=…,stddev=…]"
                        + " (a CSV replay is for the sluice simulate command), got " + Fields.clip(arrival));
            }
            b.arrival(arrival);
            if (preset == null) {
                b.name("custom");
            }
        }
        if (Fields.present(body, "rate")) {
            b.rate(number(body, "rate"));
        }
        String service = text(body, "service");
        if (service != null) {
            b.service(service);
        }
        Integer limit = Fields.integer(body, "limit", 0, 1_000_000);
        if (limit != null) {
            b.limit(limit);
        }
        String schedule = text(body, "limitSchedule");
        if (schedule != null) {
            b.limitSchedule(schedule);
        }
        JsonNode duration = body.get("duration");
        if (duration != null && !duration.isNull()) {
            if (duration.isNumber()) {
                b.duration(duration.doubleValue());
            } else {
                b.duration(text(body, "duration"));
            }
        }
        JsonNode seed = body.get("seed");
        if (seed != null && !seed.isNull()) {
            if (!seed.isIntegralNumber() || !seed.canConvertToLong() || Math.abs(seed.longValue()) > MAX_SEED) {
                throw SluiceException.invalid("seed must be a whole number between -" + MAX_SEED + " and " + MAX_SEED);
            }
            b.seed(seed.longValue());
        }
        Integer retries = Fields.integer(body, "retries", 0, MAX_RETRIES);
        if (retries != null) {
            b.retries(retries);
        }
        String backoff = text(body, "retryBackoff");
        if (backoff != null) {
            b.retryBackoff(backoff);
        }
        return b.build();
    }

    private static void bounds(Scenario s) {
        if (s.duration() > MAX_DURATION_SECONDS) {
            throw SluiceException.invalid("duration must be at most 1h on the server (sluice simulate runs longer ones), got "
                    + s.duration() + "s");
        }
        double expected = s.arrival().meanRate() * s.duration();
        if (expected > MAX_EXPECTED_ARRIVALS) {
            throw SluiceException.invalid(String.format(Locale.ROOT, "the run would offer about %,.0f requests (mean rate %.4g/s × %.0fs);"
                    + " the server simulates at most %,.0f: lower the rate or the duration, or use sluice simulate",
                    expected, s.arrival().meanRate(), s.duration(), MAX_EXPECTED_ARRIVALS));
        }
        if (s.limit().steps().size() > MAX_SCHEDULE_STEPS) {
            throw SluiceException.invalid("limitSchedule has " + s.limit().steps().size() + " steps; at most " + MAX_SCHEDULE_STEPS);
        }
    }

    private static String text(JsonNode body, String field) {
        String s = Fields.string(body, field, MAX_TEXT);
        return s == null || s.isBlank() ? null : s;
    }

    private static double number(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
            throw SluiceException.invalid(field + " must be a number");
        }
        return v.doubleValue();
    }
}
