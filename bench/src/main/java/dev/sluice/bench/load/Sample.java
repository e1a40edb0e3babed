package dev.sluice.bench.load;

/** What one measurement found: units per second and the latency percentiles, in milliseconds. */
public record Sample(double throughput, double p50Ms, double p99Ms, long errors, String firstError) {}
