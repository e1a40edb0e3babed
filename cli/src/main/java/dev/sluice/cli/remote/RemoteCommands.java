package dev.sluice.cli.remote;

import java.util.Map;
import picocli.CommandLine;

/** Settings shared by the commands that talk to a server, applied once to the whole command tree. */
public final class RemoteCommands {
    private RemoteCommands() {
    }

    /**
     * Lists the exit codes in the help of every command using {@link RemoteOptions}, maps failures
     * to them ({@link Failures}), and reads {@code -o TABLE} as well as {@code -o table}.
     */
    public static CommandLine configure(CommandLine root) {
        root.setExecutionExceptionHandler(new Failures());
        root.setCaseInsensitiveEnumValuesAllowed(true);
        root.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(ExitCodes.help());
        addExitCodes(root);
        return root;
    }

    private static void addExitCodes(CommandLine cmd) {
        boolean remote = cmd.getCommandSpec().mixins().values().stream()
                .anyMatch(m -> m.userObject() instanceof RemoteOptions);
        if (remote) {
            Map<String, String> codes = ExitCodes.help();
            if ("run".equals(cmd.getCommandName())) {
                codes.put("N", "after the command started: the command's own exit status");
                codes.put("127", "the command could not be started");
            }
            cmd.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
        }
        for (CommandLine sub : cmd.getSubcommands().values()) {
            addExitCodes(sub);
        }
    }
}
