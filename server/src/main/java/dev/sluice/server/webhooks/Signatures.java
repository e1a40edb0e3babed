package dev.sluice.server.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code Sluice-Signature} header: {@code t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>},
 * with one {@code v1} per secret that signs (two during a rotation's grace, the current one first).
 * The key is the secret's UTF-8 bytes. See docs/webhooks.md for checking it in a processor.
 */
public final class Signatures {
    public static final String HEADER = "Sluice-Signature";

    private Signatures() {}

    /** The header's value for a body sent at {@code unixSeconds}, signed by each of {@code secrets}. */
    public static String header(List<String> secrets, long unixSeconds, byte[] body) {
        StringBuilder value = new StringBuilder("t=").append(unixSeconds);
        for (String secret : secrets) {
            value.append(",v1=").append(sign(secret, unixSeconds, body));
        }
        return value.toString();
    }

    /** The hex HMAC-SHA256 of {@code t + "." + body} under {@code secret}. */
    public static String sign(String secret, long unixSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((unixSeconds + ".").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
