package dev.sluice.cli.permit;

import dev.sluice.cli.remote.DurationConverter;
import dev.sluice.client.AcquireOptions;
import dev.sluice.client.Permit;
import dev.sluice.client.Semaphore;
import java.time.Duration;
import picocli.CommandLine.Option;

/** How {@code acquire} and {@code run} ask for a permit: how long to wait, the lease, the channel. A picocli mixin. */
public final class PermitOptions {
    @Option(names = {"-w", "--wait"}, paramLabel = "DURATION", defaultValue = "0s", converter = DurationConverter.class,
            description = "Wait up to this long in the semaphore's FIFO queue (at most 10m). Default 0s: now or never.")
    Duration wait;

    @Option(names = "--lease", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "The lease to ask for. acquire: default the semaphore's (5m unless configured). run: default 1m,"
                    + " heartbeated while the command runs, so a crashed sluice holds the permit at most that long.")
    Duration lease;

    @Option(names = "--channel", paramLabel = "CHANNEL", description = "Acquire on this channel (default: default).")
    String channel;

    /** Acquires with these options; {@code defaultLease} applies when no --lease was given (null: the semaphore's). */
    Permit acquire(Semaphore semaphore, Duration defaultLease) throws InterruptedException {
        AcquireOptions options = AcquireOptions.defaults();
        if (channel != null) {
            options = options.withChannel(channel);
        }
        Duration l = lease != null ? lease : defaultLease;
        if (l != null) {
            options = options.withLeaseTimeout(l);
        }
        return semaphore.acquire(wait, options);
    }

    /** What to add to the server's reason when no permit was granted. */
    String hint() {
        return wait.isZero() ? "; use --wait 30s to wait in the queue for one" : "";
    }
}
