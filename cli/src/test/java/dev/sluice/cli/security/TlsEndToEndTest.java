package dev.sluice.cli.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.cli.remote.Output;
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
 * server certificate it signed), the Java SDK and the {@code sluice} client commands
 * ({@code semaphore ls}, {@code run}, {@code keys}) verifying that certificate through a custom CA
 * ({@code --ca-cert}); and the refusals when the CA is not trusted, the host name does not match,
 * or plain HTTP is spoken.
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
        String[] common = {"--server", https("127.0.0.1"), "--ca-cert", certs.ca().toString(), "--api-key-file", adminKeyFile.toString()};
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

            CliRun json = CliRun.of(concat(new String[] {"keys", "ls", "-o", "json"}, common));
            assertThat(json.exit()).as(json.toString()).isZero();
            assertThat(Output.JSON.readTree(json.out()).valueStream().map(k -> k.get("id").asString())).contains(id, "config");

            CliRun revoked = CliRun.of(concat(new String[] {"keys", "revoke", id}, common));
            assertThat(revoked.exit()).as(revoked.toString()).isZero();
            assertThat(revoked.out()).contains("revoked " + id);
            assertThatThrownBy(() -> s.state()).isInstanceOf(UnauthorizedException.class);

            CliRun again = CliRun.of(concat(new String[] {"keys", "revoke", id}, common));
            assertThat(again.exit()).as("a key revoked before is not found: " + again).isEqualTo(3);
        }
    }

    @Test
    void everyClientCommandTalksTlsWithTheCaCert() throws Exception {
        String name = "tls-commands";
        try (Sluice admin = Sluice.builder().baseUrl(https("localhost")).apiKey(ADMIN).trustedCertificates(certs.ca()).build()) {
            admin.semaphore(name).create(1);
        }
        String[] common = {"--server", https("localhost"), "--ca-cert", certs.ca().toString(), "--api-key-file", adminKeyFile.toString()};

        CliRun ls = CliRun.of(concat(new String[] {"semaphore", "ls"}, common));
        assertThat(ls.exit()).as(ls.toString()).isZero();
        assertThat(ls.out()).contains(name);

        Path ran = tmp.resolve("ran");
        List<String> run = new java.util.ArrayList<>(List.of("run", name, "--wait", "10s"));
        run.addAll(List.of(common));
        run.addAll(List.of("--", "sh", "-c", "echo \"$SLUICE_FENCING_TOKEN\" > '" + ran + "'"));
        CliRun r = CliRun.of(run.toArray(String[]::new));
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(Long.parseLong(Files.readString(ran).strip())).isPositive();

        CliRun keys = CliRun.of(concat(new String[] {"keys", "ls"}, common));
        assertThat(keys.exit()).as(keys.toString()).isZero();
        assertThat(keys.out()).contains("(configured)");
    }

    @Test
    void withoutTheCaCertEveryCommandIsRefusedWithOneClearLine() {
        for (String[] command : List.of(new String[] {"semaphore", "ls"}, new String[] {"run", "tls-x", "--", "true"},
                new String[] {"keys", "ls"})) {
            List<String> args = new java.util.ArrayList<>(List.of(command));
            args.addAll(args.indexOf("--") < 0 ? args.size() : args.indexOf("--"),
                    List.of("--server", https("127.0.0.1"), "--api-key-file", adminKeyFile.toString()));
            CliRun r = CliRun.of(args.toArray(String[]::new));
            assertThat(r.exit()).as(r.toString()).isEqualTo(6);
            assertThat(r.err().strip().lines()).as(r.toString()).hasSize(1);
            assertThat(r.err()).startsWith("sluice: cannot verify the TLS certificate of " + https("127.0.0.1"))
                    .contains("--ca-cert", "SLUICE_CA_CERT");
            assertThat(r.out()).isEmpty();
        }
        CliRun wrongCa = CliRun.of("semaphore", "ls", "--server", https("127.0.0.1"), "--ca-cert", certs.otherCa().toString(),
                "--api-key-file", adminKeyFile.toString());
        assertThat(wrongCa.exit()).as(wrongCa.toString()).isEqualTo(6);
        assertThat(wrongCa.err()).contains("cannot verify the TLS certificate", "does --ca-cert hold the CA");
        CliRun wrongHost = CliRun.of("semaphore", "ls", "--server", https("127.0.0.2"), "--ca-cert", certs.ca().toString(),
                "--api-key-file", adminKeyFile.toString());
        assertThat(wrongHost.exit()).as(wrongHost.toString()).isEqualTo(6);
        assertThat(wrongHost.err()).contains("127.0.0.2");
        CliRun noFile = CliRun.of("semaphore", "ls", "--server", https("127.0.0.1"), "--ca-cert", tmp.resolve("missing.pem").toString());
        assertThat(noFile.exit()).as(noFile.toString()).isEqualTo(2);
        assertThat(noFile.err()).contains("--ca-cert", "no file");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
