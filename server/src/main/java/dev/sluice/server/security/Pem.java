package dev.sluice.server.security;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates and private keys from PEM files, as certbot, cert-manager, mkcert and openssl
 * write them. The JDK reads PEM certificates but not PEM keys (its PEM API is still a preview),
 * and no chosen dependency does; this is the small part needed.
 *
 * <p>Keys: unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}: RSA, EC, Ed25519) and PKCS#1
 * ({@code BEGIN RSA PRIVATE KEY}). Other forms are refused with the openssl command that converts them.
 */
public final class Pem {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)-----END \\1-----");
    /** DER of the AlgorithmIdentifier for rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7,
            0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    private Pem() {}

    /** The PEM file was unreadable, malformed, or held the wrong thing. The message says which and how to fix it. */
    public static final class PemException extends IllegalArgumentException {
        PemException(String message) {
            super(message);
        }

        PemException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private record Block(String type, byte[] der) {}

    private static List<Block> blocks(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new PemException("cannot read " + file + ": " + e.getMessage(), e);
        }
        List<Block> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            try {
                blocks.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
            } catch (IllegalArgumentException e) {
                throw new PemException(file + ": the " + m.group(1) + " block is not valid base64");
            }
        }
        return blocks;
    }

    /** The certificates of a PEM file, in file order (for a chain: the server's first). */
    public static List<X509Certificate> certificates(Path file) {
        List<X509Certificate> certs = new ArrayList<>();
        try {
            CertificateFactory x509 = CertificateFactory.getInstance("X.509");
            for (Block b : blocks(file)) {
                if (b.type().equals("CERTIFICATE")) {
                    certs.add((X509Certificate) x509.generateCertificate(new ByteArrayInputStream(b.der())));
                }
            }
        } catch (GeneralSecurityException e) {
            throw new PemException(file + ": a certificate cannot be read: " + e.getMessage(), e);
        }
        if (certs.isEmpty()) {
            throw new PemException(file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return certs;
    }

    /** The one private key of a PEM file. */
    public static PrivateKey privateKey(Path file) {
        for (Block b : blocks(file)) {
            switch (b.type()) {
                case "PRIVATE KEY" -> {
                    return pkcs8(b.der(), file);
                }
                case "RSA PRIVATE KEY" -> {
                    return pkcs8(pkcs1ToPkcs8(b.der()), file);
                }
                case "ENCRYPTED PRIVATE KEY" -> throw new PemException(file + " holds an encrypted key; decrypt it with: "
                        + "openssl pkcs8 -in " + file + " -out key.pem");
                case "EC PRIVATE KEY" -> throw new PemException(file + " holds an EC key in SEC1 form; convert it with: "
                        + "openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pem");
                default -> {
                    // certificates or parameters beside the key: skipped
                }
            }
        }
        throw new PemException(file + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
    }

    private static PrivateKey pkcs8(byte[] der, Path file) {
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException notThisOne) {
                // try the next algorithm
            }
        }
        throw new PemException(file + ": the private key is of no supported kind (RSA, EC, Ed25519, Ed448)");
    }

    /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo: version 0, rsaEncryption, the key as an OCTET STRING. */
    private static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(RSA_ALGORITHM);
        body.write(0x04);
        body.writeBytes(derLength(pkcs1.length));
        body.writeBytes(pkcs1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x30);
        out.writeBytes(derLength(body.size()));
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static byte[] derLength(int n) {
        if (n < 0x80) {
            return new byte[] {(byte) n};
        }
        if (n < 0x100) {
            return new byte[] {(byte) 0x81, (byte) n};
        }
        if (n < 0x10000) {
            return new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n};
        }
        return new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
    }

    /**
     * A key store holding the key and its certificate chain under the alias {@code sluice}, after
     * checking that the key belongs to the first certificate.
     */
    public static KeyStore keyStore(Path certFile, Path keyFile, char[] password) {
        List<X509Certificate> chain = certificates(certFile);
        PrivateKey key = privateKey(keyFile);
        if (!belongTogether(key, chain.getFirst().getPublicKey())) {
            throw new PemException("the private key in " + keyFile + " does not belong to the first certificate in " + certFile);
        }
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("sluice", key, password, chain.toArray(Certificate[]::new));
            return ks;
        } catch (GeneralSecurityException | IOException e) {
            throw new PemException("cannot build a key store from " + certFile + " and " + keyFile + ": " + e.getMessage(), e);
        }
    }

    /** Signs a random message with the private key and checks it with the public one. */
    private static boolean belongTogether(PrivateKey key, PublicKey pub) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "RSASSA-PSS" -> "RSASSA-PSS";
            default -> key.getAlgorithm();   // Ed25519, Ed448, EdDSA
        };
        try {
            byte[] message = new byte[32];
            new SecureRandom().nextBytes(message);
            Signature signer = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                signer.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            signer.initSign(key);
            signer.update(message);
            byte[] signature = signer.sign();
            signer.initVerify(pub);
            signer.update(message);
            return signer.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** An SSL context that trusts exactly the certificates of a PEM file (e.g. a private CA). */
    public static SSLContext trusting(Path caFile) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            int i = 0;
            for (X509Certificate c : certificates(caFile)) {
                trust.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            return ssl;
        } catch (GeneralSecurityException | IOException e) {
            throw new PemException("cannot trust the certificates in " + caFile + ": " + e.getMessage(), e);
        }
    }
}
