package dev.sluice.bench;

/**
 * One measured cell: a scenario on a system at a number of clients, the median of the plan's runs.
 *
 * @param scenario   {@code try-release}, {@code handoff}, {@code async} or {@code scaling}
 * @param system     {@code sluice}, a peer ({@code redisson}, {@code curator}, {@code hazelcast},
 *                   {@code postgres-counter}) or a ceiling ({@code empty-http}, {@code jdk-semaphore}, {@code fsync})
 * @param variant    what distinguishes cells of one scenario (limit, waiting jobs, semaphores)
 * @param clients    concurrent clients (threads, each with its own connection where the system has them)
 * @param throughput completed units per second (see {@code unit})
 * @param unit       what {@code throughput} counts: pairs, grants, jobs, requests, fsyncs
 * @param p50Ms      median latency in milliseconds of what {@code latency} names; null when none was recorded
 * @param p99Ms      99th percentile of the same; null when none was recorded
 * @param latency    what the latency measures (a pair, a hand-off from release to grant, …)
 * @param heapMb     live heap of the server JVM after a GC at the end of the cell, where measured; else null
 * @param cpuUsPerUnit CPU time of the harness JVM per unit, in microseconds: the whole server and its clients for
 *                   Sluice and the in-process systems, only the client side for redis-server and PostgreSQL
 * @param allocKbPerUnit memory the harness JVM allocated per unit, in KiB: independent of the machine's load, so the
 *                   steadiest figure for comparing two builds of Sluice on a shared machine
 * @param cpuByThreads {@code cpuUsPerUnit} split by the harness JVM's thread groups (store writer, carriers of the
 *                   virtual threads, clients, GC/JIT…), from the median run
 * @param commitsPerUnit store commits that wrote rows per unit (Sluice only; 0.5 means two units shared each
 *                   durable commit), from the median run; else null
 * @param commitMs   the mean time of one of those commits in milliseconds (on the embedded store, the sync of its
 *                   write-ahead log), from the median run; else null
 * @param errors     failed iterations during the measurement (0 in a sound run)
 */
public record Result(String scenario, String system, String variant, int clients, double throughput, String unit,
                     Double p50Ms, Double p99Ms, String latency, Double heapMb, Double cpuUsPerUnit, Double allocKbPerUnit,
                     java.util.Map<String, Double> cpuByThreads, Double commitsPerUnit, Double commitMs, long errors) {}
