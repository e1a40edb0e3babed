package dev.sluice.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The figures as an aligned plain-text table (columns sync | async), for terminals. */
public final class TextReport {

    private TextReport() {
    }

    /** The parameters, then the figures of one or both modes (either may be {@code null}). */
    public static String render(Scenario scenario, SimulationResult sync, SimulationResult async) {
        StringBuilder b = new StringBuilder();
        if (scenario != null) {
            Map<String, String> params = scenario.parameters();
            int w = params.keySet().stream().mapToInt(String::length).max().orElse(0);
            for (Map.Entry<String, String> e : params.entrySet()) {
                b.append(pad(e.getKey(), w)).append("  ").append(e.getValue()).append('\n');
            }
            b.append('\n');
        }
        List<SimulationResult> results = new ArrayList<>();
        if (sync != null) {
            results.add(sync);
        }
        if (async != null) {
            results.add(async);
        }
        String[] labels = {"offered", "completed", "rejected", "utilization", "wait mean", "wait p50", "wait p95",
                "wait p99", "max waiting", "drain time", "attempts"};
        List<String[]> columns = new ArrayList<>();
        for (SimulationResult r : results) {
            Figures f = r.figures();
            columns.add(new String[] {
                    Fmt.count(f.offered()),
                    Fmt.count(f.completed()),
                    Fmt.pct(f.rejectedPct()) + " (" + Fmt.count(f.rejected()) + ")",
                    Fmt.pct(f.utilizationPct()),
                    Fmt.seconds(f.waitMean()),
                    Fmt.seconds(f.waitP50()),
                    Fmt.seconds(f.waitP95()),
                    Fmt.seconds(f.waitP99()),
                    Fmt.count(f.maxWaiting()),
                    Fmt.seconds(f.drainTime()),
                    Fmt.count(f.attempts())});
        }
        int labelWidth = 0;
        for (String l : labels) {
            labelWidth = Math.max(labelWidth, l.length());
        }
        int[] widths = new int[results.size()];
        for (int c = 0; c < results.size(); c++) {
            widths[c] = results.get(c).mode().label().length();
            for (String v : columns.get(c)) {
                widths[c] = Math.max(widths[c], v.length());
            }
        }
        b.append(pad("", labelWidth));
        for (int c = 0; c < results.size(); c++) {
            b.append("   ").append(padLeft(results.get(c).mode().label(), widths[c]));
        }
        b.append('\n');
        b.append("-".repeat(labelWidth));
        for (int w : widths) {
            b.append("   ").append("-".repeat(w));
        }
        b.append('\n');
        for (int i = 0; i < labels.length; i++) {
            b.append(pad(labels[i], labelWidth));
            for (int c = 0; c < results.size(); c++) {
                b.append("   ").append(padLeft(columns.get(c)[i], widths[c]));
            }
            b.append('\n');
        }
        return b.toString();
    }

    private static String pad(String s, int w) {
        return s.length() >= w ? s : s + " ".repeat(w - s.length());
    }

    private static String padLeft(String s, int w) {
        return s.length() >= w ? s : " ".repeat(w - s.length()) + s;
    }
}
