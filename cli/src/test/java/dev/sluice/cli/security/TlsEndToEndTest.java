package dev.sluice.cli.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.client.Job;
import dev.sluice.client.Permit;
import dev.sluice.client.Semaphore;
import dev.sluice.client.Sluice;
import dev.sluice.client.SluiceTransportException;
import dev.sluice.client.UnauthorizedException;
import dev.sluice.server.ServerSettings;
import dev.sluice.server.SluiceServer;
import dev.sluice.server.security.AuthMode;
import dev.sluice.server.security.SecuritySettings;
import dev.sluice.server.security.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS end to end: a real node serving HTTPS from PEM files made in the test (a private CA and a
 * server certificate it signed), the Java SDK and the {@code sluice keys} command verifying that
 * certificate through a custom CA; and the refusals when the CA is not trusted, the host name
 * does not match, or plain HTTP is spoken.
 */
class TlsEndToEndTest {
    static final String ADMIN = "tls-admin-key-0123456789abcdef0123456789";

    @TempDir
    static Path tmp;
    static TestCertificates certs;
    static SluiceServer server;
    static Path adminKeyFile;

    @BeforeAll
    static void start() throws Exception {
        certs = TestCertificates.make(Files.createDirectory(tmp.resolve("certs")), "ip:127.0.0.1,dns:localhost");
        SecuritySettings security = SecuritySettings.defaults().withAuth(AuthMode.REQUIRED).withAdminKey(ADMIN)
                .withTls(certs.chain(), certs.key());
        // bound to every address, so that the same server can be dialled by a name its certificate does not carry
        server = SluiceServer.start(ServerSettings.defaults().withHost("0.0.0.0").withPort(0)
                .withDataDir(tmp.resolve("data")).withSecurity(security));
        adminKeyFile = Files.writeString(tmp.resolve("admin.key"), ADMIN + "\n");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String https(String host) {
        return "https://" + host + ":" + server.port();
    }

    @Test
    void theSdkVerifiesTheServerThroughTheCustomCaAndWorksOverTls() throws Exception {
        for (String host : List.of("127.0.0.1", "localhost")) {
            try (Sluice sluice = Sluice.builder().baseUrl(https(host)).apiKey(ADMIN).trustedCertificates(certs.ca()).build()) {
                Semaphore s = sluice.semaphore("tls-" + host.replace('.', '-'));
                assertThat(s.create(2).limit()).isEqualTo(2);
                try (Permit p = s.acquire(Duration.ofSeconds(10))) {
                    assertThat(p.fencingToken()).isPositive();
                    assertThat(s.state().state().inUse()).isEqualTo(1);
                }
                s.submit(Map.of("over", "tls"));
                List<Job> jobs = s.claim(1, Duration.ofSeconds(10));
                assertThat(jobs).hasSize(1);
                assertThat(jobs.getFirst().payload().get("over").asString()).isEqualTo("tls");
                jobs.getFirst().complete();
                assertThat(sluice.isReady()).isTrue();
            }
        }
    }

    @Test
    void withoutTheCaTheSdkRefusesTheServer() {
        try (Sluice sluice = Sluice.builder().baseUrl(https("127.0.0.1")).apiKey(ADMIN).build()) {
            assertThatThrownBy(() -> sluice.semaphore("x").state()).isInstanceOf(SluiceTransportException.class)
                    .cause().isInstanceOf(SSLHandshakeException.class).hasMessageContaining("PKIX path building failed");
        }
        try (Sluice sluice = Sluice.builder().baseUrl(https("127.0.0.1")).apiKey(ADMIN).trustedCertificates(certs.otherCa()).build()) {
            assertThatThrownBy(() -> sluice.semaphore("x").state()).isInstanceOf(SluiceTransportException.class)
                    .cause().isInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void aHostNameTheCertificateDoesNotCarryIsRefused() {
        // 127.0.0.2 reaches the same loopback server, but the certificate names only 127.0.0.1 and localhost
        try (Sluice sluice = Sluice.builder().baseUrl(https("127.0.0.2")).apiKey(ADMIN).trustedCertificates(certs.ca()).build()) {
            assertThatThrownBy(() -> sluice.semaphore("x").state()).isInstanceOf(SluiceTransportException.class)
                    .cause().isInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void plainHttpIsNotServedOnTheTlsPort() {
        try (Sluice sluice = Sluice.builder().baseUrl("http://127.0.0.1:" + server.port()).apiKey(ADMIN)
                .requestTimeout(Duration.ofSeconds(10)).build()) {
            assertThatThrownBy(() -> sluice.semaphore("x").state()).isInstanceOf(SluiceTransportException.class);
        }
    }

    @Test
    void theKeysCommandWorksOverTlsWithTheCaAndTheKeysItMakesWork() {
        String[] common = {"--url", https("127.0.0.1"), "--ca-cert", certs.ca().toString(), "--api-key-file", adminKeyFile.toString()};
        CliRun made = CliRun.of(concat(new String[] {"keys", "create", "--name", "tls worker", "--scope", "use:tls-*", "-q"}, common));
        assertThat(made.exit()).as(made.toString()).isZero();
        String key = made.out().strip();
        assertThat(key).startsWith("sluice_");

        try (Sluice sluice = Sluice.builder().baseUrl(https("localhost")).apiKey(key).trustedCertificates(certs.ca()).build()) {
            Semaphore s = sluice.semaphore("tls-cli");
            try (Sluice admin = Sluice.builder().baseUrl(https("localhost")).apiKey(ADMIN).trustedCertificates(certs.ca()).build()) {
                admin.semaphore("tls-cli").create(1);
            }
            assertThat(s.tryAcquire()).isPresent();

            CliRun listed = CliRun.of(concat(new String[] {"keys", "ls"}, common));
            assertThat(listed.exit()).as(listed.toString()).isZero();
            assertThat(listed.out()).contains("tls worker", "use:tls-*", "(configured)").doesNotContain(key);
            String id = listed.out().lines().filter(l -> l.contains("tls worker")).findFirst().orElseThrow().split("\\s+")[0];

            CliRun revoked = CliRun.of(concat(new String[] {"keys", "revoke", id}, common));
            assertThat(revoked.exit()).as(revoked.toString()).isZero();
            assertThat(revoked.out()).contains("revoked " + id);
            assertThatThrownBy(() -> s.state()).isInstanceOf(UnauthorizedException.class);
        }

        CliRun noCa = CliRun.of("keys", "ls", "--url", https("127.0.0.1"), "--api-key-file", adminKeyFile.toString());
        assertThat(noCa.exit()).as(noCa.toString()).isEqualTo(1);
        assertThat(noCa.err()).contains("--ca-cert");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
