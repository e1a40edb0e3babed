package dev.sluice.cli.permit;

import dev.sluice.cli.remote.CliFailure;
import dev.sluice.cli.remote.ExitCodes;
import dev.sluice.cli.remote.RemoteOptions;
import dev.sluice.client.LimitReachedException;
import dev.sluice.client.PausedException;
import dev.sluice.client.Permit;
import dev.sluice.client.SluiceException;
import dev.sluice.client.Sluice;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice acquire NAME}: takes a permit and prints it. The permit outlives the command: it is
 * held until {@code sluice release NAME PERMIT_ID} or until its lease runs out (nothing heartbeats
 * it once the command has exited), so choose the lease to cover the work.
 */
@Command(name = "acquire", description = {
    "Acquire a permit and print it. It stays held after the command exits, until released with"
            + " sluice release or until its lease runs out (it is not heartbeated): choose --lease to cover the work.",
    "To hold a permit just while a command runs, use sluice run."},
        footer = {"", "Example:",
                "  PERMIT=$(sluice acquire nightly --wait 1m --lease 2h -o json | jq -r .permitId)",
                "  ./work.sh && sluice release nightly \"$PERMIT\""})
public final class AcquireCommand implements Callable<Integer> {
    @Mixin
    RemoteOptions remote;

    @Mixin
    PermitOptions acquire;

    @Parameters(paramLabel = "NAME", description = "The semaphore.")
    String semaphore;

    @Override
    public Integer call() throws InterruptedException {
        try (Sluice sluice = remote.connect()) {
            Permit permit;
            try {
                permit = acquire.acquire(sluice.semaphore(semaphore), null);
            } catch (LimitReachedException | PausedException e) {
                throw notGranted(e, acquire);
            }
            permit.detach(); // handed to the caller: closing the client must not release it
            PermitJson.print(remote.out(), permit);
        }
        return ExitCodes.OK;
    }

    static CliFailure notGranted(SluiceException e, PermitOptions options) {
        return new CliFailure(ExitCodes.NOT_GRANTED, e.getMessage() + " [" + e.code() + "]" + options.hint(), e);
    }
}
