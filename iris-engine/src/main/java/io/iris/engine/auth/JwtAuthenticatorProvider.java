package io.iris.engine.auth;

import io.iris.api.IrisConfig;
import io.iris.api.auth.Authenticator;
import io.iris.api.auth.AuthenticatorProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The {@code jwt} authenticator ({@code auth=jwt}): a {@link JwtAuthenticator} configured from
 * {@link IrisConfig}. Keys:
 * <ul>
 *   <li>{@value #KEY_SECRET}: an HS256 secret, at least 32 bytes. Either the raw secret, taken as its UTF-8
 *       bytes, or {@code base64:} followed by the standard (RFC 4648 §4) base64 of the bytes.
 *       {@link IrisConfig} trims values, so a raw secret cannot begin or end with whitespace; use the
 *       {@code base64:} form for arbitrary bytes.</li>
 *   <li>{@value #KEY_SECRET_KID} (optional): the kid of that secret; required when public keys are
 *       configured too (with several keys, tokens select one by kid).</li>
 *   <li>{@value #KEY_PUBLIC_KEYS}: PEM public key files (SubjectPublicKeyInfo,
 *       {@code -----BEGIN PUBLIC KEY-----}), comma-separated, each {@code kid=path}; a single file may be
 *       given as a bare {@code path} (a key without kid) when it is the only key. The algorithm follows
 *       from the key: Ed25519 → EdDSA, EC P-256 → ES256, RSA (2048 bits or more) → RS256; other keys are
 *       refused.</li>
 *   <li>{@value #KEY_ISSUER} (optional): when set and non-empty, {@code iss} must equal it.</li>
 *   <li>{@value #KEY_AUDIENCE} (optional): when set and non-empty, {@code aud} must equal or contain it.</li>
 *   <li>{@value #KEY_LEEWAY_SECONDS} (default 30, 0..3600): clock skew allowed on {@code exp/nbf/iat}.</li>
 * </ul>
 * At least one of {@value #KEY_SECRET} and {@value #KEY_PUBLIC_KEYS} is required. Bad or missing values throw
 * {@link IllegalArgumentException} naming the key; the secret itself is never put in a message.
 * {@link #secretFrom(IrisConfig)} and {@link #minterFrom(IrisConfig)} read the same keys for tools that mint
 * HS256 tokens (the reference server's {@code mint-token} command), so a token minted with a configuration
 * is accepted by an authenticator created from it.
 */
public final class JwtAuthenticatorProvider implements AuthenticatorProvider {
    /** The provider name used in configuration. */
    public static final String NAME = "jwt";
    /** The HS256 secret, raw UTF-8 or {@code base64:...}. */
    public static final String KEY_SECRET = "auth.jwt.secret";
    /** Optional: the kid of the HS256 secret. */
    public static final String KEY_SECRET_KID = "auth.jwt.secretKid";
    /** PEM public keys: {@code kid=path,kid2=path2}, or one bare {@code path}. */
    public static final String KEY_PUBLIC_KEYS = "auth.jwt.publicKeys";
    /** Optional: the required {@code iss}. */
    public static final String KEY_ISSUER = "auth.jwt.issuer";
    /** Optional: the required {@code aud}. */
    public static final String KEY_AUDIENCE = "auth.jwt.audience";
    /** Optional: leeway in seconds, default 30. */
    public static final String KEY_LEEWAY_SECONDS = "auth.jwt.leewaySeconds";
    /** Optional: the longest a token may still be valid for, in seconds (60 to 10 years), default 30 days. */
    public static final String KEY_MAX_LIFETIME_SECONDS = "auth.jwt.maxLifetimeSeconds";
    private static final int MAX_MAX_LIFETIME_SECONDS = 10 * 365 * 86_400;

    private static final String BASE64_PREFIX = "base64:";
    /** Largest PEM file read; a public key PEM is at most a few KiB. */
    private static final long MAX_PEM_BYTES = 64 * 1024;

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
        final int maxLifetimeSeconds = config.getInt(KEY_MAX_LIFETIME_SECONDS,
            (int) JwtAuthenticator.DEFAULT_MAX_LIFETIME.toSeconds(), (int) JwtAuthenticator.MIN_MAX_LIFETIME.toSeconds(),
            MAX_MAX_LIFETIME_SECONDS);
        final List<JwtKey> keys = keysFrom(config);
        final JwtAuthenticator.Builder builder = JwtAuthenticator.builder()
            .issuer(optional(config, KEY_ISSUER))
            .audience(optional(config, KEY_AUDIENCE))
            .leeway(Duration.ofSeconds(leewaySeconds))
            .maxLifetime(Duration.ofSeconds(maxLifetimeSeconds));
        for (final JwtKey key : keys) {
            builder.key(key);
        }
        return builder.build();
    }

    /**
     * Every verification key the configuration names, checked against the kid rules: with more than one key,
     * each has a kid, and kids are unique.
     *
     * @param config the configuration.
     * @return the keys, the HS256 secret (if any) first.
     * @throws IllegalArgumentException naming the key for a missing, unreadable or invalid key.
     */
    public static List<JwtKey> keysFrom(final IrisConfig config) {
        final List<JwtKey> keys = new ArrayList<>();
        final boolean hasSecret = !config.getString(KEY_SECRET, "").isEmpty();
        final String publicKeys = config.getString(KEY_PUBLIC_KEYS, "");
        if (!hasSecret && publicKeys.isEmpty()) {
            throw new IllegalArgumentException("config key '" + KEY_SECRET + "' or '" + KEY_PUBLIC_KEYS
                + "' is required but neither is set");
        }
        final String secretKid = optional(config, KEY_SECRET_KID);
        if (hasSecret) {
            try {
                keys.add(JwtKey.hs256(secretKid, secretFrom(config)));
            } catch (final IllegalArgumentException e) {
                if (e.getMessage().startsWith("config key")) {
                    throw e;
                }
                throw new IllegalArgumentException("config key '" + KEY_SECRET_KID + "': " + e.getMessage());
            }
        } else if (secretKid != null) {
            throw new IllegalArgumentException("config key '" + KEY_SECRET_KID + "' is set but '" + KEY_SECRET
                + "' is not");
        }
        if (!publicKeys.isEmpty()) {
            final String[] entries = publicKeys.split(",", -1);
            for (final String raw : entries) {
                final String entry = raw.trim();
                final int eq = entry.indexOf('=');
                final String kid = eq < 0 ? null : entry.substring(0, eq).trim();
                final String file = (eq < 0 ? entry : entry.substring(eq + 1)).trim();
                if (file.isEmpty() || (kid != null && kid.isEmpty())) {
                    throw new IllegalArgumentException("config key '" + KEY_PUBLIC_KEYS + "' entry '" + entry
                        + "' is not kid=path or path");
                }
                keys.add(publicKey(kid, Path.of(file)));
            }
        }
        if (keys.size() > 1) {
            for (final JwtKey k : keys) {
                if (k.kid() == null) {
                    throw new IllegalArgumentException(k.algorithm() == JwtKey.Algorithm.HS256 && hasSecret
                        ? "config key '" + KEY_SECRET_KID + "' is required when " + KEY_PUBLIC_KEYS
                            + " is set too: with several keys, tokens select one by kid"
                        : "config key '" + KEY_PUBLIC_KEYS + "': with several keys each entry must be kid=path");
                }
            }
            for (int i = 0; i < keys.size(); i++) {
                for (int j = 0; j < i; j++) {
                    if (keys.get(i).kid().equals(keys.get(j).kid())) {
                        throw new IllegalArgumentException("config keys '" + KEY_PUBLIC_KEYS + "'/'" + KEY_SECRET_KID
                            + "': duplicate kid '" + keys.get(i).kid() + "'");
                    }
                }
            }
        }
        return keys;
    }

    private static JwtKey publicKey(final String kid, final Path file) {
        final String where = "config key '" + KEY_PUBLIC_KEYS + "': key " + (kid == null ? "" : "'" + kid + "' ")
            + "(" + file + ")";
        try {
            if (Files.size(file) > MAX_PEM_BYTES) {
                throw new IllegalArgumentException(where + " is larger than " + MAX_PEM_BYTES + " bytes");
            }
            return JwtKey.fromPem(kid, Files.readString(file, StandardCharsets.US_ASCII));
        } catch (final IOException e) {
            throw new IllegalArgumentException(where + " cannot be read: " + e, e);
        } catch (final IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(where)) {
                throw e;
            }
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
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
     * A minter that produces HS256 tokens the authenticator created from the same configuration accepts
     * (with {@value #KEY_SECRET_KID} as the kid header when set).
     *
     * @param config the configuration.
     * @return a minter with {@value #KEY_SECRET}, {@value #KEY_SECRET_KID}, {@value #KEY_ISSUER} and
     * {@value #KEY_AUDIENCE}.
     * @throws IllegalArgumentException naming the key for a bad or missing secret.
     */
    public static JwtMinter minterFrom(final IrisConfig config) {
        return JwtMinter.hs256(optional(config, KEY_SECRET_KID), secretFrom(config), optional(config, KEY_ISSUER),
            optional(config, KEY_AUDIENCE));
    }

    /**
     * A minter that signs with a private key (EdDSA, ES256 or RS256, following the key), with the
     * configuration's {@value #KEY_ISSUER} and {@value #KEY_AUDIENCE}: what an authenticator whose
     * {@value #KEY_PUBLIC_KEYS} holds the matching public key (under {@code kid}) accepts.
     *
     * @param config        the configuration.
     * @param kid           the {@code kid} header, or {@code null}.
     * @param privateKeyPem a PKCS#8 PEM private key ({@code -----BEGIN PRIVATE KEY-----}).
     * @return the minter.
     * @throws IllegalArgumentException for an unsupported or malformed key or an invalid kid.
     */
    public static JwtMinter minterFrom(final IrisConfig config, final String kid, final String privateKeyPem) {
        return JwtMinter.fromPrivateKeyPem(kid, privateKeyPem, optional(config, KEY_ISSUER), optional(config, KEY_AUDIENCE));
    }

    /**
     * @param config the configuration.
     * @param key    a key.
     * @return its value, or {@code null} when unset or empty.
     */
    static String optional(final IrisConfig config, final String key) {
        final String v = config.getString(key, "");
        return v.isEmpty() ? null : v;
    }
}
