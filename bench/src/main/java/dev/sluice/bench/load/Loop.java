package dev.sluice.bench.load;

import org.HdrHistogram.Recorder;

/** What one client does, over and over, for the length of a measurement. Owns its connection. */
public interface Loop extends AutoCloseable {

    /**
     * Does one iteration and records its latencies, in microseconds, into {@code latency}.
     *
     * @return the units of work it completed (pairs granted, jobs completed, requests answered)
     */
    int once(Recorder latency) throws Exception;

    @Override
    default void close() throws Exception {}

    /** Creates one client's loop (and its connection). */
    @FunctionalInterface
    interface Factory {
        Loop create(int client) throws Exception;
    }
}
