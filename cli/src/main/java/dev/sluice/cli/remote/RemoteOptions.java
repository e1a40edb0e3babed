package dev.sluice.cli.remote;

import dev.sluice.client.Sluice;
import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options of every command that talks to a Sluice server: where it is, the API key, and the
 * output format; plus {@code --help}. A picocli mixin.
 */
public final class RemoteOptions {
    public static final String DEFAULT_SERVER = "http://localhost:8080";

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = {"-s", "--server"}, paramLabel = "URL", defaultValue = "${env:SLUICE_SERVER:-" + DEFAULT_SERVER + "}",
            description = "The Sluice server (env SLUICE_SERVER; default " + DEFAULT_SERVER + ").")
    String server;

    @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:SLUICE_API_KEY}",
            description = "Sent as Authorization: Bearer KEY (env SLUICE_API_KEY).")
    String apiKey;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "Output format: table (for people) or json (for scripts). Default: table.")
    OutputFormat output;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    /** A client of the server; the caller closes it. */
    public Sluice connect() {
        try {
            return Sluice.builder().baseUrl(server).apiKey(apiKey).build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(mixee.commandLine(), "Invalid value for option '--server': " + e.getMessage());
        }
    }

    /** The server's URL as given. */
    public String server() {
        return server;
    }

    public OutputFormat format() {
        return output;
    }

    public Output out() {
        return new Output(output, mixee.commandLine().getOut());
    }

    public PrintWriter err() {
        return mixee.commandLine().getErr();
    }
}
