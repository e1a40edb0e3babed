package dev.sluice.server.security;

import dev.sluice.server.Engine;
import io.javalin.config.JavalinConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything that decides who reaches a node and how much they may hold: API keys and scopes,
 * TLS, connection and header limits, waits per key, problem+json for errors Jetty answers itself.
 *
 * <p>Keys are asked for when the node binds an address other than loopback, or always with
 * {@link AuthMode#REQUIRED}. Asked for but none configured (no admin key given, none in the
 * store), the node refuses to start, unless started insecure.
 */
public final class Security {
    private static final Logger log = LoggerFactory.getLogger(Security.class);

    private final SecuritySettings settings;
    private final boolean authEnabled;
    private final KeyRing keys;

    private Security(SecuritySettings settings, boolean authEnabled, KeyRing keys) {
        this.settings = settings;
        this.authEnabled = authEnabled;
        this.keys = keys;
    }

    /**
     * Loads the keys and decides whether they are asked for.
     *
     * @throws IllegalArgumentException when keys are asked for and none can be presented, or a
     *                                  TLS file cannot be used; the message says what to do
     */
    public static Security start(String host, SecuritySettings settings, Engine engine) {
        boolean loopback = isLoopback(host);
        boolean enabled = settings.auth() == AuthMode.REQUIRED || !loopback && !settings.insecure();
        KeyRing keys = new KeyRing(engine, settings.adminKey(), engine.now());
        engine.onKeysChanged(keys::changedElsewhere);   // announced by another node
        engine.onMissedAnnouncements(keys::changedElsewhere);   // perhaps announced while this node was cut off
        keys.load().join();
        if (enabled && !keys.hasAnyKey()) {
            throw new IllegalArgumentException((settings.auth() == AuthMode.REQUIRED ? "--auth required asks for API keys"
                    : "the server binds " + host + ", which is not a loopback address, so it asks for API keys")
                    + ", and none is configured. Give an admin key in SLUICE_ADMIN_KEY or a file named by --admin-key-file "
                    + "(make one with: openssl rand -hex 32), or start with --insecure to serve without keys "
                    + "(then anyone who can reach the port can do anything).");
        }
        if (settings.tls()) {
            Pem.keyStore(settings.tlsCert(), settings.tlsKey(), new char[0]);   // fails now, with the reason, rather than in Jetty
        }
        if (!enabled && !loopback) {
            log.warn("INSECURE: serving {} without API keys (--insecure): anyone who can reach the port can do anything", host);
        } else if (enabled) {
            log.info("API keys required ({}); {} in the store{}", settings.auth() == AuthMode.REQUIRED ? "--auth required"
                    : host + " is not loopback", keys.all().size() - (settings.adminKey() == null ? 0 : 1),
                    settings.adminKey() == null ? "" : ", plus the configured admin key");
            if (!settings.tls() && !loopback) {
                log.warn("API keys travel in clear over plain HTTP: serve TLS (--tls-cert, --tls-key) or put a TLS proxy in front");
            }
        }
        return new Security(settings, enabled, keys);
    }

    /** Whether {@code host} resolves to a loopback address; an unknown host counts as not loopback. */
    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Installs the connector, the error handler, the checks and the key routes into a Javalin config. */
    public void install(JavalinConfig config, String host, int port) {
        config.jetty.addConnector((server, http) -> Listener.connector(server, http, host, port, settings));
        config.jetty.modifyServer(server -> server.setErrorHandler(new ProblemErrorHandler()));
        config.jetty.modifyServletContextHandler(context -> context.setErrorHandler(new ProblemErrorHandler()));
        config.routes.error(408, ProblemErrorHandler::requestTimeout);
        WaitQuota quota = new WaitQuota(settings.maxWaitsPerKey());
        config.routes.before(new QueryCheck());
        config.routes.beforeMatched(new Authenticator(keys, authEnabled));
        config.routes.beforeMatched(quota::enter);
        config.routes.after(quota::leave);
        new KeyRoutes(keys).register(config.routes);
    }

    public boolean authEnabled() {
        return authEnabled;
    }

    public String scheme() {
        return settings.tls() ? "https" : "http";
    }
}
