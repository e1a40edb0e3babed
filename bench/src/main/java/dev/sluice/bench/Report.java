package dev.sluice.bench;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The outcome of a run: the machine, the results, what was skipped, and the ratios of Sluice to
 * each peer and ceiling, as a table or as JSON.
 */
public record Report(Map<String, Object> machine, Instant date, String command, List<Result> results, List<Skip> skipped) {

    /** Sluice's throughput over another system's in a comparable cell. */
    public record Ratio(String scenario, String variant, int clients, String versus, double ratio, String meaning) {}

    public Report {
        results = List.copyOf(results);
        skipped = List.copyOf(skipped);
    }

    /**
     * Peers and the in-process semaphore: same scenario, variant and clients. The empty request:
     * pairs per request at the same clients (a pair is two requests: 0.5 is the wall). fsync: pairs
     * per fsync of one thread (above 1 only thanks to group commit; each pair is two commits).
     */
    public List<Ratio> ratios() {
        List<Ratio> out = new ArrayList<>();
        for (Result s : results) {
            if (!s.system().equals("sluice")) {
                continue;
            }
            for (Result o : results) {
                if (o.system().equals("sluice") || !o.scenario().equals(s.scenario())) {
                    continue;
                }
                if (o.variant().equals(s.variant()) && o.clients() == s.clients()) {
                    out.add(new Ratio(s.scenario(), s.variant(), s.clients(), o.system(), s.throughput() / o.throughput(),
                            "sluice " + s.unit() + "/s over " + o.system() + " " + o.unit() + "/s"));
                } else if (s.scenario().equals("try-release") && o.system().equals("empty-http") && o.clients() == s.clients()) {
                    out.add(new Ratio(s.scenario(), s.variant(), s.clients(), o.system(), s.throughput() / o.throughput(),
                            "pairs/s over empty requests/s (a pair is two requests: 0.5 is the wall)"));
                } else if (s.scenario().equals("try-release") && o.system().equals("fsync")) {
                    out.add(new Ratio(s.scenario(), s.variant(), s.clients(), o.system(), s.throughput() / o.throughput(),
                            "pairs/s over fsyncs/s of one thread (a pair commits twice: above 0.5 only through group commit)"));
                }
            }
        }
        return out;
    }

    public String json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("machine", machine);
        root.put("date", date.toString());
        root.put("command", command);
        root.put("results", results);
        root.put("skipped", skipped);
        root.put("ratios", ratios());
        return JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build().writeValueAsString(root);
    }

    public void printTable(PrintStream out) {
        out.printf(Locale.ROOT, "Sluice benchmarks — %s%n%s%n", date, command);
        machine.forEach((k, v) -> out.printf(Locale.ROOT, "  %-20s %s%n", k, v));
        String previous = null;
        for (Result r : results) {
            String group = r.scenario() + " · " + r.variant();
            if (!group.equals(previous)) {
                out.printf(Locale.ROOT, "%n%s   (latency: %s)%n", group, r.latency());
                out.printf(Locale.ROOT, "  %-17s %7s %14s %-10s %9s %9s %9s %9s %9s %12s %9s%n", "system", "clients", "throughput", "unit",
                        "p50 ms", "p99 ms", "cpu µs", "alloc KiB", "heap MiB", "commits/unit", "commit ms");
                previous = group;
            }
            out.printf(Locale.ROOT, "  %-17s %7d %,14.0f %-10s %9.2f %9.2f %9.0f %9.1f %9s %12s %9s%s%n", r.system(), r.clients(),
                    r.throughput(), r.unit() + "/s", Harness.orNaN(r.p50Ms()), Harness.orNaN(r.p99Ms()), Harness.orNaN(r.cpuUsPerUnit()),
                    Harness.orNaN(r.allocKbPerUnit()), r.heapMb() == null ? "" : String.format(Locale.ROOT, "%.0f", r.heapMb()),
                    r.commitsPerUnit() == null ? "" : String.format(Locale.ROOT, "%.2f", r.commitsPerUnit()),
                    r.commitMs() == null ? "" : String.format(Locale.ROOT, "%.2f", r.commitMs()),
                    r.errors() == 0 ? "" : "  " + r.errors() + " errors");
        }
        List<Ratio> ratios = ratios();
        if (!ratios.isEmpty()) {
            out.printf(Locale.ROOT, "%nRatios (Sluice over …)%n");
            for (Ratio x : ratios) {
                out.printf(Locale.ROOT, "  %-11s %-22s %3d clients  vs %-17s %8.2f   %s%n", x.scenario(), x.variant(), x.clients(),
                        x.versus(), x.ratio(), x.meaning());
            }
        }
        if (!skipped.isEmpty()) {
            out.printf(Locale.ROOT, "%nSkipped%n");
            skipped.forEach(s -> out.printf(Locale.ROOT, "  %-17s %-11s %s%n", s.system(), s.scenario(), s.reason()));
        }
    }
}
