package dev.sluice.bench;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * What one run of the harness measures and for how long.
 *
 * @param clients         client counts of the try-release and async scenarios
 * @param handoffClients  client counts of the hand-off scenarios (more than {@code contendedLimit})
 * @param contendedLimit  the semaphore limit of the contended scenarios (hand-off, idle gap)
 * @param limit           the semaphore limit of the uncontended scenarios
 * @param systemWarmup    try-release pairs run once on each system before its first measurement, then waits on a contended
 *                        semaphore for half as long, and discarded (the JIT's)
 * @param warmup          run before each measurement and discarded
 * @param measure         how long each measurement lasts
 * @param runs            measurements per cell; the report quotes their median
 * @param depths          jobs waiting in the scaling scenario
 * @param semaphoreCounts semaphores in the scaling scenario
 * @param scalingClients  clients of the scaling scenario
 * @param systems         the systems to measure (ids of {@link Result#system()})
 * @param scenarios       the scenarios to run (ids of {@link Result#scenario()})
 */
public record Plan(List<Integer> clients, List<Integer> handoffClients, int contendedLimit, int limit,
                   Duration systemWarmup, Duration warmup, Duration measure, int runs, List<Integer> depths, List<Integer> semaphoreCounts,
                   int scalingClients, Set<String> systems, Set<String> scenarios) {

    public static final List<String> SYSTEMS = List.of("sluice", "sluice-postgres", "sluice-3-nodes", "redisson", "curator", "hazelcast",
            "postgres-counter", "empty-http", "jdk-semaphore", "fsync");
    public static final List<String> SCENARIOS = List.of("try-release", "handoff", "async", "scaling");

    public Plan {
        clients = List.copyOf(clients);
        handoffClients = List.copyOf(handoffClients);
        depths = List.copyOf(depths);
        semaphoreCounts = List.copyOf(semaphoreCounts);
        systems = Set.copyOf(systems);
        scenarios = Set.copyOf(scenarios);
    }

    /** The full suite: what docs/benchmarks.md quotes. Takes a quarter of an hour or more. */
    public static Plan full() {
        return new Plan(List.of(1, 16, 64), List.of(16, 64), 4, 1000, Duration.ofSeconds(10), Duration.ofSeconds(3), Duration.ofSeconds(5), 3,
                List.of(1_000, 10_000, 100_000, 1_000_000), List.of(1, 1_000, 10_000, 100_000), 64, Set.copyOf(SYSTEMS), Set.copyOf(SCENARIOS));
    }

    /** About 90 s on a quiet machine: every system and scenario once, at small sizes. */
    public static Plan quick() {
        return new Plan(List.of(1, 64), List.of(64), 4, 1000, Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofMillis(500), 1,
                List.of(1_000, 10_000), List.of(1, 1_000), 64, Set.copyOf(SYSTEMS), Set.copyOf(SCENARIOS));
    }

    /** Seconds: the shape of a run, for tests. Its figures mean nothing. */
    public static Plan tiny() {
        return new Plan(List.of(1, 2), List.of(3), 1, 1000, Duration.ZERO, Duration.ofMillis(50), Duration.ofMillis(200), 1,
                List.of(20), List.of(1, 5), 2, Set.copyOf(SYSTEMS), Set.copyOf(SCENARIOS));
    }

    public Plan onlySystems(Set<String> only) {
        return new Plan(clients, handoffClients, contendedLimit, limit, systemWarmup, warmup, measure, runs, depths, semaphoreCounts,
                scalingClients, only, scenarios);
    }

    public Plan onlyScenarios(Set<String> only) {
        return new Plan(clients, handoffClients, contendedLimit, limit, systemWarmup, warmup, measure, runs, depths, semaphoreCounts,
                scalingClients, systems, only);
    }

    public Plan withClients(List<Integer> newClients) {
        return new Plan(newClients, handoffClients, contendedLimit, limit, systemWarmup, warmup, measure, runs, depths, semaphoreCounts,
                scalingClients, systems, scenarios);
    }

    public Plan withRuns(int n) {
        return new Plan(clients, handoffClients, contendedLimit, limit, systemWarmup, warmup, measure, n, depths, semaphoreCounts,
                scalingClients, systems, scenarios);
    }

    public Plan withMeasure(Duration d) {
        return new Plan(clients, handoffClients, contendedLimit, limit, systemWarmup, warmup, d, runs, depths, semaphoreCounts,
                scalingClients, systems, scenarios);
    }
}
