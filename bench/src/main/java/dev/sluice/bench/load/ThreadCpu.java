package dev.sluice.bench.load;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of this JVM's platform threads, grouped by what they do, between two snapshots. Virtual
 * threads (Sluice's request handlers and completions) run on the carrier threads, so their time
 * shows there. What no Java thread accounts for (GC, JIT, the VM) is the rest of the process time.
 */
final class ThreadCpu {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> cpuByThread = new TreeMap<>();
    private final Map<Long, String> groupByThread = new TreeMap<>();
    private final long process = Load.processCpuNanos();

    ThreadCpu() {
        if (!THREADS.isThreadCpuTimeSupported()) {
            return;
        }
        long[] ids = THREADS.getAllThreadIds();
        ThreadInfo[] infos = THREADS.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            long cpu = THREADS.getThreadCpuTime(ids[i]);
            if (infos[i] != null && cpu >= 0) {
                cpuByThread.put(ids[i], cpu);
                groupByThread.put(ids[i], group(infos[i].getThreadName()));
            }
        }
    }

    static String group(String thread) {
        if (thread.equals("sluice-store-writer")) {
            return "store writer";
        }
        if (thread.startsWith("ForkJoinPool-") || thread.startsWith("VirtualThread-unparker")) {
            return "virtual-thread carriers (HTTP handlers, completions)";
        }
        if (thread.startsWith("JettyServerThreadPool") || thread.startsWith("qtp")) {
            return "Jetty selectors and pool";
        }
        if (thread.startsWith("bench-client")) {
            return "bench clients";
        }
        return "other Java threads";
    }

    /** Microseconds of CPU per unit, by group, from {@code before} to this snapshot; "GC, JIT, VM" is the rest. */
    Map<String, Double> since(ThreadCpu before, long units) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (units <= 0 || cpuByThread.isEmpty()) {
            return out;
        }
        long accounted = 0;
        Map<String, Long> nanos = new TreeMap<>();
        for (var e : cpuByThread.entrySet()) {
            long delta = e.getValue() - before.cpuByThread.getOrDefault(e.getKey(), 0L);
            nanos.merge(groupByThread.get(e.getKey()), delta, Long::sum);
            accounted += delta;
        }
        nanos.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> out.put(e.getKey(), e.getValue() / 1000.0 / units));
        if (process >= 0 && before.process >= 0) {
            out.put("GC, JIT, VM", Math.max(0, process - before.process - accounted) / 1000.0 / units);
        }
        return out;
    }
}
