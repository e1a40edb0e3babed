package dev.sluice.cli.remote;

import dev.sluice.client.InvalidArgumentException;
import dev.sluice.client.LeaseExpiredException;
import dev.sluice.client.LimitReachedException;
import dev.sluice.client.NotFoundException;
import dev.sluice.client.PausedException;
import dev.sluice.client.SluiceException;
import dev.sluice.client.SluiceTransportException;

/**
 * The exit codes of the {@code sluice} command, for scripts to branch on. Documented in
 * {@code docs/cli.md} and in {@code --help}; never renumbered.
 */
public final class ExitCodes {
    private ExitCodes() {
    }

    public static final int OK = 0;
    /** Refused by the server for another reason than those below, or any other failure. */
    public static final int FAILED = 1;
    /** Bad command line or file (also when the server refuses a value as invalid_argument). */
    public static final int USAGE = 2;
    public static final int NOT_FOUND = 3;
    /** No permit: the limit is reached, granting is paused, or the wait elapsed. */
    public static final int NOT_GRANTED = 4;
    /** The lease of a permit expired (release after expiry) or was lost while held ({@code run}). */
    public static final int LEASE_LOST = 5;
    /** No answer from the server: not running, wrong --server, network, timeout; or its TLS certificate is not trusted. */
    public static final int UNREACHABLE = 6;
    /** {@code sluice run}: the command could not be started (like a shell's 127). */
    public static final int CANNOT_RUN = 127;

    /** The list under "Exit codes:" in the help of every command that talks to a server. */
    public static java.util.Map<String, String> help() {
        var m = new java.util.LinkedHashMap<String, String>();
        m.put("0", "done");
        m.put("1", "failed (refused by the server for another reason, or another error)");
        m.put("2", "usage: a bad option, argument or file");
        m.put("3", "not found: no such semaphore, permit or job");
        m.put("4", "not granted: the limit is reached, granting is paused, or the wait elapsed");
        m.put("5", "lease lost: the permit's lease expired");
        m.put("6", "cannot reach the server, or cannot verify its TLS certificate");
        return m;
    }

    /** The exit code for a failure the SDK reported. */
    public static int of(SluiceException e) {
        return switch (e) {
            case SluiceTransportException t -> UNREACHABLE;
            case NotFoundException n -> NOT_FOUND;
            case LimitReachedException l -> NOT_GRANTED;
            case PausedException p -> NOT_GRANTED;
            case LeaseExpiredException l -> LEASE_LOST;
            case InvalidArgumentException i -> USAGE;
            default -> FAILED; // conflict, payload_too_large, unauthorized, forbidden, server errors, …
        };
    }
}
