package dev.sluice.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the figures were measured on. */
final class Machine {
    private Machine() {}

    static Map<String, Object> describe(Path dataDir) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("cpuModel", cpuModel());
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            m.put("memoryGiB", Math.round(os.getTotalMemorySize() / (1024.0 * 1024 * 1024)));
        }
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("java", System.getProperty("java.vm.vendor") + " " + Runtime.version());
        m.put("maxHeapMiB", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        m.put("loadAverageAtStart", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        try {
            var store = Files.getFileStore(Files.createDirectories(dataDir));
            m.put("dataDisk", store.name() + " (" + store.type() + ")");
        } catch (Exception e) {
            m.put("dataDisk", "unknown: " + e.getMessage());
        }
        m.put("dataDir", dataDir.toAbsolutePath().toString());
        m.put("layout", "Sluice, ZooKeeper and Hazelcast in the harness JVM; redis-server and PostgreSQL as child processes; "
                + "all clients in the harness JVM; everything on this machine, over loopback");
        return m;
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
        } catch (Exception e) {
            return "unknown";
        }
    }
}
