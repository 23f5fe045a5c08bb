package io.iris.engine.auth;

import io.iris.api.IrisConfig;
import io.iris.api.auth.Authenticator;
import io.iris.api.auth.AuthenticatorProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * The {@code jwt} authenticator ({@code auth=jwt}): a {@link JwtAuthenticator} configured from
 * {@link IrisConfig}. Keys:
 * <ul>
 *   <li>{@value #KEY_SECRET} (required): the HMAC secret, at least 32 bytes. Either the raw secret,
 *       taken as its UTF-8 bytes, or {@code base64:} followed by the standard (RFC 4648 §4) base64 of the
 *       bytes. {@link IrisConfig} trims values, so a raw secret cannot begin or end with whitespace;
 *       use the {@code base64:} form for arbitrary bytes.</li>
 *   <li>{@value #KEY_ISSUER} (optional): when set and non-empty, {@code iss} must equal it.</li>
 *   <li>{@value #KEY_AUDIENCE} (optional): when set and non-empty, {@code aud} must equal or contain it.</li>
 *   <li>{@value #KEY_LEEWAY_SECONDS} (default 30, 0..3600): clock skew allowed on {@code exp/nbf/iat}.</li>
 * </ul>
 * Bad or missing values throw {@link IllegalArgumentException} naming the key; the secret itself is
 * never put in a message. {@link #secretFrom(IrisConfig)} and {@link #minterFrom(IrisConfig)} read the
 * same keys for tools that mint tokens (the reference server's {@code mint-token} command), so a token
 * minted with a configuration is accepted by an authenticator created from it.
 */
public final class JwtAuthenticatorProvider implements AuthenticatorProvider {
    /** The provider name used in configuration. */
    public static final String NAME = "jwt";
    /** Required: the HMAC secret, raw UTF-8 or {@code base64:...}. */
    public static final String KEY_SECRET = "auth.jwt.secret";
    /** Optional: the required {@code iss}. */
    public static final String KEY_ISSUER = "auth.jwt.issuer";
    /** Optional: the required {@code aud}. */
    public static final String KEY_AUDIENCE = "auth.jwt.audience";
    /** Optional: leeway in seconds, default 30. */
    public static final String KEY_LEEWAY_SECONDS = "auth.jwt.leewaySeconds";

    private static final String BASE64_PREFIX = "base64:";

    /** For {@link java.util.ServiceLoader}. */
    public JwtAuthenticatorProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Authenticator create(final IrisConfig config) {
        final long leewaySeconds = config.getInt(KEY_LEEWAY_SECONDS, (int) JwtAuthenticator.DEFAULT_LEEWAY.toSeconds(),
            0, (int) JwtAuthenticator.MAX_LEEWAY.toSeconds());
        return JwtAuthenticator.builder()
            .hs256Secret(secretFrom(config))
            .issuer(optional(config, KEY_ISSUER))
            .audience(optional(config, KEY_AUDIENCE))
            .leeway(Duration.ofSeconds(leewaySeconds))
            .build();
    }

    /**
     * Decodes {@value #KEY_SECRET}: the one place that knows the secret's configuration format.
     *
     * @param config the configuration.
     * @return the secret bytes, at least 32 of them.
     * @throws IllegalArgumentException naming the key if it is missing, not valid base64 after
     *                                  {@code base64:}, or shorter than 32 bytes.
     */
    public static byte[] secretFrom(final IrisConfig config) {
        final String value = config.requireString(KEY_SECRET);
        final byte[] secret;
        if (value.startsWith(BASE64_PREFIX)) {
            try {
                secret = Base64.getDecoder().decode(value.substring(BASE64_PREFIX.length()).trim());
            } catch (final IllegalArgumentException e) {
                // Deliberately not chained: the cause's message may quote characters of the secret.
                throw new IllegalArgumentException("config key '" + KEY_SECRET + "' has the '" + BASE64_PREFIX
                    + "' prefix but is not valid base64");
            }
        } else {
            secret = value.getBytes(StandardCharsets.UTF_8);
        }
        if (secret.length < Hs256.MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("config key '" + KEY_SECRET + "' must hold at least "
                + Hs256.MIN_SECRET_BYTES + " bytes (256 bits) for HS256, got " + secret.length);
        }
        return secret;
    }

    /**
     * A minter that produces tokens the authenticator created from the same configuration accepts.
     *
     * @param config the configuration.
     * @return a minter with {@value #KEY_SECRET}, {@value #KEY_ISSUER} and {@value #KEY_AUDIENCE}.
     * @throws IllegalArgumentException naming the key for a bad secret.
     */
    public static JwtMinter minterFrom(final IrisConfig config) {
        return new JwtMinter(secretFrom(config), optional(config, KEY_ISSUER), optional(config, KEY_AUDIENCE));
    }

    private static String optional(final IrisConfig config, final String key) {
        final String v = config.getString(key, "");
        return v.isEmpty() ? null : v;
    }
}
