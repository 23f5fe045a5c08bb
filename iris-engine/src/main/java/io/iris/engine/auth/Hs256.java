package io.iris.engine.auth;

import java.security.GeneralSecurityException;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 with one secret: the signing half of JWS {@code HS256} (RFC 7518 §3.2), shared by
 * {@link JwtKey} (verification) and {@link JwtMinter} so the secret rule and the MAC live in one place.
 *
 * <p>Thread-safe. {@link Mac} is not, so each thread keeps its own initialised instance; logins are
 * rare enough per thread that this is about saving the provider lookup, not about speed records.
 */
final class Hs256 {
    /** RFC 7518 §3.2: the key must be at least as long as the hash output (256 bits). */
    static final int MIN_SECRET_BYTES = 32;
    /** Length of an HMAC-SHA256 tag. */
    static final int SIGNATURE_BYTES = 32;

    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;

    /**
     * @param secret the shared secret, at least {@value #MIN_SECRET_BYTES} bytes; copied.
     * @throws IllegalArgumentException if the secret is too short.
     */
    Hs256(final byte[] secret) {
        this.key = new SecretKeySpec(checkSecret(secret), ALGORITHM); // SecretKeySpec copies the bytes
        this.macs = ThreadLocal.withInitial(this::newMac);
        newMac(); // fail at construction, not at the first login, if the JDK lacks HmacSHA256
    }

    /**
     * The one secret rule for HS256 in Iris.
     *
     * @param secret a candidate secret.
     * @return {@code secret}, unchanged.
     * @throws IllegalArgumentException if shorter than {@value #MIN_SECRET_BYTES} bytes; the message gives
     *                                  the length, never the bytes.
     */
    static byte[] checkSecret(final byte[] secret) {
        Objects.requireNonNull(secret, "secret");
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("HS256 secret must be at least " + MIN_SECRET_BYTES
                + " bytes (256 bits), got " + secret.length);
        }
        return secret;
    }

    /**
     * @param input the signing input (ASCII of {@code header.payload}).
     * @return the 32-byte tag.
     */
    byte[] sign(final byte[] input) {
        return macs.get().doFinal(input);
    }

    private Mac newMac() {
        try {
            final Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is not available", e);
        }
    }
}
