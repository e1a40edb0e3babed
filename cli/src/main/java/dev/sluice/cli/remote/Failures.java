package dev.sluice.cli.remote;

import dev.sluice.cli.config.ConfigFile;
import dev.sluice.client.SluiceException;
import dev.sluice.client.SluiceTransportException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns what a command throws into one line on standard error and an {@link ExitCodes exit code}:
 * {@code sluice: <what went wrong>}. Anything unexpected keeps picocli's default treatment (the
 * stack trace, exit code 1), since it is a bug to report.
 */
public final class Failures implements IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
        int code;
        String message;
        switch (ex) {
            case CliFailure f -> {
                code = f.exitCode();
                message = f.getMessage();
            }
            case SluiceTransportException t -> {
                code = ExitCodes.UNREACHABLE;
                message = t.getMessage() + " (is the server running? set --server or SLUICE_SERVER)";
            }
            case SluiceException e -> {
                code = ExitCodes.of(e);
                message = e.getMessage() + " [" + e.code() + "]";
            }
            case ConfigFile.InvalidConfigException e -> {
                code = ExitCodes.USAGE;
                message = e.getMessage();
            }
            default -> {
                cmd.getErr().println(cmd.getColorScheme().stackTraceText(ex));
                cmd.getErr().flush();
                return cmd.getCommandSpec().exitCodeOnExecutionException();
            }
        }
        cmd.getErr().println("sluice: " + message);
        cmd.getErr().flush();
        return code;
    }
}
