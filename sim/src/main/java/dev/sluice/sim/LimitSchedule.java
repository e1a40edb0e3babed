package dev.sluice.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * The semaphore's limit over time: steps {@code (at, limit)} starting at 0 s, parsed from
 * {@code "0s:10,600s:20"} (or just {@code "10"} for a constant limit). Raising the limit grants waiting
 * work at once; lowering it revokes nothing but grants nothing new until in-use drops below it.
 */
public record LimitSchedule(List<Step> steps) {

    /** The highest limit a semaphore accepts. */
    public static final int MAX_LIMIT = 1_000_000;

    /** From {@code at} seconds on, the limit is {@code limit}. */
    public record Step(double at, int limit) {
        public Step {
            if (!(at >= 0) || !Double.isFinite(at)) {
                throw new IllegalArgumentException("limit step time must be finite and >= 0, got " + at);
            }
            if (limit < 0 || limit > MAX_LIMIT) {
                throw new IllegalArgumentException("limit must be between 0 and " + MAX_LIMIT + ", got " + limit);
            }
        }
    }

    public LimitSchedule {
        steps = List.copyOf(steps);
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("limit schedule is empty");
        }
        if (steps.getFirst().at() != 0) {
            throw new IllegalArgumentException("limit schedule must start at 0s, e.g. 0s:10,600s:20");
        }
        for (int i = 1; i < steps.size(); i++) {
            if (!(steps.get(i).at() > steps.get(i - 1).at())) {
                throw new IllegalArgumentException("limit schedule times must increase strictly: "
                        + Durations.format(steps.get(i).at()) + " follows " + Durations.format(steps.get(i - 1).at()));
            }
        }
    }

    /** A limit that never changes. */
    public static LimitSchedule constant(int limit) {
        return new LimitSchedule(List.of(new Step(0, limit)));
    }

    /** Parses {@code "0s:10,600s:20"} (times are durations from the start) or a single number. */
    public static LimitSchedule parse(String text) {
        String expected = "expected TIME:LIMIT pairs from 0s, e.g. 0s:10,600s:20, or a single limit such as 10";
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty limit schedule: " + expected);
        }
        String t = text.trim();
        try {
            if (t.indexOf(':') < 0 && t.indexOf(',') < 0) {
                return constant(parseLimit(t));
            }
            List<Step> steps = new ArrayList<>();
            for (String part : t.split(",", -1)) {
                String p = part.trim();
                int colon = p.lastIndexOf(':');
                if (colon < 0) {
                    throw new IllegalArgumentException("'" + p + "' is not TIME:LIMIT");
                }
                steps.add(new Step(Durations.parseSeconds(p.substring(0, colon)), parseLimit(p.substring(colon + 1))));
            }
            return new LimitSchedule(steps);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid limit schedule '" + text + "': " + e.getMessage() + " (" + expected + ")", e);
        }
    }

    private static int parseLimit(String text) {
        String v = text.trim();
        try {
            long n = Long.parseLong(v);
            if (n < 0 || n > MAX_LIMIT) {
                throw new IllegalArgumentException("limit must be between 0 and " + MAX_LIMIT + ", got " + v);
            }
            return (int) n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("limit '" + v + "' is not a whole number");
        }
    }

    /** The limit in force at time {@code t} (seconds). */
    public int limitAt(double t) {
        int limit = steps.getFirst().limit();
        for (Step s : steps) {
            if (s.at() <= t) {
                limit = s.limit();
            } else {
                break;
            }
        }
        return limit;
    }

    /** The highest limit in the schedule. */
    public int maxLimit() {
        int max = 0;
        for (Step s : steps) {
            max = Math.max(max, s.limit());
        }
        return max;
    }

    /** Whether the limit never changes. */
    public boolean isConstant() {
        return steps.size() == 1;
    }

    /** The canonical textual form, parseable by {@link #parse(String)}. */
    public String spec() {
        if (isConstant()) {
            return Integer.toString(steps.getFirst().limit());
        }
        StringBuilder b = new StringBuilder();
        for (Step s : steps) {
            if (!b.isEmpty()) {
                b.append(',');
            }
            b.append(Durations.format(s.at())).append(':').append(s.limit());
        }
        return b.toString();
    }
}
