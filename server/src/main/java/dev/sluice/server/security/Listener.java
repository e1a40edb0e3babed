package dev.sluice.server.security;

import java.security.SecureRandom;
import java.util.HexFormat;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The node's one Jetty connector: plain HTTP, or TLS from PEM files; with the limits that keep a
 * client from holding resources indefinitely. An idle timeout closes a connection that sends
 * nothing for that long, whether between requests or in the middle of one (a slow client
 * dribbling headers); a request waiting for a grant is not idle in this sense and is ended by its
 * own wait. At most {@code maxConnections} are open; more wait in the accept queue.
 */
final class Listener {
    private Listener() {}

    static ServerConnector connector(Server server, HttpConfiguration http, String host, int port, SecuritySettings s) {
        http.setRequestHeaderSize(s.maxHeaderBytes());
        ServerConnector connector;
        if (s.tls()) {
            SslContextFactory.Server tls = new SslContextFactory.Server();
            // the key store lives only in memory; its password only guards it from nobody
            String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
            tls.setKeyStore(Pem.keyStore(s.tlsCert(), s.tlsKey(), password.toCharArray()));
            tls.setKeyStorePassword(password);
            HttpConfiguration https = new HttpConfiguration(http);
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            // the client checks that the certificate names the host it dialled; the server need not refuse a
            // request by IP address that sends no SNI
            secure.setSniHostCheck(false);
            https.addCustomizer(secure);
            connector = new ServerConnector(server, new SslConnectionFactory(tls, HttpVersion.HTTP_1_1.asString()),
                    new HttpConnectionFactory(https));
        } else {
            connector = new ServerConnector(server, new HttpConnectionFactory(http));
        }
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(s.idleTimeout().toMillis());
        server.addBean(new NetworkConnectionLimit(s.maxConnections(), connector));
        return connector;
    }
}
