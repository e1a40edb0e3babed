package dev.sluice.cli.simulate;

import dev.sluice.cli.remote.ExitCodes;
import dev.sluice.cli.remote.Output;
import dev.sluice.client.Sluice;
import dev.sluice.sim.Figures;
import dev.sluice.sim.Mode;
import dev.sluice.sim.Scenario;
import dev.sluice.sim.SimulationResult;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import tools.jackson.databind.node.ObjectNode;

/** Runs {@link LiveRun} for the simulated modes and prints measured beside modelled, as a table or JSON. */
final class LiveReport {
    private LiveReport() {
    }

    /** Replays against {@code client}'s server the modes of {@code sync} and {@code async} that were simulated. */
    static int run(Sluice.Builder client, String url, double speed, Scenario scenario, SimulationResult sync,
                   SimulationResult async, boolean json, PrintWriter out, PrintWriter err) {
        List<SimulationResult> modelled = new ArrayList<>();
        List<LiveRun.Measured> measured = new ArrayList<>();
        int arrivals;
        try (Sluice sluice = client.build()) {
            LiveRun live = new LiveRun(sluice, scenario, speed, err);
            arrivals = live.arrivals();
            err.printf(Locale.ROOT, "replaying %d arrivals %sx faster than modelled against %s (about %.0f s per mode)%n",
                    arrivals, trim(speed), url, scenario.duration() / speed);
            err.flush();
            for (SimulationResult r : new SimulationResult[] {sync, async}) {
                if (r != null) {
                    modelled.add(r);
                    measured.add(live.run(r.mode()));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.FAILED;
        }
        if (json) {
            ObjectNode n = Output.JSON.createObjectNode();
            n.put("server", url);
            n.put("speed", speed);
            n.put("arrivals", arrivals);
            for (int i = 0; i < modelled.size(); i++) {
                ObjectNode mode = n.putObject(modelled.get(i).mode().label());
                figures(mode.putObject("modelled"), modelled.get(i).figures());
                ObjectNode m = mode.putObject("measured");
                figures(m, measured.get(i).figures());
                m.put("peakInUse", measured.get(i).peakInUse());
            }
            out.println(Output.JSON.writeValueAsString(n));
        } else {
            out.print(table(scenario, url, speed, modelled, measured));
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static void figures(ObjectNode n, Figures f) {
        n.put("offered", f.offered());
        n.put("completed", f.completed());
        n.put("rejected", f.rejected());
        number(n, "rejectedPct", f.rejectedPct());
        number(n, "utilizationPct", f.utilizationPct());
        number(n, "waitMean", f.waitMean());
        number(n, "waitP50", f.waitP50());
        number(n, "waitP95", f.waitP95());
        number(n, "waitP99", f.waitP99());
        n.put("maxWaiting", f.maxWaiting());
        number(n, "drainTime", f.drainTime());
        n.put("attempts", f.attempts());
    }

    private static void number(ObjectNode n, String field, double v) {
        if (Double.isFinite(v)) {
            n.put(field, v);
        } else {
            n.putNull(field);
        }
    }

    private static String table(Scenario scenario, String url, double speed, List<SimulationResult> modelled,
                                List<LiveRun.Measured> measured) {
        StringBuilder b = new StringBuilder();
        Map<String, String> params = scenario.parameters();
        int pw = params.keySet().stream().mapToInt(String::length).max().orElse(0);
        params.forEach((k, v) -> b.append(pad(k, pw)).append("  ").append(v).append('\n'));
        b.append(pad("live run", pw)).append("  ").append(url).append(", ").append(trim(speed))
                .append("x faster; measured times in modelled seconds\n\n");

        List<String> labels = List.of("offered", "completed", "rejected", "utilization", "wait mean", "wait p50",
                "wait p95", "wait p99", "max waiting", "drain time", "attempts", "peak in use");
        List<Function<Figures, String>> cells = List.of(
                f -> Long.toString(f.offered()), f -> Long.toString(f.completed()),
                f -> pct(f.rejectedPct()) + " (" + f.rejected() + ")", f -> pct(f.utilizationPct()),
                f -> seconds(f.waitMean()), f -> seconds(f.waitP50()), f -> seconds(f.waitP95()), f -> seconds(f.waitP99()),
                f -> Long.toString(f.maxWaiting()), f -> seconds(f.drainTime()), f -> Long.toString(f.attempts()));
        List<String> header1 = new ArrayList<>(List.of(""));
        List<String> header2 = new ArrayList<>(List.of(""));
        List<List<String>> columns = new ArrayList<>();
        for (int i = 0; i < modelled.size(); i++) {
            Mode mode = modelled.get(i).mode();
            for (boolean isMeasured : new boolean[] {false, true}) {
                Figures f = isMeasured ? measured.get(i).figures() : modelled.get(i).figures();
                List<String> col = new ArrayList<>();
                cells.forEach(c -> col.add(c.apply(f)));
                col.add(isMeasured ? Integer.toString(measured.get(i).peakInUse()) : "-");
                columns.add(col);
                header1.add(isMeasured ? "" : mode.label());
                header2.add(isMeasured ? "measured" : "modelled");
            }
        }
        int lw = labels.stream().mapToInt(String::length).max().orElse(0);
        int[] w = new int[columns.size()];
        for (int c = 0; c < columns.size(); c++) {
            w[c] = Math.max(header1.get(c + 1).length(), header2.get(c + 1).length());
            for (String v : columns.get(c)) {
                w[c] = Math.max(w[c], v.length());
            }
        }
        for (List<String> header : List.of(header1, header2)) {
            b.append(pad("", lw));
            for (int c = 0; c < columns.size(); c++) {
                b.append("   ").append(padLeft(header.get(c + 1), w[c]));
            }
            b.append('\n');
        }
        for (int r = 0; r < labels.size(); r++) {
            b.append(pad(labels.get(r), lw));
            for (int c = 0; c < columns.size(); c++) {
                b.append("   ").append(padLeft(columns.get(c).get(r), w[c]));
            }
            b.append('\n');
        }
        return b.toString().lines().map(String::stripTrailing).reduce("", (x, y) -> x + y + "\n");
    }

    private static String pct(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.1f%%", v) : "-";
    }

    private static String seconds(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2fs", v) : "-";
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static String pad(String s, int w) {
        return s.length() >= w ? s : s + " ".repeat(w - s.length());
    }

    private static String padLeft(String s, int w) {
        return s.length() >= w ? s : " ".repeat(w - s.length()) + s;
    }
}
