package dev.sluice.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys and certificates from PEM files, and the clear refusals of files that cannot serve. */
class PemTest {
    @TempDir
    static Path tmp;
    static TestCertificates certs;

    @BeforeAll
    static void make() throws Exception {
        certs = TestCertificates.make(tmp, "ip:127.0.0.1");
    }

    @Test
    void readsAChainAndItsPkcs8Key() throws Exception {
        assertThat(Pem.certificates(certs.chain())).hasSize(2);
        assertThat(Pem.certificates(certs.chain()).getFirst().getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
        KeyStore ks = Pem.keyStore(certs.chain(), certs.key(), "pw".toCharArray());
        assertThat(ks.isKeyEntry("sluice")).isTrue();
        assertThat(Pem.privateKey(certs.key()).getAlgorithm()).isEqualTo("EC");
        assertThat(Pem.trusting(certs.ca()).getProtocol()).isEqualTo("TLS");
    }

    @Test
    void readsAnRsaKeyInPkcs1Form() throws Exception {
        KeyPair rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        Path pkcs1 = Files.writeString(tmp.resolve("rsa.pem"), "some text before\n"
                + TestCertificates.pem("RSA PRIVATE KEY", innerOctetString(rsa.getPrivate().getEncoded())));
        assertThat(Pem.privateKey(pkcs1).getEncoded()).isEqualTo(rsa.getPrivate().getEncoded());
        Path pkcs8 = Files.writeString(tmp.resolve("rsa8.pem"), TestCertificates.pem("PRIVATE KEY", rsa.getPrivate().getEncoded()));
        assertThat(Pem.privateKey(pkcs8).getEncoded()).isEqualTo(rsa.getPrivate().getEncoded());
    }

    /** The OCTET STRING closing a PKCS#8 PrivateKeyInfo: the PKCS#1 key inside it. */
    private static byte[] innerOctetString(byte[] der) {
        int i = 1;
        i += (der[i] & 0x80) == 0 ? 1 : 1 + (der[i] & 0x7f);   // outer SEQUENCE length
        i += 3;                                               // INTEGER 0
        i += 2 + der[i + 1];                                  // AlgorithmIdentifier
        i++;                                                  // OCTET STRING tag
        int n = der[i] & 0xff;
        int len = n;
        if ((n & 0x80) != 0) {
            len = 0;
            for (int k = 0; k < (n & 0x7f); k++) {
                len = (len << 8) | (der[i + 1 + k] & 0xff);
            }
            i += n & 0x7f;
        }
        i++;
        return Arrays.copyOfRange(der, i, i + len);
    }

    @Test
    void refusesWhatCannotServeAndSaysWhy() throws Exception {
        Path empty = Files.writeString(tmp.resolve("empty.pem"), "nothing here\n");
        assertThatThrownBy(() -> Pem.certificates(empty)).hasMessageContaining("no PEM certificate");
        assertThatThrownBy(() -> Pem.privateKey(certs.chain())).hasMessageContaining("no PEM private key");
        assertThatThrownBy(() -> Pem.privateKey(tmp.resolve("missing.pem"))).hasMessageContaining("cannot read");
        Path encrypted = Files.writeString(tmp.resolve("enc.pem"), TestCertificates.pem("ENCRYPTED PRIVATE KEY", new byte[] {1, 2, 3}));
        assertThatThrownBy(() -> Pem.privateKey(encrypted)).hasMessageContaining("encrypted").hasMessageContaining("openssl pkcs8");
        Path sec1 = Files.writeString(tmp.resolve("ec.pem"), TestCertificates.pem("EC PRIVATE KEY", new byte[] {1, 2, 3}));
        assertThatThrownBy(() -> Pem.privateKey(sec1)).hasMessageContaining("openssl pkcs8 -topk8");
        Path garbage = Files.writeString(tmp.resolve("garbage.pem"), TestCertificates.pem("PRIVATE KEY", new byte[] {1, 2, 3}));
        assertThatThrownBy(() -> Pem.privateKey(garbage)).hasMessageContaining("no supported kind");
        Path notBase64 = Files.writeString(tmp.resolve("bad64.pem"), "-----BEGIN CERTIFICATE-----\nAAA=A\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> Pem.certificates(notBase64)).isInstanceOf(Pem.PemException.class);

        Path stranger = TestCertificates.otherKey(tmp.resolve("stranger.pem"), "EC");
        assertThatThrownBy(() -> Pem.keyStore(certs.chain(), stranger, new char[0]))
                .hasMessageContaining("does not belong to the first certificate");
        Path rsaStranger = TestCertificates.otherKey(tmp.resolve("rsa-stranger.pem"), "RSA");
        assertThatThrownBy(() -> Pem.keyStore(certs.chain(), rsaStranger, new char[0]))
                .hasMessageContaining("does not belong to the first certificate");
    }
}
