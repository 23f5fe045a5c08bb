package io.iris.engine.auth;

import io.iris.api.UserIds;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.iris.transport.tls.Pem;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Mints compact JWTs that a {@link JwtAuthenticator} with the matching key, issuer and audience accepts:
 * header {@code {"alg":ALG,"typ":"JWT"}} plus {@code "kid"} when the minter has one, claims {@code sub},
 * {@code iat}, {@code exp} (whole seconds, rounded down), {@code iss} and {@code aud} when configured, and
 * a random {@code jti} (128 bits, base64url). {@code HS256} with a shared secret
 * ({@link #JwtMinter(byte[], String, String)}, {@link #hs256}); {@code EdDSA}, {@code ES256} or {@code RS256}
 * with a private key ({@link #withPrivateKey}, {@link #fromPrivateKeyPem}), the algorithm following from the
 * key exactly as {@link JwtKey} derives it from the public key.
 *
 * <p>For development and tests (the reference server's {@code mint-token} command); production tokens
 * normally come from the application's own identity service. Refuses, with
 * {@link IllegalArgumentException}, what the authenticator would refuse: a secret under 32 bytes, an
 * unsupported key, an invalid kid or user id (see {@link JwtAuthenticator}), an empty issuer/audience, a
 * non-positive lifetime, or instants before the epoch. Immutable and thread-safe.
 */
public final class JwtMinter {
    private static final JsonFactory JSON = new JsonFactory();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final JwtKey.Algorithm algorithm;
    private final String kid;
    private final String header;
    private final Hs256 hs256;
    private final PrivateKey privateKey;
    private final String issuer;
    private final String audience;

    /**
     * An HS256 minter without a kid.
     *
     * @param secret   the HMAC key, at least 32 bytes; copied.
     * @param issuer   the {@code iss} claim, or {@code null} for none.
     * @param audience the {@code aud} claim (a single string), or {@code null} for none.
     * @throws IllegalArgumentException if the secret is too short or issuer/audience is empty.
     */
    public JwtMinter(final byte[] secret, final String issuer, final String audience) {
        this(JwtKey.Algorithm.HS256, null, new Hs256(secret), null, issuer, audience);
    }

    private JwtMinter(final JwtKey.Algorithm algorithm, final String kid, final Hs256 hs256,
                      final PrivateKey privateKey, final String issuer, final String audience) {
        if (issuer != null && issuer.isEmpty()) {
            throw new IllegalArgumentException("issuer must not be empty (use null for none)");
        }
        if (audience != null && audience.isEmpty()) {
            throw new IllegalArgumentException("audience must not be empty (use null for none)");
        }
        this.algorithm = algorithm;
        this.kid = JwtKey.checkKid(kid);
        this.hs256 = hs256;
        this.privateKey = privateKey;
        this.issuer = issuer;
        this.audience = audience;
        this.header = Base64Url.encode(json(g -> {
            g.writeStringField("alg", algorithm.joseName());
            g.writeStringField("typ", "JWT");
            if (this.kid != null) {
                g.writeStringField("kid", this.kid);
            }
        }));
        if (privateKey != null) {
            sign(new byte[1]); // fail now, not at the first mint, if the JDK refuses the key
        }
    }

    /**
     * @param kid      the {@code kid} header, or {@code null} for none.
     * @param secret   the HMAC key, at least 32 bytes; copied.
     * @param issuer   the {@code iss} claim, or {@code null}.
     * @param audience the {@code aud} claim, or {@code null}.
     * @return an HS256 minter.
     * @throws IllegalArgumentException for a short secret, an invalid kid or an empty issuer/audience.
     */
    public static JwtMinter hs256(final String kid, final byte[] secret, final String issuer, final String audience) {
        return new JwtMinter(JwtKey.Algorithm.HS256, kid, new Hs256(secret), null, issuer, audience);
    }

    /**
     * @param kid      the {@code kid} header, or {@code null} for none.
     * @param key      an Ed25519, EC P-256 or RSA (2048..16384 bits) private key.
     * @param issuer   the {@code iss} claim, or {@code null}.
     * @param audience the {@code aud} claim, or {@code null}.
     * @return an {@code EdDSA}, {@code ES256} or {@code RS256} minter.
     * @throws IllegalArgumentException for any other key, an invalid kid or an empty issuer/audience.
     */
    public static JwtMinter withPrivateKey(final String kid, final PrivateKey key, final String issuer,
                                           final String audience) {
        return new JwtMinter(algorithmOf(Objects.requireNonNull(key, "key")), kid, null, key, issuer, audience);
    }

    /**
     * Reads a PKCS#8 PEM private key (the {@code -----BEGIN PRIVATE KEY-----} block that
     * {@code openssl genpkey} writes), for development tooling.
     *
     * @param kid      the {@code kid} header, or {@code null}.
     * @param pem      the PEM text.
     * @param issuer   the {@code iss} claim, or {@code null}.
     * @param audience the {@code aud} claim, or {@code null}.
     * @return a minter as {@link #withPrivateKey}.
     * @throws IllegalArgumentException if there is not exactly one PRIVATE KEY block or the key is not supported.
     */
    public static JwtMinter fromPrivateKeyPem(final String kid, final String pem, final String issuer,
                                              final String audience) {
        final byte[] der = Pem.decode(Objects.requireNonNull(pem, "pem"), "PRIVATE KEY");
        for (final String type : new String[] {"EC", "EdDSA", "RSA"}) {
            try {
                final PrivateKey key = KeyFactory.getInstance(type).generatePrivate(new PKCS8EncodedKeySpec(der));
                return withPrivateKey(kid, key, issuer, audience);
            } catch (final InvalidKeySpecException e) {
                // not this type: try the next
            } catch (final GeneralSecurityException e) {
                throw new IllegalStateException("the JDK lacks the " + type + " key factory", e);
            }
        }
        throw new IllegalArgumentException("unsupported or malformed private key (supported: Ed25519, EC P-256, RSA)");
    }

    private static JwtKey.Algorithm algorithmOf(final PrivateKey key) {
        if (key instanceof EdECPrivateKey && "Ed25519".equalsIgnoreCase(((EdECPrivateKey) key).getParams().getName())) {
            return JwtKey.Algorithm.EDDSA;
        }
        if (key instanceof ECPrivateKey && JwtKey.isP256(((ECPrivateKey) key).getParams())) {
            return JwtKey.Algorithm.ES256;
        }
        if (key instanceof RSAPrivateKey) {
            final int bits = ((RSAPrivateKey) key).getModulus().bitLength();
            if (bits >= JwtKey.MIN_RSA_BITS && bits <= JwtKey.MAX_RSA_BITS) {
                return JwtKey.Algorithm.RS256;
            }
        }
        throw new IllegalArgumentException("unsupported private key " + key.getAlgorithm()
            + " (supported: Ed25519, EC P-256, RSA " + JwtKey.MIN_RSA_BITS + " to " + JwtKey.MAX_RSA_BITS + " bits)");
    }

    /** @return the algorithm of the tokens this minter signs. */
    public JwtKey.Algorithm algorithm() {
        return algorithm;
    }

    /**
     * @param userId the {@code sub}.
     * @param ttl    how long from now the token is valid; positive.
     * @return a token issued now and expiring {@code ttl} later.
     * @throws IllegalArgumentException for an invalid user id or a non-positive ttl.
     */
    public String mint(final String userId, final Duration ttl) {
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, got " + ttl);
        }
        final Instant now = Instant.now();
        return mint(userId, now, now.plus(ttl));
    }

    /**
     * @param userId    the {@code sub}.
     * @param issuedAt  the {@code iat}; not before the epoch.
     * @param expiresAt the {@code exp}; after {@code issuedAt}.
     * @return the compact token {@code header.payload.signature}.
     * @throws IllegalArgumentException for an invalid user id or instants out of order or range.
     */
    public String mint(final String userId, final Instant issuedAt, final Instant expiresAt) {
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        final String problem = UserIds.problem(userId);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (!expiresAt.isAfter(issuedAt)) {
            throw new IllegalArgumentException("expiresAt must be after issuedAt");
        }
        final long iat = issuedAt.getEpochSecond();
        final long exp = expiresAt.getEpochSecond();
        if (iat < 0 || exp > JwtAuthenticator.MAX_NUMERIC_DATE_SECONDS) {
            throw new IllegalArgumentException("issuedAt/expiresAt out of range [epoch, "
                + JwtAuthenticator.MAX_NUMERIC_DATE_SECONDS + " s]");
        }
        final byte[] jti = new byte[16];
        RANDOM.nextBytes(jti);

        final byte[] claims = json(g -> {
            g.writeStringField("sub", userId);
            g.writeNumberField("iat", iat);
            g.writeNumberField("exp", exp);
            if (issuer != null) {
                g.writeStringField("iss", issuer);
            }
            if (audience != null) {
                g.writeStringField("aud", audience);
            }
            g.writeStringField("jti", Base64Url.encode(jti));
        });
        final String signingInput = header + '.' + Base64Url.encode(claims);
        return signingInput + '.' + Base64Url.encode(sign(signingInput.getBytes(StandardCharsets.US_ASCII)));
    }

    private byte[] sign(final byte[] input) {
        if (hs256 != null) {
            return hs256.sign(input);
        }
        try {
            final Signature signer = Signature.getInstance(algorithm.jdkName());
            signer.initSign(privateKey);
            signer.update(input);
            return signer.sign();
        } catch (final GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot sign " + algorithm.joseName() + " with this key: "
                + e.getMessage(), e);
        }
    }

    /** Writes one JSON object whose members {@code body} writes. */
    private static byte[] json(final Members body) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(160);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            body.write(g);
            g.writeEndObject();
        } catch (final IOException e) {
            throw new UncheckedIOException(e); // cannot happen: in-memory output
        }
        return out.toByteArray();
    }

    @FunctionalInterface
    private interface Members {
        void write(JsonGenerator g) throws IOException;
    }

    @Override
    public String toString() {
        return "JwtMinter[" + algorithm.joseName() + (kid == null ? "" : ", kid=" + kid) + ", issuer=" + issuer
            + ", audience=" + audience + "]";
    }
}
