package dev.sluice.cli.permit;

import dev.sluice.cli.remote.CliFailure;
import dev.sluice.cli.remote.DurationConverter;
import dev.sluice.cli.remote.ExitCodes;
import dev.sluice.cli.remote.RemoteOptions;
import dev.sluice.client.LeaseExpiredException;
import dev.sluice.client.LimitReachedException;
import dev.sluice.client.NotFoundException;
import dev.sluice.client.PausedException;
import dev.sluice.client.Permit;
import dev.sluice.client.SluiceException;
import dev.sluice.client.Sluice;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice run NAME -- COMMAND ARGS…}: a distributed {@code flock}. Acquires a permit, runs
 * the command while the SDK heartbeats the permit, releases it when the command exits, and exits
 * with the command's status.
 *
 * <p>Stopping: on SIGINT/SIGTERM (Ctrl-C, {@code kill}, a cron or systemd timeout) the command and
 * its descendants get SIGTERM, then SIGKILL after {@code --grace}; the permit is released before
 * sluice exits. If the lease is lost while the command runs (the server could not be reached for a
 * whole lease), the command is stopped the same way and sluice exits 5: another holder may be
 * running already.
 */
@Command(name = "run", description = {
    "Acquire a permit, run COMMAND while holding it (heartbeated), release it when COMMAND exits, and exit"
            + " with COMMAND's status: a distributed flock for cron jobs and scripts.",
    "COMMAND sees SLUICE_SEMAPHORE, SLUICE_PERMIT_ID, SLUICE_FENCING_TOKEN, SLUICE_CHANNEL and SLUICE_SERVER.",
    "On Ctrl-C or SIGTERM, COMMAND is sent SIGTERM (SIGKILL after --grace) and the permit is released."
            + " If the lease is lost while COMMAND runs, COMMAND is stopped the same way and sluice exits 5."},
        footer = {"", "Examples:",
                "  sluice run nightly-report --wait 10m -- ./report.sh --date today",
                "  sluice run db-migrate --lease 1m -- sh -c './migrate --token $SLUICE_FENCING_TOKEN'"})
public final class RunCommand implements Callable<Integer> {
    /**
     * Short, since it is heartbeated for as long as the command runs: it only bounds how long the
     * permit outlives a sluice that died without releasing it (kill -9, a lost machine).
     */
    static final Duration DEFAULT_LEASE = Duration.ofMinutes(1);

    @Mixin
    RemoteOptions remote;

    @Mixin
    PermitOptions acquire;

    @Option(names = "--grace", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "How long COMMAND may take to exit after SIGTERM before it is killed. Default ${DEFAULT-VALUE}.")
    Duration grace;

    @Parameters(index = "0", paramLabel = "NAME", description = "The semaphore.")
    String semaphore;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "COMMAND",
            description = "The command and its arguments; put -- before it when it has options of its own.")
    List<String> command;

    @Override
    public Integer call() throws InterruptedException {
        try (Sluice sluice = remote.connect()) {
            Permit permit;
            try {
                permit = acquire.acquire(sluice.semaphore(semaphore), DEFAULT_LEASE);
            } catch (LimitReachedException | PausedException e) {
                throw AcquireCommand.notGranted(e, acquire);
            }
            return runHolding(permit);
        }
    }

    private int runHolding(Permit permit) throws InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        Map<String, String> env = pb.environment();
        env.put("SLUICE_SEMAPHORE", permit.semaphore());
        env.put("SLUICE_PERMIT_ID", permit.permitId());
        env.put("SLUICE_FENCING_TOKEN", Long.toString(permit.fencingToken()));
        env.put("SLUICE_CHANNEL", permit.channel());
        env.put("SLUICE_SERVER", remote.server());
        Process child;
        try {
            child = pb.start();
        } catch (IOException e) {
            releaseOrWarn(permit);
            throw new CliFailure(ExitCodes.CANNOT_RUN, "cannot run " + command.getFirst() + ": " + e.getMessage(), e);
        }

        AtomicReference<SluiceException> lost = new AtomicReference<>();
        permit.onLost(e -> {
            lost.set(e);
            stop(child);
        });
        Thread onSignal = new Thread(() -> {
            stop(child);
            try {
                child.waitFor(grace.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException ignored) {
                // exiting anyway
            }
            releaseOrWarn(permit);
        }, "sluice-run-stop");
        Runtime.getRuntime().addShutdownHook(onSignal);
        int status;
        try {
            status = child.waitFor();
        } catch (InterruptedException e) {
            stop(child);
            throw e;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onSignal);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it releases the permit
            }
        }
        boolean heldToTheEnd = permit.isValid();
        SluiceException refused = release(permit);
        SluiceException e = lost.get() != null ? lost.get() : refused;
        if (e != null || !heldToTheEnd) {
            throw new CliFailure(ExitCodes.LEASE_LOST, "the permit of " + semaphore + " was lost while " + command.getFirst()
                    + " ran (exit status " + status + "; stopped if it was still running), so another holder may have"
                    + " run at the same time: " + (e != null ? e.getMessage() : "its lease expired without a successful heartbeat"), e);
        }
        return status;
    }

    /**
     * Releases after the command exited. Returns the server's word that the lease had already been
     * lost ({@code 410}/{@code 404}), or null; a release that could not be sent is only warned about.
     */
    private SluiceException release(Permit permit) {
        try {
            permit.release();
            return null;
        } catch (LeaseExpiredException | NotFoundException e) {
            return e;
        } catch (SluiceException e) {
            warnNotReleased(permit, e);
            return null;
        }
    }

    /** SIGTERM to the command and its descendants now, SIGKILL to what is left after the grace period. */
    private void stop(Process child) {
        if (!child.isAlive()) {
            return;
        }
        List<ProcessHandle> tree = child.toHandle().descendants().toList();
        child.destroy();
        tree.forEach(ProcessHandle::destroy);
        Thread.ofVirtual().start(() -> {
            try {
                if (!child.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    child.destroyForcibly();
                }
            } catch (InterruptedException ignored) {
                child.destroyForcibly();
            }
            tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        });
    }

    private void releaseOrWarn(Permit permit) {
        try {
            permit.close();
        } catch (SluiceException e) {
            warnNotReleased(permit, e);
        }
    }

    private void warnNotReleased(Permit permit, SluiceException e) {
        remote.err().println("sluice: could not release permit " + permit.permitId() + " of " + semaphore + ": "
                + e.getMessage() + "; the server reclaims it when its lease expires"
                + permit.expiresAt().map(Instant::toString).map(t -> " (" + t + ")").orElse(""));
        remote.err().flush();
    }
}
