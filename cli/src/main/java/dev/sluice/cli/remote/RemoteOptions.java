package dev.sluice.cli.remote;

import dev.sluice.client.Sluice;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * The options of every command that talks to a Sluice server: where it is, how to trust its TLS
 * certificate, the API key, and the output format; plus {@code --help}. A picocli mixin.
 *
 * <p>The key is {@code --api-key} or {@code --api-key-file} as given on the command line (not
 * both), else {@code SLUICE_API_KEY}, else the file {@code SLUICE_API_KEY_FILE} names. A file keeps
 * the key out of {@code ps} and shell history.
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

    @Option(names = "--api-key-file", paramLabel = "FILE", defaultValue = "${env:SLUICE_API_KEY_FILE}",
            description = "Read the API key from FILE instead, keeping it out of ps and shell history (env SLUICE_API_KEY_FILE).")
    Path apiKeyFile;

    @Option(names = "--ca-cert", paramLabel = "PEM", defaultValue = "${env:SLUICE_CA_CERT}",
            description = "For https: trust exactly the certificates in this PEM file (a private CA, a self-signed server)"
                    + " instead of the JDK's trust store (env SLUICE_CA_CERT).")
    Path caCert;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "Output format: table (for people) or json (for scripts). Default: table.")
    OutputFormat output;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    /** A client of the server; the caller closes it. */
    public Sluice connect() {
        Sluice.Builder builder;
        try {
            builder = Sluice.builder().baseUrl(server);
        } catch (IllegalArgumentException e) {
            throw usage("Invalid value for option '--server': " + e.getMessage());
        }
        builder.apiKey(apiKey());
        if (caCert != null) {
            if (!Files.isRegularFile(caCert)) {
                throw usage("Invalid value for option '--ca-cert': no file " + caCert);
            }
            try {
                builder.trustedCertificates(caCert);
            } catch (IllegalArgumentException e) {
                throw usage("Invalid value for option '--ca-cert': " + e.getMessage());
            }
        }
        return builder.build();
    }

    /** The API key to send, or null for none. */
    String apiKey() {
        ParseResult parsed = mixee.commandLine().getParseResult();
        boolean keyGiven = parsed != null && parsed.hasMatchedOption("--api-key");
        boolean fileGiven = parsed != null && parsed.hasMatchedOption("--api-key-file");
        if (keyGiven && fileGiven) {
            throw usage("Give --api-key or --api-key-file, not both");
        }
        if (keyGiven || (!fileGiven && apiKey != null && !apiKey.isBlank())) {
            return apiKey;
        }
        return apiKeyFile == null ? null : readKey(apiKeyFile);
    }

    private String readKey(Path file) {
        String key;
        try {
            key = Files.readString(file).strip();
        } catch (NoSuchFileException e) {
            throw usage("Invalid value for option '--api-key-file': no file " + file);
        } catch (IOException | RuntimeException e) {
            throw usage("Invalid value for option '--api-key-file': cannot read " + file + ": " + e.getMessage());
        }
        if (key.isEmpty()) {
            throw usage("Invalid value for option '--api-key-file': " + file + " is empty");
        }
        return key;
    }

    private ParameterException usage(String message) {
        return new ParameterException(mixee.commandLine(), message);
    }

    /** Whether a key was given (on the command line, in the environment or in a file). */
    boolean hasApiKey() {
        return (apiKey != null && !apiKey.isBlank()) || apiKeyFile != null;
    }

    /** Whether certificates to trust were given with {@code --ca-cert} or {@code SLUICE_CA_CERT}. */
    boolean hasCaCert() {
        return caCert != null;
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
