package dev.sluice.cli;

import dev.sluice.cli.apply.ApplyCommand;
import dev.sluice.cli.completion.CompletionCommand;
import dev.sluice.cli.jobs.JobsCommand;
import dev.sluice.cli.permit.AcquireCommand;
import dev.sluice.cli.permit.ReleaseCommand;
import dev.sluice.cli.permit.RunCommand;
import dev.sluice.cli.remote.RemoteCommands;
import dev.sluice.cli.semaphore.SemaphoreCommand;
import dev.sluice.cli.server.ServerCommand;
import dev.sluice.cli.simulate.SimulateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code sluice} command. */
@Command(name = "sluice",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Sluice: a counting semaphore with a durable FIFO queue in front of it.",
        subcommands = {ServerCommand.class, SimulateCommand.class,
                SemaphoreCommand.class, AcquireCommand.class, ReleaseCommand.class, RunCommand.class, JobsCommand.class,
                ApplyCommand.class, CompletionCommand.class, dev.sluice.cli.keys.KeysCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Commands that talk to a server take --server URL (env SLUICE_SERVER, default http://localhost:8080),"
                + " --api-key KEY or --api-key-file FILE (env SLUICE_API_KEY, SLUICE_API_KEY_FILE), --ca-cert PEM (env SLUICE_CA_CERT)"
                + " and -o table|json, and exit with the codes above. See docs/cli.md.",
                "Benchmarks: ./sluice bench --help (the launcher runs them from the bench module, which the server never loads)."})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return RemoteCommands.configure(new CommandLine(new Main()));
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"sluice " + (v == null ? "development build" : v)};
        }
    }
}
