package io.iris.engine.auth;

import io.iris.api.UserIds;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.iris.protocol.ErrorCode;
import io.iris.api.auth.AuthenticationException;
import io.iris.api.auth.Authenticator;
import io.iris.api.auth.Principal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Verifies compact JWS tokens (RFC 7515/7518/7519) signed with one of the configured {@link JwtKey}s
 * ({@code HS256}, {@code EdDSA}/Ed25519, {@code ES256}, {@code RS256}) and turns them into a {@link Principal}
 * of {@code sub}, {@code exp} and {@code jti}.
 *
 * <h2>Contract</h2>
 * A token is accepted only if all of the following hold; otherwise {@link #authenticate} throws an
 * {@link AuthenticationException} with {@link ErrorCode#AUTH_FAILED} (or {@link ErrorCode#TOKEN_EXPIRED}
 * for the last rule) and a short reason that never contains the token or any part of it. No other
 * exception type escapes for any input string.
 * <ul>
 *   <li>At most {@code maxTokenLength} chars, exactly three {@code .}-separated parts, each canonical
 *       base64url without padding ({@code =}, {@code +}, {@code /}, whitespace are refused).</li>
 *   <li>The header is one JSON object in UTF-8 with unique member names; {@code alg} is a string and not
 *       {@code none} in any case; {@code kid}, if present, is a string; {@code typ}, if present, is the string
 *       {@code "JWT"} in any case; {@code crit} is absent.</li>
 *   <li><b>Key selection.</b> With a {@code kid}, the key configured with exactly that id ("unknown kid"
 *       otherwise); when a single key is configured without an id, it is used whatever the token's
 *       {@code kid}. Without a {@code kid}, the key, if exactly one is configured ("missing kid" otherwise).</li>
 *   <li>{@code alg} is exactly the selected key's algorithm ({@link JwtKey.Algorithm#joseName()}, case-sensitive);
 *       otherwise "unsupported alg". The algorithm is the key's, never the token's.</li>
 *   <li>The signature verifies under the selected key, in exactly the JWS form (see {@link JwtKey}).</li>
 *   <li>The payload is one JSON object in UTF-8 with unique claim names. Unknown claims of any type are
 *       ignored (within the nesting/size limits).</li>
 *   <li>{@code sub} is a non-empty string of at most 64 UTF-8 bytes with no control characters and no
 *       unpaired surrogates (the one user-id rule, {@link UserIds}).</li>
 *   <li>{@code jti}, if present, is a non-empty string; it becomes {@link Principal#tokenId()}, the id by which
 *       the token can be revoked (revocation itself is the engine's: see {@link TokenRevocations}).</li>
 *   <li>{@code exp} is present; {@code exp}, {@code nbf}, {@code iat} when present are JSON numbers
 *       (integer or decimal seconds since the epoch) in [0, {@value #MAX_NUMERIC_DATE_SECONDS}].</li>
 *   <li>If an issuer is configured, {@code iss} equals it; if an audience is configured, {@code aud}
 *       equals it or is an array containing it. Present {@code iss}/{@code aud} must be a string /
 *       string-or-array-of-strings even when nothing is configured.</li>
 *   <li>{@code nbf} and {@code iat} are not later than now + leeway.</li>
 *   <li>{@code exp} is not later than now + leeway + the maximum token lifetime ({@link Builder#maxLifetime},
 *       default 30 days): a NumericDate is seconds, and an {@code exp} written in milliseconds by mistake
 *       would otherwise make a token valid for tens of thousands of years.</li>
 *   <li>Now is not later than {@code exp} + leeway; otherwise {@link ErrorCode#TOKEN_EXPIRED}. This is checked
 *       last, so TOKEN_EXPIRED (which tells a client "get a fresh token") is only given for tokens that
 *       are otherwise good.</li>
 * </ul>
 * The returned {@link Principal#expiresAtMillis()} is {@code exp} + leeway in millis: the instant after which the
 * session must re-authenticate, the same instant at which this authenticator starts refusing the token.
 *
 * <h2>Why it is built this way</h2>
 * The token arrives from an unauthenticated peer, so everything before the signature check is hostile
 * input and the code does as little as possible with it. The header is parsed first, and only to
 * select the key and pin {@code alg}: each configured key carries its one algorithm, decided by
 * configuration, never by the token, which closes the {@code alg:none} and HS/RS-style confusion attacks
 * (an RSA or EC public key can never be used as an HMAC secret, because no HS256 key is ever built from
 * it). Then the signature is checked, and only a payload that carries a valid signature is ever parsed
 * as claims, so a forgery costs one verification and is refused before any claim logic runs. HMAC tags
 * are compared with {@link java.security.MessageDigest#isEqual}, whose running time does not depend on
 * where the first differing byte is. Base64url is decoded by hand, strictly and canonically,
 * because {@link java.util.Base64}'s decoder accepts padding and non-zero trailing bits, i.e. many
 * spellings of one token. JSON is read with jackson-core's streaming parser, not databind: no
 * reflection, no polymorphic typing, no object graph built from attacker input, and hard limits on
 * nesting, string, name and number length; field-name canonicalisation is off so hostile names never
 * enter a shared symbol table.
 *
 * <p>Instances are immutable and thread-safe; build them with {@link #builder()}.
 */
public final class JwtAuthenticator implements Authenticator {
    /** Largest accepted NumericDate, in seconds: anything above cannot be expressed in epoch millis. */
    public static final long MAX_NUMERIC_DATE_SECONDS = Long.MAX_VALUE / 1000;
    /** Longest accepted user id ({@code sub}), in UTF-8 bytes. */
    public static final int MAX_USER_ID_BYTES = UserIds.MAX_BYTES;
    /** Default clock-skew allowance for {@code exp}, {@code nbf} and {@code iat}. */
    public static final Duration DEFAULT_LEEWAY = Duration.ofSeconds(30);
    /** Largest accepted leeway. */
    public static final Duration MAX_LEEWAY = Duration.ofHours(1);
    /** Default for {@link Builder#maxLifetime(Duration)}: 30 days. */
    public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofDays(30);
    /** Shortest accepted {@link Builder#maxLifetime(Duration)}. */
    public static final Duration MIN_MAX_LIFETIME = Duration.ofMinutes(1);
    /** Default for {@link Builder#maxTokenLength(int)}: the wire protocol's LOGIN token limit. */
    public static final int DEFAULT_MAX_TOKEN_LENGTH = 4096;
    /** Largest accepted {@link Builder#maxTokenLength(int)}. */
    public static final int MAX_MAX_TOKEN_LENGTH = 64 * 1024;

    private static final int MAX_JSON_DEPTH = 16;
    private static final int MAX_JSON_NUMBER_LENGTH = 64;

    /** Every configured key by kid; keys without a kid are not in it. */
    private final Map<String, JwtKey> keysById;
    /** The key when exactly one is configured, else null. */
    private final JwtKey soleKey;
    private final List<JwtKey> keys;
    private final String issuer;
    private final String audience;
    private final long leewayMillis;
    private final long maxLifetimeMillis;
    private final int maxTokenLength;
    private final JsonFactory json;

    private JwtAuthenticator(final Builder b) {
        this.keys = List.copyOf(b.keys);
        final Map<String, JwtKey> byId = new HashMap<>();
        for (final JwtKey k : keys) {
            if (k.kid() != null) {
                byId.put(k.kid(), k);
            }
        }
        this.keysById = Map.copyOf(byId);
        this.soleKey = keys.size() == 1 ? keys.get(0) : null;
        this.issuer = b.issuer;
        this.audience = b.audience;
        this.leewayMillis = b.leeway.toMillis();
        this.maxLifetimeMillis = b.maxLifetime.toMillis();
        this.maxTokenLength = b.maxTokenLength;
        final StreamReadConstraints limits = StreamReadConstraints.builder()
            .maxNestingDepth(MAX_JSON_DEPTH)
            .maxNumberLength(MAX_JSON_NUMBER_LENGTH)
            .maxStringLength(maxTokenLength)
            .maxNameLength(maxTokenLength)
            .maxDocumentLength(maxTokenLength)
            .build();
        this.json = JsonFactory.builder()
            .streamReadConstraints(limits)
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .build();
    }

    /** @return a builder; at least one key ({@link Builder#hs256Secret(byte[])} or {@link Builder#key(JwtKey)}) is required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Principal authenticate(final String token, final long nowMillis) throws AuthenticationException {
        if (token == null || token.isEmpty()) {
            throw failed("missing token");
        }
        if (token.length() > maxTokenLength) {
            throw failed("token too long");
        }
        final int dot1 = token.indexOf('.');
        final int dot2 = dot1 < 0 ? -1 : token.indexOf('.', dot1 + 1);
        if (dot2 < 0 || token.indexOf('.', dot2 + 1) >= 0) {
            throw failed("token is not header.payload.signature");
        }
        final byte[] header = Base64Url.decode(token, 0, dot1);
        final byte[] payload = Base64Url.decode(token, dot1 + 1, dot2);
        final byte[] signature = Base64Url.decode(token, dot2 + 1, token.length());
        if (header == null || payload == null || signature == null) {
            throw failed("token is not base64url");
        }

        final JwtKey key = checkHeader(utf8(header, "malformed header"));

        // Every char before dot2 is now known to be base64url or '.', i.e. ASCII.
        final byte[] signingInput = new byte[dot2];
        for (int i = 0; i < dot2; i++) {
            signingInput[i] = (byte) token.charAt(i);
        }
        if (!key.verify(signingInput, signature)) {
            throw failed("bad signature");
        }

        return checkClaims(utf8(payload, "malformed claims"), nowMillis);
    }

    /** Parses the header and returns the one key the token may be verified with. */
    private JwtKey checkHeader(final CharBuffer text) throws AuthenticationException {
        String alg = null;
        String kid = null;
        try (JsonParser p = parser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw failed("malformed header");
            }
            final Set<String> seen = new HashSet<>();
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                final String name = p.currentName();
                if (!seen.add(name)) {
                    throw failed("duplicate header parameter");
                }
                final JsonToken value = p.nextToken();
                switch (name) {
                    case "alg":
                        if (value != JsonToken.VALUE_STRING) {
                            throw failed("unsupported alg");
                        }
                        alg = p.getText();
                        break;
                    case "kid":
                        if (value != JsonToken.VALUE_STRING) {
                            throw failed("invalid kid");
                        }
                        kid = p.getText();
                        break;
                    case "typ":
                        if (value != JsonToken.VALUE_STRING || !"JWT".equalsIgnoreCase(p.getText())) {
                            throw failed("unsupported typ");
                        }
                        break;
                    case "crit":
                        throw failed("crit header not supported");
                    default:
                        p.skipChildren();
                        break;
                }
            }
            expectEnd(p, t, "malformed header");
        } catch (final IOException e) {
            throw failed("malformed header");
        }
        if (alg == null) {
            throw failed("missing alg");
        }
        if ("none".equalsIgnoreCase(alg)) {
            throw failed("alg none refused");
        }
        final JwtKey key = selectKey(kid);
        if (!key.algorithm().joseName().equals(alg)) {
            throw failed("unsupported alg");
        }
        return key;
    }

    /** The kid rules of the class comment. */
    private JwtKey selectKey(final String kid) throws AuthenticationException {
        if (kid != null) {
            final JwtKey byId = keysById.get(kid);
            if (byId != null) {
                return byId;
            }
            if (soleKey != null && soleKey.kid() == null) {
                return soleKey;
            }
            throw failed("unknown kid");
        }
        if (soleKey == null) {
            throw failed("missing kid");
        }
        return soleKey;
    }

    private Principal checkClaims(final CharBuffer text, final long nowMillis) throws AuthenticationException {
        String sub = null;
        String jti = null;
        long exp = -1; // valid NumericDates are >= 0, so -1 means "absent"
        long nbf = Long.MIN_VALUE; // absent: never in the future
        long iat = Long.MIN_VALUE;
        boolean issuerOk = issuer == null;
        boolean audienceOk = audience == null;
        try (JsonParser p = parser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw failed("malformed claims");
            }
            final Set<String> seen = new HashSet<>();
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                final String name = p.currentName();
                if (!seen.add(name)) {
                    throw failed("duplicate claim");
                }
                final JsonToken value = p.nextToken();
                switch (name) {
                    case "sub":
                        if (value != JsonToken.VALUE_STRING) {
                            throw failed("invalid sub");
                        }
                        sub = p.getText();
                        break;
                    case "jti":
                        if (value != JsonToken.VALUE_STRING || p.getTextLength() == 0) {
                            throw failed("invalid jti");
                        }
                        jti = p.getText();
                        break;
                    case "exp":
                        exp = numericDateMillis(p, value, "invalid exp");
                        break;
                    case "nbf":
                        nbf = numericDateMillis(p, value, "invalid nbf");
                        break;
                    case "iat":
                        iat = numericDateMillis(p, value, "invalid iat");
                        break;
                    case "iss":
                        if (value != JsonToken.VALUE_STRING) {
                            throw failed("invalid iss");
                        }
                        issuerOk = issuer == null || issuer.equals(p.getText());
                        break;
                    case "aud":
                        audienceOk = audienceMatches(p, value);
                        break;
                    default:
                        p.skipChildren();
                        break;
                }
            }
            expectEnd(p, t, "malformed claims");
        } catch (final IOException e) {
            throw failed("malformed claims");
        }

        if (sub == null) {
            throw failed("missing sub");
        }
        if (!UserIds.isValid(sub)) {
            throw failed("invalid sub");
        }
        if (exp < 0) {
            throw failed("missing exp");
        }
        if (!issuerOk) {
            throw failed("issuer mismatch");
        }
        if (!audienceOk) {
            throw failed("audience mismatch");
        }
        final long latest = saturatedAdd(nowMillis, leewayMillis);
        if (nbf > latest) {
            throw failed("token not yet valid");
        }
        if (iat > latest) {
            throw failed("token issued in the future");
        }
        if (exp > saturatedAdd(latest, maxLifetimeMillis)) {
            throw failed("exp too far in the future (exp is in seconds, not milliseconds)");
        }
        if (nowMillis > saturatedAdd(exp, leewayMillis)) {
            throw new AuthenticationException(ErrorCode.TOKEN_EXPIRED, "token expired");
        }
        return new Principal(sub, saturatedAdd(exp, leewayMillis), jti);
    }

    /** Reads {@code aud}: a string or an array of strings; true if it names the configured audience. */
    private boolean audienceMatches(final JsonParser p, final JsonToken value)
        throws IOException, AuthenticationException {
        if (value == JsonToken.VALUE_STRING) {
            return audience == null || audience.equals(p.getText());
        }
        if (value != JsonToken.START_ARRAY) {
            throw failed("invalid aud");
        }
        boolean match = audience == null;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.VALUE_STRING) {
            match |= audience != null && audience.equals(p.getText());
        }
        if (t != JsonToken.END_ARRAY) {
            throw failed("invalid aud");
        }
        return match;
    }

    /**
     * Reads a NumericDate (RFC 7519 §2): integer or decimal seconds, in [0, MAX_NUMERIC_DATE_SECONDS].
     *
     * @return the instant in epoch millis (decimals rounded down to the milli).
     */
    private static long numericDateMillis(final JsonParser p, final JsonToken value, final String reason)
        throws IOException, AuthenticationException {
        if (value == JsonToken.VALUE_NUMBER_INT) {
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw failed(reason);
            }
            final long seconds = p.getLongValue();
            if (seconds < 0 || seconds > MAX_NUMERIC_DATE_SECONDS) {
                throw failed(reason);
            }
            return seconds * 1000;
        }
        if (value == JsonToken.VALUE_NUMBER_FLOAT) {
            final double seconds = p.getDoubleValue();
            if (!(seconds >= 0 && seconds <= MAX_NUMERIC_DATE_SECONDS)) { // also refuses NaN/infinity
                throw failed(reason);
            }
            return (long) Math.floor(seconds * 1000.0); // the cast saturates at Long.MAX_VALUE
        }
        throw failed(reason);
    }

    private static void expectEnd(final JsonParser p, final JsonToken last, final String reason)
        throws IOException, AuthenticationException {
        if (last != JsonToken.END_OBJECT || p.nextToken() != null) {
            throw failed(reason);
        }
    }

    private JsonParser parser(final CharBuffer text) throws IOException {
        return json.createParser(text.array(), text.arrayOffset() + text.position(), text.remaining());
    }

    private static CharBuffer utf8(final byte[] bytes, final String reason) throws AuthenticationException {
        try {
            // A fresh decoder REPORTs malformed input: invalid UTF-8 is refused, never replaced.
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes));
        } catch (final CharacterCodingException e) {
            throw failed(reason);
        }
    }

    /** @return {@code a + b}, saturated at {@link Long#MIN_VALUE} / {@link Long#MAX_VALUE} instead of overflowing. */
    static long saturatedAdd(final long a, final long b) {
        final long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
    }

    private static AuthenticationException failed(final String reason) {
        return new AuthenticationException(ErrorCode.AUTH_FAILED, reason);
    }

    @Override
    public String toString() {
        return "JwtAuthenticator[keys=" + keys + ", issuer=" + issuer + ", audience=" + audience
            + ", leewayMillis=" + leewayMillis + ", maxLifetimeMillis=" + maxLifetimeMillis + ", maxTokenLength="
            + maxTokenLength + "]";
    }

    /**
     * Builds a {@link JwtAuthenticator}. Each setter validates its argument at once and throws
     * {@link IllegalArgumentException} (or {@link NullPointerException} for a null where none is allowed)
     * with a message saying what is wrong; {@link #build()} fails if no key was added, or if several keys
     * were added and one of them has no kid (it could never be selected). Not thread-safe; the built
     * authenticator does not change when the builder is reused.
     */
    public static final class Builder {
        private final List<JwtKey> keys = new ArrayList<>();
        private String issuer;
        private String audience;
        private Duration leeway = DEFAULT_LEEWAY;
        private Duration maxLifetime = DEFAULT_MAX_LIFETIME;
        private int maxTokenLength = DEFAULT_MAX_TOKEN_LENGTH;

        private Builder() {
        }

        /**
         * Adds an HS256 key without a kid: {@code key(JwtKey.hs256(null, secret))}.
         *
         * @param secret the HMAC key, at least 32 bytes (RFC 7518 §3.2); copied.
         * @return this builder.
         * @throws IllegalArgumentException if shorter than 32 bytes.
         */
        public Builder hs256Secret(final byte[] secret) {
            return key(JwtKey.hs256(null, secret));
        }

        /**
         * Adds a verification key. Its algorithm is the only one tokens selecting it may use.
         *
         * @param key the key; its kid, if any, must differ from every key added before.
         * @return this builder.
         * @throws IllegalArgumentException for a duplicate kid.
         */
        public Builder key(final JwtKey key) {
            Objects.requireNonNull(key, "key");
            for (final JwtKey k : keys) {
                if (key.kid() != null && key.kid().equals(k.kid())) {
                    throw new IllegalArgumentException("duplicate kid '" + key.kid() + "'");
                }
            }
            keys.add(key);
            return this;
        }

        /**
         * @param issuer the required {@code iss}, or {@code null} to not check {@code iss}.
         * @return this builder.
         * @throws IllegalArgumentException if empty.
         */
        public Builder issuer(final String issuer) {
            if (issuer != null && issuer.isEmpty()) {
                throw new IllegalArgumentException("issuer must not be empty (use null to not check iss)");
            }
            this.issuer = issuer;
            return this;
        }

        /**
         * @param audience the audience {@code aud} must be or contain, or {@code null} to not check {@code aud}.
         * @return this builder.
         * @throws IllegalArgumentException if empty.
         */
        public Builder audience(final String audience) {
            if (audience != null && audience.isEmpty()) {
                throw new IllegalArgumentException("audience must not be empty (use null to not check aud)");
            }
            this.audience = audience;
            return this;
        }

        /**
         * @param leeway clock skew tolerated on {@code exp}, {@code nbf} and {@code iat}; default 30 s.
         * @return this builder.
         * @throws IllegalArgumentException if negative or above {@link #MAX_LEEWAY}.
         */
        public Builder leeway(final Duration leeway) {
            Objects.requireNonNull(leeway, "leeway");
            if (leeway.isNegative() || leeway.compareTo(MAX_LEEWAY) > 0) {
                throw new IllegalArgumentException("leeway must be between 0 and " + MAX_LEEWAY + ", got " + leeway);
            }
            this.leeway = leeway;
            return this;
        }

        /**
         * @param maxLifetime the furthest ahead of now (plus leeway) a token's {@code exp} may be; a token
         *                    expiring later is refused ("exp too far in the future"). Default 30 days.
         * @return this builder.
         * @throws IllegalArgumentException if below {@link #MIN_MAX_LIFETIME} or above
         *                                  {@link #MAX_NUMERIC_DATE_SECONDS} seconds.
         */
        public Builder maxLifetime(final Duration maxLifetime) {
            Objects.requireNonNull(maxLifetime, "maxLifetime");
            if (maxLifetime.compareTo(MIN_MAX_LIFETIME) < 0
                || maxLifetime.compareTo(Duration.ofSeconds(MAX_NUMERIC_DATE_SECONDS)) > 0) {
                throw new IllegalArgumentException("maxLifetime must be between " + MIN_MAX_LIFETIME + " and "
                    + MAX_NUMERIC_DATE_SECONDS + " s, got " + maxLifetime);
            }
            this.maxLifetime = maxLifetime;
            return this;
        }

        /**
         * @param maxTokenLength longest accepted token in chars; default 4096.
         * @return this builder.
         * @throws IllegalArgumentException if below 16 or above {@link #MAX_MAX_TOKEN_LENGTH}.
         */
        public Builder maxTokenLength(final int maxTokenLength) {
            if (maxTokenLength < 16 || maxTokenLength > MAX_MAX_TOKEN_LENGTH) {
                throw new IllegalArgumentException("maxTokenLength must be between 16 and " + MAX_MAX_TOKEN_LENGTH
                    + ", got " + maxTokenLength);
            }
            this.maxTokenLength = maxTokenLength;
            return this;
        }

        /**
         * @return a new authenticator with this configuration.
         * @throws IllegalStateException if no key was added ({@link #hs256Secret(byte[])} or {@link #key(JwtKey)}),
         *                               or several were and one has no kid.
         */
        public JwtAuthenticator build() {
            if (keys.isEmpty()) {
                throw new IllegalStateException("at least one key is required: hs256Secret(...) or key(...)");
            }
            if (keys.size() > 1) {
                for (final JwtKey k : keys) {
                    if (k.kid() == null) {
                        throw new IllegalStateException("with several keys every key needs a kid (tokens select"
                            + " keys by kid); the " + k.algorithm().joseName() + " key has none");
                    }
                }
            }
            return new JwtAuthenticator(this);
        }
    }
}
