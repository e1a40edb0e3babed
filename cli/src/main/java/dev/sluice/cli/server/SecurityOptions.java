package dev.sluice.cli.server;

import dev.sluice.core.Durations;
import dev.sluice.core.SluiceException;
import dev.sluice.server.security.AuthMode;
import dev.sluice.server.security.Secrets;
import dev.sluice.server.security.SecuritySettings;
import dev.sluice.server.webhooks.WebhookTargets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The {@code sluice server} flags of API keys, TLS and connection limits (docs/security.md,
 * docs/limits.md). Each flag has its {@code SLUICE_*} variable; the admin key itself only comes
 * from the environment or a file, never a flag, so that it does not show in {@code ps}.
 */
public final class SecurityOptions {

    @Option(names = "--auth", defaultValue = "${env:SLUICE_AUTH}", paramLabel = "auto|required",
            description = "When to ask for API keys: auto (default: when --bind is not loopback) or required (always; env SLUICE_AUTH).")
    String auth;

    @Option(names = "--insecure", defaultValue = "${env:SLUICE_INSECURE}", fallbackValue = "true", arity = "0..1",
            description = "Serve a non-loopback address without API keys: anyone who can reach the port can do anything (env SLUICE_INSECURE).")
    Boolean insecure;

    @Option(names = "--admin-key-file", defaultValue = "${env:SLUICE_ADMIN_KEY_FILE}", paramLabel = "FILE",
            description = "File holding an admin API key (at least 32 characters). Or set SLUICE_ADMIN_KEY.")
    Path adminKeyFile;

    @Option(names = "--tls-cert", defaultValue = "${env:SLUICE_TLS_CERT}", paramLabel = "PEM",
            description = "Serve HTTPS with this certificate chain, server certificate first (env SLUICE_TLS_CERT).")
    Path tlsCert;

    @Option(names = "--tls-key", defaultValue = "${env:SLUICE_TLS_KEY}", paramLabel = "PEM",
            description = "The certificate's private key, PKCS#8 or PKCS#1 RSA, unencrypted (env SLUICE_TLS_KEY).")
    Path tlsKey;

    @Option(names = "--max-connections", defaultValue = "${env:SLUICE_MAX_CONNECTIONS}", paramLabel = "N",
            description = "Open connections at most; more wait to be accepted (default 10000; env SLUICE_MAX_CONNECTIONS).")
    Integer maxConnections;

    @Option(names = "--max-waits-per-key", defaultValue = "${env:SLUICE_MAX_WAITS_PER_KEY}", paramLabel = "N",
            description = "Waiting requests (acquires with a wait, long-polling claims) per API key at once (default 1000; env SLUICE_MAX_WAITS_PER_KEY).")
    Integer maxWaitsPerKey;

    @Option(names = "--max-header-size", defaultValue = "${env:SLUICE_MAX_HEADER_SIZE}", paramLabel = "BYTES",
            description = "Largest request line plus headers (default 8192; env SLUICE_MAX_HEADER_SIZE).")
    Integer maxHeaderBytes;

    @Option(names = "--idle-timeout", defaultValue = "${env:SLUICE_IDLE_TIMEOUT}", paramLabel = "DURATION",
            description = "Close a connection silent this long, between requests or mid-request (default 30s; env SLUICE_IDLE_TIMEOUT).")
    String idleTimeout;

    @Option(names = "--webhook-allow", defaultValue = "${env:SLUICE_WEBHOOK_ALLOW}", paramLabel = "LIST",
            description = "Webhook URLs may only reach these hosts: names (hooks.example.com), wildcards (*.example.com), addresses "
                    + "and CIDR blocks (10.0.0.0/8), comma-separated (default: any host but link-local and cloud metadata addresses; "
                    + "env SLUICE_WEBHOOK_ALLOW).")
    String webhookAllow;

    /**
     * The settings these flags give.
     *
     * @param adminKeyFromEnv the value of {@code SLUICE_ADMIN_KEY}, or null
     * @throws IllegalArgumentException saying which flag is wrong
     */
    public SecuritySettings settings(String adminKeyFromEnv) {
        SecuritySettings s = SecuritySettings.defaults();
        if (present(auth)) {
            try {
                s = s.withAuth(AuthMode.valueOf(auth.strip().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--auth must be auto or required, got " + auth);
            }
        }
        if (Boolean.TRUE.equals(insecure)) {
            s = s.withInsecure(true);
        }
        String key = adminKey(adminKeyFromEnv);
        if (key != null) {
            s = s.withAdminKey(key);
        }
        if (tlsCert != null || tlsKey != null) {
            s = s.withTls(tlsCert, tlsKey);
        }
        if (maxConnections != null) {
            s = s.withMaxConnections(maxConnections);
        }
        if (maxWaitsPerKey != null) {
            s = s.withMaxWaitsPerKey(maxWaitsPerKey);
        }
        if (maxHeaderBytes != null) {
            s = s.withMaxHeaderBytes(maxHeaderBytes);
        }
        if (present(idleTimeout)) {
            try {
                s = s.withIdleTimeout(Durations.parse(idleTimeout, "--idle-timeout"));
            } catch (SluiceException e) {
                throw new IllegalArgumentException(e.getMessage());
            }
        }
        if (present(webhookAllow)) {
            s = s.withWebhookTargets(WebhookTargets.allowList(webhookAllow));
        }
        return s;
    }

    private String adminKey(String fromEnv) {
        if (adminKeyFile != null && present(fromEnv)) {
            throw new IllegalArgumentException("give the admin key once: SLUICE_ADMIN_KEY or --admin-key-file, not both");
        }
        if (present(fromEnv)) {
            return Secrets.checkConfigured(fromEnv.strip(), "SLUICE_ADMIN_KEY");
        }
        if (adminKeyFile == null) {
            return null;
        }
        String key;
        try {
            key = Files.readString(adminKeyFile).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the admin key file " + adminKeyFile + ": " + e.getMessage());
        }
        warnIfOthersCanRead(adminKeyFile);
        return Secrets.checkConfigured(key, adminKeyFile.toString());
    }

    private static void warnIfOthersCanRead(Path file) {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)) {
                System.err.println("sluice: warning: " + file + " can be read by other users; chmod 600 it");
            }
        } catch (IOException | UnsupportedOperationException e) {
            // not a POSIX file system: nothing to check
        }
    }

    private static boolean present(String s) {
        return s != null && !s.isBlank();
    }
}
