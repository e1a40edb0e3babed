package dev.sluice.bench.load;

/**
 * The store commits a system has made so far and the time they took, where it tells them (Sluice
 * does, from its {@code sluice_store_commit_seconds} metric): read at a measurement's start and
 * end, they show how many units shared a durable commit and what one cost.
 */
public record Commits(long count, double seconds) {
    Commits since(Commits before) {
        return new Commits(count - before.count, seconds - before.seconds);
    }
}
