package dev.sluice.cli.permit;

import dev.sluice.cli.remote.ExitCodes;
import dev.sluice.cli.remote.Output;
import dev.sluice.cli.remote.RemoteOptions;
import dev.sluice.client.Sluice;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code sluice release NAME PERMIT_ID}. */
@Command(name = "release", description = {
    "Release a permit, e.g. one taken with sluice acquire. Idempotent: releasing it again succeeds.",
    "Exits 5 if the lease had already expired (the server had reclaimed the permit, so the work it guarded"
            + " may have overlapped another holder's)."})
public final class ReleaseCommand implements Callable<Integer> {
    @Mixin
    RemoteOptions remote;

    @Parameters(index = "0", paramLabel = "NAME", description = "The semaphore.")
    String semaphore;

    @Parameters(index = "1", paramLabel = "PERMIT_ID", description = "The permit's id, as acquire printed it.")
    String permitId;

    @Override
    public Integer call() {
        try (Sluice sluice = remote.connect()) {
            sluice.semaphore(semaphore).release(permitId);
        }
        Output out = remote.out();
        if (out.json()) {
            out.print(out.object().put("permitId", permitId).put("released", true));
        } else {
            out.line("released " + permitId);
        }
        return ExitCodes.OK;
    }
}
