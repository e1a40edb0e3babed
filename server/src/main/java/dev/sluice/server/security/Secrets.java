package dev.sluice.server.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * API key secrets: how they are made and how they are kept.
 *
 * <p>A secret is {@value #PREFIX} followed by 256 random bits in base64url (the prefix lets
 * secret scanners and people recognise one). Only its SHA-256 is stored. A slow password hash
 * (bcrypt, scrypt, Argon2) exists to make guessing a human's low-entropy password expensive; a
 * 256-bit random secret cannot be guessed at any speed, so it would add nothing but CPU work on
 * every request (an easy denial of service) and rule out finding a key by an index on its hash.
 */
public final class Secrets {
    public static final String PREFIX = "sluice_";
    /** The shortest configured admin key accepted: 32 hex digits are 128 bits. */
    public static final int MIN_CONFIGURED_LENGTH = 32;
    /** Longer presented tokens are refused without hashing them. */
    public static final int MAX_LENGTH = 512;

    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private Secrets() {}

    /** A new secret: {@code sluice_} and 43 characters. */
    public static String newSecret(SecureRandom random) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return PREFIX + BASE64URL.encodeToString(bytes);
    }

    /** A new public key id: {@code key_} and 16 hex digits. Not a secret, only unique. */
    public static String newKeyId(SecureRandom random) {
        return "key_" + HexFormat.of().toHexDigits(random.nextLong());
    }

    /** The hash the store keeps: lowercase hex SHA-256 of the secret's UTF-8 bytes. */
    public static String hash(String secret) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha256.digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * Checks a key given in configuration ({@code SLUICE_ADMIN_KEY}, {@code --admin-key-file}):
     * long enough to be unguessable, and only visible ASCII so that it survives headers and shells.
     *
     * @throws IllegalArgumentException saying what is wrong, never showing the key
     */
    public static String checkConfigured(String key, String source) {
        if (key.length() < MIN_CONFIGURED_LENGTH || key.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("the admin key from " + source + " must be " + MIN_CONFIGURED_LENGTH + " to "
                    + MAX_LENGTH + " characters (it has " + key.length() + "); make one with: openssl rand -hex 32");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c <= ' ' || c > '~') {
                throw new IllegalArgumentException("the admin key from " + source
                        + " must be visible ASCII without spaces; make one with: openssl rand -hex 32");
            }
        }
        return key;
    }
}
