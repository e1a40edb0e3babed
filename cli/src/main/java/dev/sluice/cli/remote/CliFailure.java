package dev.sluice.cli.remote;

/**
 * A failure a command reports as one line on standard error with its exit code, e.g. a line of a
 * jobs file that is not JSON. Thrown by commands, printed by {@link Failures}.
 */
public final class CliFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    public CliFailure(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public CliFailure(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
