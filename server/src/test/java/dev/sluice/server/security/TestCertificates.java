package dev.sluice.server.security;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private CA and a server certificate it signed, made with the JDK's keytool (two runs, no
 * network) in a directory: {@code ca.pem}, {@code server-chain.pem} (the server's certificate,
 * then the CA's), {@code server-key.pem} (PKCS#8); and {@code other-ca.pem}, a public CA from the
 * JDK's trust store that signed nothing here.
 *
 * @param dir where the files are
 */
public record TestCertificates(Path dir) {
    private static final String PASSWORD = "changeit";

    public Path ca() {
        return dir.resolve("ca.pem");
    }

    public Path otherCa() {
        return dir.resolve("other-ca.pem");
    }

    public Path chain() {
        return dir.resolve("server-chain.pem");
    }

    public Path key() {
        return dir.resolve("server-key.pem");
    }

    /** Makes the files; {@code sans} are the server certificate's names, e.g. {@code ip:127.0.0.1,dns:localhost}. */
    public static TestCertificates make(Path dir, String sans) throws IOException, InterruptedException {
        List<String> ec = List.of("-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2", "-keystore", "all.p12");
        keytool(dir, cat(List.of("-genkeypair", "-alias", "ca", "-dname", "CN=Sluice Test CA", "-ext", "bc:c"), ec));
        keytool(dir, cat(List.of("-genkeypair", "-alias", "server", "-dname", "CN=localhost", "-signer", "ca",
                "-ext", "san=" + sans, "-ext", "eku=serverAuth"), ec));
        try (InputStream in = Files.newInputStream(dir.resolve("all.p12"))) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASSWORD.toCharArray());
            Files.writeString(dir.resolve("ca.pem"), pem("CERTIFICATE", ks.getCertificate("ca").getEncoded()));
            StringBuilder chain = new StringBuilder();
            for (Certificate c : ks.getCertificateChain("server")) {
                chain.append(pem("CERTIFICATE", c.getEncoded()));
            }
            Files.writeString(dir.resolve("server-chain.pem"), chain);
            Files.writeString(dir.resolve("server-key.pem"), pem("PRIVATE KEY", ks.getKey("server", PASSWORD.toCharArray()).getEncoded()));
            Files.writeString(dir.resolve("other-ca.pem"), pem("CERTIFICATE", somePublicCa().getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
        return new TestCertificates(dir);
    }

    /** A CA certificate of the JDK's own trust store. */
    private static X509Certificate somePublicCa() throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(Path.of(System.getProperty("java.home"), "lib", "security", "cacerts"))) {
            KeyStore cacerts = KeyStore.getInstance(KeyStore.getDefaultType());
            cacerts.load(in, null);
            String alias = Collections.list(cacerts.aliases()).stream().sorted().findFirst().orElseThrow();
            return (X509Certificate) cacerts.getCertificate(alias);
        }
    }

    /** A fresh private key of the given algorithm, as a PKCS#8 PEM file. */
    public static Path otherKey(Path file, String algorithm) throws IOException, GeneralSecurityException {
        return Files.writeString(file, pem("PRIVATE KEY", KeyPairGenerator.getInstance(algorithm).generateKeyPair().getPrivate().getEncoded()));
    }

    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static List<String> cat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static void keytool(Path dir, List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC", "-J-Xshare:auto"));
        cmd.addAll(args);
        cmd.addAll(List.of("-storepass", PASSWORD, "-storetype", "PKCS12", "-noprompt"));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("keytool " + args + " failed: " + out);
        }
    }
}
