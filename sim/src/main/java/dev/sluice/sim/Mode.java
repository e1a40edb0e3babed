package dev.sluice.sim;

import java.util.Locale;

/** How clients meet the semaphore in a simulation. */
public enum Mode {
    /**
     * Try-acquire: granted now or rejected now. Optionally the client retries a rejected try
     * up to {@link Scenario#retries()} times with exponential backoff and full jitter — what
     * teams do without a queue.
     */
    SYNC,
    /** A FIFO queue in front of the semaphore: every request waits, in order, and is granted as permits free. */
    ASYNC;

    /** The lower-case name used in reports, JSON keys and on the command line. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code sync} or {@code async} (case-insensitive). */
    public static Mode parse(String text) {
        if (text != null) {
            switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "sync" -> { return SYNC; }
                case "async" -> { return ASYNC; }
                default -> { }
            }
        }
        throw new IllegalArgumentException("invalid mode '" + text + "': expected sync or async");
    }
}
