package dev.sluice.cli.simulate;

import dev.sluice.client.Sluice;
import dev.sluice.sim.HtmlReport;
import dev.sluice.sim.JsonReport;
import dev.sluice.sim.Mode;
import dev.sluice.sim.Scenario;
import dev.sluice.sim.SimulationResult;
import dev.sluice.sim.Simulator;
import dev.sluice.sim.TextReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code sluice simulate}: runs the traffic simulator (module {@code sim}) and prints the figures, optionally
 * writing the HTML report. Thin on purpose: parsing, simulation and rendering all live in {@code dev.sluice.sim}.
 */
@Command(
        name = "simulate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Simulate one semaphore under a traffic pattern, without a queue (sync: try-acquire, rejected when full, "
                    + "optionally retried with backoff) and with Sluice's FIFO queue in front of it (async), and compare "
                    + "rejections, utilization and waits.",
            "Deterministic: the same options and seed give the same result."
        },
        footer = {
            "",
            "Examples:",
            "  sluice simulate --scenario spikes --mode both --out report.html",
            "  sluice simulate --scenario poisson --rate 9 --format json",
            "  sluice simulate --arrival csv:arrivals.csv --service lognormal:1s,0.5 \\",
            "      --limit-schedule 0s:10,600s:20",
            "  sluice simulate --mode sync --retries 3 --duration 30m --seed 7"
        })
public final class SimulateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--scenario", paramLabel = "NAME",
            description = "Preset to start from: spikes (default) or poisson. Other options override its parameters.")
    String scenario;

    @Option(names = "--arrival", paramLabel = "PROCESS",
            description = "Arrival process: poisson[:RATE], spikes[:base=5,period=60s,burst=10s,amplitude=20,stddev=5]"
                    + " or csv:PATH (timestamps in seconds, one per line, header optional).")
    String arrival;

    @Option(names = "--rate", paramLabel = "R", description = "Arrivals per second (Poisson), or the base rate of spikes.")
    Double rate;

    @Option(names = "--service", paramLabel = "DIST",
            description = "Service time: fixed:2s, exp:1s (mean) or lognormal:MEDIAN,SIGMA (e.g. lognormal:1s,0.5). Default exp:1s.")
    String service;

    @Option(names = "--limit", paramLabel = "N", description = "The semaphore's limit (default 10).")
    Integer limit;

    @Option(names = "--limit-schedule", paramLabel = "SCHEDULE",
            description = "A limit that changes over time, e.g. \"0s:10,600s:20\" (instead of --limit).")
    String limitSchedule;

    @Option(names = "--duration", paramLabel = "T",
            description = "How long requests arrive, e.g. 10m, 600s, PT1H (default 10m; a CSV replay: its last timestamp)."
                    + " The run continues until the queue drains.")
    String duration;

    @Option(names = "--seed", paramLabel = "S", description = "Random seed (default 1).")
    Long seed;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "both",
            description = "sync, async or both (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--retries", paramLabel = "K",
            description = "Sync mode: retries of a rejected try, with exponential backoff and full jitter (default 0).")
    Integer retries;

    @Option(names = "--retry-backoff", paramLabel = "T",
            description = "Sync mode: base backoff before the first retry, doubling each time up to 30s (default 1s).")
    String retryBackoff;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
            description = "Figures as a table or as json (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write a self-contained HTML report (charts and figures) to FILE.")
    Path out;

    @Option(names = "--live", paramLabel = "URL",
            description = "Also replay the arrivals against the Sluice server at URL, with real clients (SDK) that hold each"
                    + " permit for its sampled service time, and print the measured figures beside the modelled ones."
                    + " Uses a temporary semaphore; the API key comes from SLUICE_API_KEY.")
    String live;

    @Option(names = "--speed", paramLabel = "X", defaultValue = "10",
            description = "With --live: replay X times faster than modelled (default ${DEFAULT-VALUE}: 10 modelled minutes in 1)."
                    + " Times are reported in modelled seconds.")
    double speed;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();

        String fmt = format.trim().toLowerCase(Locale.ROOT);
        if (!fmt.equals("table") && !fmt.equals("json")) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--format': '" + format + "' (expected table or json)");
        }
        boolean runSync;
        boolean runAsync;
        switch (mode.trim().toLowerCase(Locale.ROOT)) {
            case "sync" -> { runSync = true; runAsync = false; }
            case "async" -> { runSync = false; runAsync = true; }
            case "both" -> { runSync = true; runAsync = true; }
            default -> throw new ParameterException(spec.commandLine(),
                    "Invalid value for option '--mode': '" + mode + "' (expected sync, async or both)");
        }
        if (limit != null && limitSchedule != null) {
            throw new ParameterException(spec.commandLine(), "Use either --limit or --limit-schedule, not both");
        }

        Scenario s;
        try {
            s = scenario();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }

        SimulationResult sync = runSync ? Simulator.run(s, Mode.SYNC) : null;
        SimulationResult async = runAsync ? Simulator.run(s, Mode.ASYNC) : null;
        if (live != null) {
            if (out != null) {
                throw new ParameterException(spec.commandLine(), "--out is not available with --live");
            }
            if (!(speed > 0) || !Double.isFinite(speed)) {
                throw new ParameterException(spec.commandLine(), "--speed must be positive, got " + speed);
            }
            Sluice.Builder client;
            try {
                client = Sluice.builder().baseUrl(live).apiKey(System.getenv("SLUICE_API_KEY"));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--live': " + e.getMessage());
            }
            return LiveReport.run(client, live, speed, s, sync, async, fmt.equals("json"), stdout, stderr);
        }

        if (fmt.equals("json")) {
            stdout.println(JsonReport.render(sync, async));
        } else {
            stdout.print(TextReport.render(s, sync, async));
        }
        if (out != null) {
            Path file = out.toAbsolutePath().normalize();
            try {
                if (file.getParent() != null) {
                    Files.createDirectories(file.getParent());
                }
                Files.writeString(file, HtmlReport.render(s, sync, async), StandardCharsets.UTF_8);
            } catch (IOException e) {
                stderr.println("Cannot write the report to " + file + ": " + e.getMessage());
                stderr.flush();
                stdout.flush();
                return 1;
            }
            // With --format json, stdout carries only the JSON (so it can be piped); the note goes to stderr.
            PrintWriter note = fmt.equals("json") ? stderr : stdout;
            if (!fmt.equals("json")) {
                note.println();
            }
            note.println("Wrote the HTML report to " + file);
            note.flush();
        }
        stdout.flush();
        return 0;
    }

    private Scenario scenario() {
        Scenario.Builder b = Scenario.preset(scenario == null ? "spikes" : scenario);
        if (arrival != null) {
            b.arrival(arrival);
            if (scenario == null) {
                b.name("custom");
            }
        }
        if (rate != null) {
            b.rate(rate);
        }
        if (service != null) {
            b.service(service);
        }
        if (limit != null) {
            b.limit(limit);
        }
        if (limitSchedule != null) {
            b.limitSchedule(limitSchedule);
        }
        if (duration != null) {
            b.duration(duration);
        }
        if (seed != null) {
            b.seed(seed);
        }
        if (retries != null) {
            b.retries(retries);
        }
        if (retryBackoff != null) {
            b.retryBackoff(retryBackoff);
        }
        return b.build();
    }
}
