package dev.sluice.server.security;

import dev.sluice.server.webhooks.WebhookTargets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Who may reach a node, over what, and how much of it one client may hold.
 *
 * @param auth            when API keys are required ({@link AuthMode#AUTO}: on any non-loopback address)
 * @param insecure        serve a non-loopback address without keys (only when {@code auth} is AUTO)
 * @param adminKey        an admin key given in configuration (kept in memory, never stored), or null
 * @param tlsCert         PEM certificate chain (server certificate first), or null for plain HTTP
 * @param tlsKey          PEM private key (PKCS#8, or PKCS#1 RSA) of that certificate, or null
 * @param maxConnections  open connections at most; beyond it new ones wait to be accepted
 * @param maxWaitsPerKey  waiting requests (acquires with a wait, long-polling claims) per API key at once
 * @param maxHeaderBytes  the largest request line plus headers, in bytes
 * @param idleTimeout     how long a connection may stay silent (between requests, or mid-request)
 * @param webhookTargets  where webhook deliveries may go (the allow-list; metadata and link-local refused)
 */
public record SecuritySettings(AuthMode auth, boolean insecure, String adminKey, Path tlsCert, Path tlsKey,
                               int maxConnections, int maxWaitsPerKey, int maxHeaderBytes, Duration idleTimeout,
                               WebhookTargets webhookTargets) {

    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    public static final int DEFAULT_MAX_WAITS_PER_KEY = 1_000;
    public static final int DEFAULT_MAX_HEADER_BYTES = 8 * 1024;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

    public SecuritySettings {
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(webhookTargets, "webhookTargets");
        if (insecure && auth == AuthMode.REQUIRED) {
            throw new IllegalArgumentException("--insecure and --auth required contradict each other; choose one");
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("TLS needs both --tls-cert and --tls-key");
        }
        if (adminKey != null) {
            Secrets.checkConfigured(adminKey, "the configuration");
        }
        range("maxConnections", maxConnections, 1, 1_000_000);
        range("maxWaitsPerKey", maxWaitsPerKey, 1, 1_000_000);
        range("maxHeaderBytes", maxHeaderBytes, 1024, 1024 * 1024);
        if (idleTimeout.compareTo(Duration.ofSeconds(1)) < 0 || idleTimeout.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("the idle timeout must be 1 s … 1 h, got " + idleTimeout);
        }
    }

    private static void range(String what, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(what + " must be " + min + " … " + max + ", got " + value);
        }
    }

    /** Keys only off loopback, plain HTTP, default limits. */
    public static SecuritySettings defaults() {
        return new SecuritySettings(AuthMode.AUTO, false, null, null, null, DEFAULT_MAX_CONNECTIONS,
                DEFAULT_MAX_WAITS_PER_KEY, DEFAULT_MAX_HEADER_BYTES, DEFAULT_IDLE_TIMEOUT, WebhookTargets.defaults());
    }

    public SecuritySettings withAuth(AuthMode newAuth) {
        return new SecuritySettings(newAuth, insecure, adminKey, tlsCert, tlsKey, maxConnections, maxWaitsPerKey, maxHeaderBytes, idleTimeout, webhookTargets);
    }

    public SecuritySettings withInsecure(boolean newInsecure) {
        return new SecuritySettings(auth, newInsecure, adminKey, tlsCert, tlsKey, maxConnections, maxWaitsPerKey, maxHeaderBytes, idleTimeout, webhookTargets);
    }

    public SecuritySettings withAdminKey(String newAdminKey) {
        return new SecuritySettings(auth, insecure, newAdminKey, tlsCert, tlsKey, maxConnections, maxWaitsPerKey, maxHeaderBytes, idleTimeout, webhookTargets);
    }

    public SecuritySettings withTls(Path cert, Path key) {
        return new SecuritySettings(auth, insecure, adminKey, cert, key, maxConnections, maxWaitsPerKey, maxHeaderBytes, idleTimeout, webhookTargets);
    }

    public SecuritySettings withMaxConnections(int n) {
        return new SecuritySettings(auth, insecure, adminKey, tlsCert, tlsKey, n, maxWaitsPerKey, maxHeaderBytes, idleTimeout, webhookTargets);
    }

    public SecuritySettings withMaxWaitsPerKey(int n) {
        return new SecuritySettings(auth, insecure, adminKey, tlsCert, tlsKey, maxConnections, n, maxHeaderBytes, idleTimeout, webhookTargets);
    }

    public SecuritySettings withMaxHeaderBytes(int n) {
        return new SecuritySettings(auth, insecure, adminKey, tlsCert, tlsKey, maxConnections, maxWaitsPerKey, n, idleTimeout, webhookTargets);
    }

    public SecuritySettings withIdleTimeout(Duration d) {
        return new SecuritySettings(auth, insecure, adminKey, tlsCert, tlsKey, maxConnections, maxWaitsPerKey, maxHeaderBytes, d, webhookTargets);
    }

    public SecuritySettings withWebhookTargets(WebhookTargets targets) {
        return new SecuritySettings(auth, insecure, adminKey, tlsCert, tlsKey, maxConnections, maxWaitsPerKey, maxHeaderBytes, idleTimeout,
                targets);
    }

    public boolean tls() {
        return tlsCert != null;
    }

    /** Never shows the admin key. */
    @Override
    public String toString() {
        return "SecuritySettings[auth=" + auth + ", insecure=" + insecure + ", adminKey=" + (adminKey == null ? "none" : "(set)")
                + ", tlsCert=" + tlsCert + ", tlsKey=" + tlsKey + ", maxConnections=" + maxConnections
                + ", maxWaitsPerKey=" + maxWaitsPerKey + ", maxHeaderBytes=" + maxHeaderBytes + ", idleTimeout=" + idleTimeout + ", " + webhookTargets + "]";
    }
}
