package dev.sluice.bench.load;

import java.util.concurrent.ConcurrentLinkedQueue;
import org.HdrHistogram.Recorder;

/**
 * Measures how long capacity sits between a release and the grant it allows. Each release is
 * stamped just before it is sent; each grant to a waiting client takes the oldest unpaired stamp.
 * While clients outnumber the limit every grant after the first {@code limit} ones follows one
 * release, so pairing in order is exact at limit 1 and, at a higher limit, pairs each grant with a
 * release that came a moment before or after its own (the median is unaffected).
 */
public final class Handoffs {
    private final ConcurrentLinkedQueue<Long> releases = new ConcurrentLinkedQueue<>();

    /** Call just before sending a release. */
    public void releasing() {
        releases.add(System.nanoTime());
    }

    /** Call when a waiting client has been granted: records release → grant, if a release is pending. */
    public void granted(Recorder latency) {
        Long released = releases.poll();
        if (released != null) {
            latency.recordValue(Math.max(0, (System.nanoTime() - released) / 1_000));
        }
    }
}
