package dev.sluice.bench.load;

/**
 * What one measurement found: units per second, the latency percentiles in milliseconds, and the
 * CPU time this JVM spent per unit in microseconds (steadier than throughput on a shared machine),
 * and the bytes it allocated per unit (steadier still: it does not depend on the machine's load);
 * where the system tells its store's commits, the commits per unit and the mean time of one (else NaN).
 */
public record Sample(double throughput, double p50Ms, double p99Ms, double cpuUsPerUnit, double allocBytesPerUnit,
                     java.util.Map<String, Double> cpuUsPerUnitByThreads, double commitsPerUnit, double commitMs,
                     long errors, String firstError) {}
