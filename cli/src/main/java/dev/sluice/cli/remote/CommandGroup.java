package dev.sluice.cli.remote;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The parent command of a group of subcommands ({@code sluice jobs}, {@code sluice keys}…): its
 * own {@code --help}, and, run without a subcommand, a usage error that names them.
 */
public abstract class CommandGroup implements Runnable {
    private final String subcommands;

    @Spec
    protected CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    private boolean help;

    /** @param subcommands how the usage error names them, e.g. {@code "create, ls or revoke"} */
    protected CommandGroup(String subcommands) {
        this.subcommands = subcommands;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing the subcommand: " + subcommands);
    }
}
