package dev.sluice.cli.completion;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice completion bash|zsh}: prints the shell completion script (picocli's AutoComplete). */
@Command(name = "completion",
        description = "Print the shell completion script for sluice (bash, or zsh through its bash compatibility).",
        footer = {"", "Install:",
                "  source <(sluice completion bash)                       # this shell",
                "  sluice completion bash > /etc/bash_completion.d/sluice # every bash",
                "  echo 'source <(sluice completion zsh)' >> ~/.zshrc    # zsh"})
public final class CompletionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Parameters(paramLabel = "SHELL", defaultValue = "bash", description = "bash (default) or zsh.")
    Shell shell;

    enum Shell { BASH, ZSH }

    @Override
    public Integer call() {
        // the script picocli writes serves bash directly and zsh through bashcompinit, which it enables itself
        spec.commandLine().getOut().print(AutoComplete.bash("sluice", spec.root().commandLine()));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
