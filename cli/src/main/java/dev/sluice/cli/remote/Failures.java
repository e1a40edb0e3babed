package dev.sluice.cli.remote;

import dev.sluice.cli.config.ConfigFile;
import dev.sluice.client.SluiceException;
import dev.sluice.client.SluiceTransportException;
import dev.sluice.client.UnauthorizedException;
import javax.net.ssl.SSLException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.Model.CommandSpec;
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
                SSLException tls = tlsFailure(t);
                RemoteOptions remote = remoteOptions(cmd);
                if (tls != null) {
                    message = "cannot verify the TLS certificate of " + (remote != null ? remote.server() : "the server")
                            + ": " + reason(tls) + (remote != null && remote.hasCaCert()
                            ? " (does --ca-cert hold the CA that signed it, and does it name the host in --server?)"
                            : " (for a private CA or a self-signed server, trust it with --ca-cert PEM or SLUICE_CA_CERT)");
                } else {
                    message = t.getMessage() + " (is the server running? set --server or SLUICE_SERVER)";
                }
            }
            case SluiceException e -> {
                code = ExitCodes.of(e);
                RemoteOptions remote = remoteOptions(cmd);
                message = e.getMessage() + " [" + e.code() + "]"
                        + (e instanceof UnauthorizedException && remote != null && !remote.hasApiKey()
                        ? " (give a key with --api-key, --api-key-file, SLUICE_API_KEY or SLUICE_API_KEY_FILE)" : "");
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

    /** The TLS failure behind a transport failure, if that is what it was. */
    private static SSLException tlsFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SSLException ssl) {
                return ssl;
            }
        }
        return null;
    }

    /** The last, most specific part of the JDK's message, e.g. "unable to find valid certification path to requested target". */
    private static String reason(SSLException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int colon = m.lastIndexOf(": ");
        return colon >= 0 && colon + 2 < m.length() ? m.substring(colon + 2) : m;
    }

    private static RemoteOptions remoteOptions(CommandLine cmd) {
        for (CommandSpec mixin : cmd.getCommandSpec().mixins().values()) {
            if (mixin.userObject() instanceof RemoteOptions remote) {
                return remote;
            }
        }
        return null;
    }
}
