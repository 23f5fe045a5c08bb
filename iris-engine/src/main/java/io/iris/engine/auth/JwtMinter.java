package io.iris.engine.auth;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Mints compact HS256 JWTs that a {@link JwtAuthenticator} with the same secret, issuer and audience
 * accepts: header {@code {"alg":"HS256","typ":"JWT"}}, claims {@code sub}, {@code iat}, {@code exp}
 * (whole seconds, rounded down), {@code iss} and {@code aud} when configured, and a random {@code jti}
 * (128 bits, base64url).
 *
 * <p>For development and tests (the reference server's {@code mint-token} command); production tokens
 * normally come from the application's own identity service. Refuses, with
 * {@link IllegalArgumentException}, what the authenticator would refuse: a secret under 32 bytes, an
 * invalid user id (see {@link JwtAuthenticator}), an empty issuer/audience, a non-positive lifetime,
 * or instants before the epoch. Immutable and thread-safe.
 */
public final class JwtMinter {
    private static final String HEADER = Base64Url.encode(
        "{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.US_ASCII));
    private static final JsonFactory JSON = new JsonFactory();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Hs256 hs256;
    private final String issuer;
    private final String audience;

    /**
     * @param secret   the HMAC key, at least 32 bytes; copied.
     * @param issuer   the {@code iss} claim, or {@code null} for none.
     * @param audience the {@code aud} claim (a single string), or {@code null} for none.
     * @throws IllegalArgumentException if the secret is too short or issuer/audience is empty.
     */
    public JwtMinter(final byte[] secret, final String issuer, final String audience) {
        this.hs256 = new Hs256(secret);
        if (issuer != null && issuer.isEmpty()) {
            throw new IllegalArgumentException("issuer must not be empty (use null for none)");
        }
        if (audience != null && audience.isEmpty()) {
            throw new IllegalArgumentException("audience must not be empty (use null for none)");
        }
        this.issuer = issuer;
        this.audience = audience;
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
        final String problem = JwtAuthenticator.userIdProblem(userId);
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

        final ByteArrayOutputStream claims = new ByteArrayOutputStream(160);
        try (JsonGenerator g = JSON.createGenerator(claims)) {
            g.writeStartObject();
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
            g.writeEndObject();
        } catch (final IOException e) {
            throw new UncheckedIOException(e); // cannot happen: in-memory output
        }

        final String signingInput = HEADER + '.' + Base64Url.encode(claims.toByteArray());
        return signingInput + '.' + Base64Url.encode(hs256.sign(signingInput.getBytes(StandardCharsets.US_ASCII)));
    }

    @Override
    public String toString() {
        return "JwtMinter[HS256, issuer=" + issuer + ", audience=" + audience + "]";
    }
}
