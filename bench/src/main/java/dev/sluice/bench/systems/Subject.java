package dev.sluice.bench.systems;

import dev.sluice.bench.load.Commits;
import java.time.Duration;

/**
 * A system the harness measures, started by the harness on this machine and stopped by it.
 * Implementations: Sluice over HTTP, the peers, and the in-process {@code java.util.concurrent.Semaphore}.
 */
public interface Subject extends AutoCloseable {

    /** The system id of the report ({@code sluice}, {@code redisson}, …). */
    String id();

    /** Creates a semaphore with this limit and nothing held. Each scenario uses a name of its own. */
    void semaphore(String name, int limit) throws Exception;

    /** Creates {@code count} semaphores named {@code prefix + i}. */
    default void semaphores(String prefix, int count, int limit) throws Exception {
        for (int i = 0; i < count; i++) {
            semaphore(prefix + i, limit);
        }
    }

    /**
     * Why {@link Client#tryAcquire} is not a true try on this system (it may wait), or null when it
     * is. Such a system is left out of the contended try-loop, where the difference matters.
     */
    default String notATry() {
        return null;
    }

    /** The most semaphores the harness creates on this system for the scaling scenario. */
    default int maxSemaphores() {
        return Integer.MAX_VALUE;
    }

    /** The store commits the system has made so far, where it tells them (Sluice); null when it does not. */
    default Commits commits() {
        return null;
    }

    /** One client: its own connection where the system has connections. */
    Client connect() throws Exception;

    /** What one client can do. Permits are opaque tokens. */
    interface Client extends AutoCloseable {
        /** Acquires now or returns null when refused. */
        Object tryAcquire(String semaphore) throws Exception;

        /** Waits up to {@code wait} for a permit (the system's blocking acquire); null when the wait elapsed. */
        Object acquire(String semaphore, Duration wait) throws Exception;

        void release(String semaphore, Object permit) throws Exception;

        @Override
        default void close() throws Exception {}
    }

    /** The lease each permit is taken with, where the system has leases: Sluice's default. */
    Duration LEASE = Duration.ofMinutes(5);

    @Override
    void close();
}
