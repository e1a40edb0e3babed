package dev.sluice.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sluice bench jmh [JMH options] [benchmark regex]}: the JMH micro-benchmarks of the core and the store. */
@Command(name = "jmh",
        description = {
            "Run the JMH micro-benchmarks: CoreBench (the core's rules over an in-memory ledger) and StoreBench "
                    + "(SqliteStore's hot transactions, durable). Arguments go to JMH as they are (try -h).",
        },
        footer = {"", "Examples:", "  ./sluice bench jmh CoreBench", "  ./sluice bench jmh -f 1 -wi 3 -i 5 StoreBench"})
public final class JmhCommand implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "ARG", description = "JMH arguments (default: all benchmarks, 1 fork, 3+5 iterations).")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        List<String> all = args.isEmpty() ? List.of("-f", "1", "-wi", "3", "-i", "5", "dev.sluice.bench.jmh") : args;
        org.openjdk.jmh.Main.main(all.toArray(String[]::new));
        return 0;
    }
}
