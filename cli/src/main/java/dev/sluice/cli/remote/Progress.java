package dev.sluice.cli.remote;

import java.io.PrintWriter;
import java.time.Duration;

/**
 * Progress of a long operation on standard error ({@code submitted 1200/5000 jobs}), so that
 * standard output keeps only the result. On a terminal one line is rewritten in place; otherwise
 * (a log file, a pipe) a line is written at most every {@code interval}, so a short operation
 * writes none. Thread-safe.
 */
public final class Progress {
    private static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);

    private final PrintWriter err;
    private final String what;
    private final long total;
    private final boolean terminal;
    private final long intervalNanos;
    private final long startNanos = System.nanoTime();
    private long done;
    private long lastPrintNanos = startNanos;
    private boolean printedInPlace;

    Progress(PrintWriter err, String what, long total, boolean terminal, Duration interval) {
        this.err = err;
        this.what = what;
        this.total = total;
        this.terminal = terminal;
        this.intervalNanos = interval.toNanos();
    }

    /** Progress of {@code total} steps of {@code what} (e.g. "jobs submitted"). */
    public static Progress of(PrintWriter err, String what, long total) {
        java.io.Console console = System.console();
        boolean terminal = console != null && console.isTerminal();
        return new Progress(err, what, total, terminal, terminal ? Duration.ofMillis(100) : DEFAULT_INTERVAL);
    }

    /** One more step done. */
    public void step() {
        steps(1);
    }

    /** {@code n} more steps done. */
    public synchronized void steps(int n) {
        done += n;
        long now = System.nanoTime();
        if (now - lastPrintNanos >= intervalNanos && done < total) {
            lastPrintNanos = now;
            String line = done + "/" + total + " " + what + " (" + (done * 100 / Math.max(1, total)) + "%)";
            if (terminal) {
                err.print("\r\033[K" + line);
                printedInPlace = true;
            } else {
                err.println(line);
            }
            err.flush();
        }
    }

    /** Clears the in-place line, if any. */
    public synchronized void finish() {
        if (printedInPlace) {
            err.print("\r\033[K");
            err.flush();
            printedInPlace = false;
        }
    }

    public synchronized long done() {
        return done;
    }

    public Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
