package dev.sluice.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluice bench}: measures Sluice beside its peers and its ceilings, in one run, on this
 * machine. The {@code ./sluice} launcher runs it from the bench module's jar, so that the peers'
 * libraries never reach the server's class path.
 */
@Command(name = "sluice bench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Measure Sluice (one node on its durable embedded store, one node and three nodes on PostgreSQL) beside the peers a team could use "
                    + "instead and the ceilings it is bounded by, all started here, in one run, at 1, 16 and 64 concurrent clients.",
            "Scenarios: try-release (try-acquire + release pairs), handoff (release -> grant to a waiting client, and the "
                    + "contended try-loop), async (enqueue -> claim -> complete; idle gap of a permit), scaling (jobs waiting, "
                    + "semaphores).",
            "Systems: sluice, sluice-postgres, sluice-3-nodes (three nodes sharing one PostgreSQL), redisson (needs redis-server), curator, hazelcast, postgres-counter, and the "
                    + "ceilings empty-http, jdk-semaphore, fsync. A system that cannot run here is skipped with the reason.",
            "Progress goes to stderr, the report to stdout. Never run it beside other load: the figures are the machine's."
        },
        footer = {
            "",
            "Examples:",
            "  ./sluice bench --quick                       # about 90 s, small sizes, one run of 0.5 s per cell",
            "  ./sluice bench --format json > bench.json     # the full suite (half an hour or more), medians of 3 runs",
            "  ./sluice bench --quick --systems sluice,redisson,empty-http",
            "  ./sluice bench jmh CoreBench                 # JMH micro-benchmarks of the core and the store"
        },
        subcommands = {JmhCommand.class})
public final class BenchCommand implements Callable<Integer> {

    enum Format { table, json }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--quick", description = "About 90 s: clients 1 and 64, 0.5 s per cell, small scaling sizes. A smoke run: its cells start "
            + "seconds after the JVM, while the JIT is still compiling, so Sluice (measured first) shows a fraction of what a full "
            + "run measures.")
    boolean quick;

    @Option(names = "--format", paramLabel = "FORMAT", description = "table (default) or json.")
    Format format = Format.table;

    @Option(names = "--systems", paramLabel = "LIST", split = ",",
            description = "Only these systems (default: all): sluice, sluice-postgres, sluice-3-nodes, redisson, curator, hazelcast, "
                    + "postgres-counter, empty-http, jdk-semaphore, fsync.")
    List<String> systems;

    @Option(names = "--scenarios", paramLabel = "LIST", split = ",",
            description = "Only these scenarios (default: all): try-release, handoff, async, scaling.")
    List<String> scenarios;

    @Option(names = "--clients", paramLabel = "LIST", split = ",",
            description = "Client counts of the try-release and async scenarios (default 1,16,64; --quick 1,64).")
    List<Integer> clients;

    @Option(names = "--runs", paramLabel = "N", description = "Measurements per cell; the median is reported (default 3, --quick 1).")
    Integer runs;

    @Option(names = "--seconds", paramLabel = "S", description = "Length of each measurement (default 5, --quick 0.5).")
    Integer seconds;

    @Option(names = "--data", paramLabel = "DIR",
            description = "Where the stores and the fsync probe write (default: a new temporary directory, deleted after). "
                    + "Put it on the disk you would give the server.")
    Path data;

    @Option(names = "--tiny", hidden = true, description = "Seconds, meaningless figures: the shape of a run, for tests.")
    boolean tiny;

    private final String[] args;
    private final java.io.PrintStream out;
    private final java.io.PrintStream progress;

    /** @param args the command line, as recorded in the report; {@code out} gets the report, {@code progress} the progress */
    public BenchCommand(String[] args, java.io.PrintStream out, java.io.PrintStream progress) {
        this.args = args.clone();
        this.out = out;
        this.progress = progress;
    }

    public static void main(String[] args) {
        System.exit(commandLine(args, System.out, System.err).execute(args));
    }

    /** The command, with {@code jmh} passing every argument after it (JMH's -f, -wi, -t, -h …) to JMH as it is. */
    public static CommandLine commandLine(String[] args, java.io.PrintStream out, java.io.PrintStream progress) {
        CommandLine cl = new CommandLine(new BenchCommand(args, out, progress));
        cl.getSubcommands().get("jmh").setUnmatchedOptionsArePositionalParams(true);
        return cl;
    }

    @Override
    public Integer call() throws Exception {
        Plan plan = tiny ? Plan.tiny() : quick ? Plan.quick() : Plan.full();
        if (systems != null) {
            Set<String> only = new LinkedHashSet<>(systems);
            for (String s : only) {
                if (!Plan.SYSTEMS.contains(s)) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "unknown system " + s + "; known: " + Plan.SYSTEMS);
                }
            }
            plan = plan.onlySystems(only);
        }
        if (scenarios != null) {
            for (String s : scenarios) {
                if (!Plan.SCENARIOS.contains(s)) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "unknown scenario " + s + "; known: " + Plan.SCENARIOS);
                }
            }
            plan = plan.onlyScenarios(new LinkedHashSet<>(scenarios));
        }
        if (clients != null) {
            plan = plan.withClients(clients.stream().map(c -> Math.max(1, c)).toList());
        }
        if (runs != null) {
            plan = plan.withRuns(Math.max(1, runs));
        }
        if (seconds != null) {
            plan = plan.withMeasure(Duration.ofSeconds(Math.max(1, seconds)));
        }
        boolean temporary = data == null;
        Path root = temporary ? Files.createTempDirectory("sluice-bench") : Files.createDirectories(data);
        try {
            Report report = new Harness(plan, root, progress).run("sluice bench " + String.join(" ", Arrays.asList(args)));
            if (format == Format.json) {
                out.println(report.json());
            } else {
                report.printTable(out);
            }
            out.flush();
            return 0;
        } finally {
            if (temporary) {
                try (var all = Files.walk(root)) {
                    all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }
}
