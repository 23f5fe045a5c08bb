package io.iris.engine.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Hand-crafted tokens for tests: JSON text base64url-encoded with the JDK's encoder and signed with
 * {@link Mac} directly, so the tests never rely on {@link JwtMinter} or on the code under test.
 */
final class TestTokens {
    static final byte[] SECRET = "0123456789abcdef0123456789abcdef-test-secret".getBytes(StandardCharsets.US_ASCII);
    static final byte[] OTHER_SECRET = "fedcba9876543210fedcba9876543210-other-secret".getBytes(StandardCharsets.US_ASCII);
    static final String HS256_HEADER = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    /** 2023-11-14T22:13:20Z. */
    static final long NOW_SECONDS = 1_700_000_000L;
    static final long NOW_MILLIS = NOW_SECONDS * 1000;

    private TestTokens() {
    }

    static String b64(final String json) {
        return b64(json.getBytes(StandardCharsets.UTF_8));
    }

    static String b64(final byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static byte[] hmac(final byte[] secret, final String signingInput) {
        try {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
        } catch (final GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    /** A token with the given header and payload JSON, signed with {@code secret}. */
    static String signed(final String headerJson, final String payloadJson, final byte[] secret) {
        return signedRaw(b64(headerJson), b64(payloadJson), secret);
    }

    /** A token with already-encoded header and payload, signed with {@code secret}. */
    static String signedRaw(final String header, final String payload, final byte[] secret) {
        final String input = header + "." + payload;
        return input + "." + b64(hmac(secret, input));
    }

    /** The standard HS256 header and the given claims, signed with {@link #SECRET}. */
    static String token(final String claimsJson) {
        return signed(HS256_HEADER, claimsJson, SECRET);
    }

    /** Claims for {@code sub} valid around {@link #NOW_SECONDS}: iat = now - 10, exp = now + 600. */
    static String claims(final String sub) {
        return "{\"sub\":\"" + sub + "\",\"iat\":" + (NOW_SECONDS - 10) + ",\"exp\":" + (NOW_SECONDS + 600) + "}";
    }
}
