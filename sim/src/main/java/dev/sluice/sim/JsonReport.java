package dev.sluice.sim;

/**
 * The figures as JSON: {@code {"sync": {...}, "async": {...}}} (a mode that was not run is left out). Keys per
 * mode: {@code offered, completed, rejectedPct, utilizationPct, waitMean, waitP50, waitP95, waitP99,
 * maxWaiting, drainTime}; times in seconds; an undefined figure is {@code null}. Optionally a {@code series}
 * object per mode. Written by hand: no JSON library.
 */
public final class JsonReport {

    private JsonReport() {
    }

    /** The figures of one or both modes (either may be {@code null}), without series. */
    public static String render(SimulationResult sync, SimulationResult async) {
        return render(sync, async, false);
    }

    /** The figures of one or both modes (either may be {@code null}), with the time series if asked. */
    public static String render(SimulationResult sync, SimulationResult async, boolean includeSeries) {
        StringBuilder b = new StringBuilder(includeSeries ? 64_000 : 1024);
        b.append('{');
        boolean first = true;
        for (SimulationResult r : new SimulationResult[] {sync, async}) {
            if (r == null) {
                continue;
            }
            if (!first) {
                b.append(',');
            }
            first = false;
            b.append("\n  ").append(string(r.mode().label())).append(": ");
            mode(b, r, includeSeries);
        }
        b.append(first ? "}" : "\n}");
        return b.toString();
    }

    private static void mode(StringBuilder b, SimulationResult r, boolean includeSeries) {
        Figures f = r.figures();
        b.append('{');
        field(b, "offered", Long.toString(f.offered()), true);
        field(b, "completed", Long.toString(f.completed()), false);
        field(b, "rejectedPct", Fmt.json(f.rejectedPct()), false);
        field(b, "utilizationPct", Fmt.json(f.utilizationPct()), false);
        field(b, "waitMean", Fmt.json(f.waitMean()), false);
        field(b, "waitP50", Fmt.json(f.waitP50()), false);
        field(b, "waitP95", Fmt.json(f.waitP95()), false);
        field(b, "waitP99", Fmt.json(f.waitP99()), false);
        field(b, "maxWaiting", Long.toString(f.maxWaiting()), false);
        field(b, "drainTime", Fmt.json(f.drainTime()), false);
        if (includeSeries) {
            Series s = r.series();
            b.append(",\n    ").append(string("series")).append(": {");
            b.append("\n      ").append(string("bucketWidth")).append(": ").append(Fmt.json(s.bucketWidth()));
            array(b, "time", s.time());
            array(b, "inUse", s.inUse());
            array(b, "inUseMax", s.inUseMax());
            array(b, "limit", s.limit());
            array(b, "waiting", s.waiting());
            array(b, "waitingMax", s.waitingMax());
            array(b, "arrivals", s.arrivals());
            array(b, "rejections", s.rejections());
            array(b, "retries", s.retries());
            b.append("\n    }");
        }
        b.append("\n  }");
    }

    private static void field(StringBuilder b, String key, String value, boolean first) {
        b.append(first ? "\n    " : ",\n    ").append(string(key)).append(": ").append(value);
    }

    private static void array(StringBuilder b, String key, double[] values) {
        b.append(",\n      ").append(string(key)).append(": [");
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(Fmt.json(values[i]));
        }
        b.append(']');
    }

    private static void array(StringBuilder b, String key, long[] values) {
        b.append(",\n      ").append(string(key)).append(": [");
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(values[i]);
        }
        b.append(']');
    }

    /** A JSON string literal. */
    static String string(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
