package io.iris.engine.auth;

import static io.iris.engine.auth.TestTokens.HS256_HEADER;
import static io.iris.engine.auth.TestTokens.NOW_MILLIS;
import static io.iris.engine.auth.TestTokens.NOW_SECONDS;
import static io.iris.engine.auth.TestTokens.OTHER_SECRET;
import static io.iris.engine.auth.TestTokens.SECRET;
import static io.iris.engine.auth.TestTokens.b64;
import static io.iris.engine.auth.TestTokens.claims;
import static io.iris.engine.auth.TestTokens.signed;
import static io.iris.engine.auth.TestTokens.signedRaw;
import static io.iris.engine.auth.TestTokens.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.iris.protocol.ErrorCode;
import io.iris.api.auth.AuthenticationException;
import io.iris.api.auth.Principal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JwtAuthenticatorTest {
    private static final long EXP = NOW_SECONDS + 600;

    private final JwtAuthenticator auth = JwtAuthenticator.builder().hs256Secret(SECRET).build();

    // ---- accepted -------------------------------------------------------------------------------

    @Test
    void acceptsValidTokenWithSubAndExpInMillis() throws Exception {
        final Principal p = auth.authenticate(token(claims("alice")), NOW_MILLIS);
        assertThat(p).isEqualTo(new Principal("alice", EXP * 1000 + 30_000)); // exp + leeway
    }

    @Test
    void acceptsDecimalNumericDatesRoundedDownToTheMilli() throws Exception {
        final Principal p = auth.authenticate(
            token("{\"sub\":\"a\",\"exp\":" + EXP + ".2345,\"iat\":" + (NOW_SECONDS - 1) + ".5,\"nbf\":1.0e9}"),
            NOW_MILLIS);
        assertThat(p.expiresAtMillis()).isEqualTo(EXP * 1000 + 234 + 30_000);
    }

    @Test
    void acceptsTokenWithoutTypAndWithOtherHeaderParameters() throws Exception {
        final String t = signed("{\"kid\":\"k1\",\"alg\":\"HS256\",\"x\":{\"y\":[1,2,{}]}}", claims("bob"), SECRET);
        assertThat(auth.authenticate(t, NOW_MILLIS).userId()).isEqualTo("bob");
    }

    @ParameterizedTest
    @ValueSource(strings = {"JWT", "jwt", "Jwt"})
    void acceptsTypJwtInAnyCase(final String typ) throws Exception {
        final String t = signed("{\"alg\":\"HS256\",\"typ\":\"" + typ + "\"}", claims("bob"), SECRET);
        assertThat(auth.authenticate(t, NOW_MILLIS).userId()).isEqualTo("bob");
    }

    @Test
    void skipsUnknownClaimsOfAnyType() throws Exception {
        final String t = token("{\"a\":null,\"b\":true,\"c\":1.5e300,\"d\":\"x\",\"e\":[1,[2,[3]],{\"f\":{}}],"
            + "\"sub\":\"carol\",\"g\":{\"h\":{\"i\":[null,false]}},\"jti\":\"abc\",\"big\":123456789012345678901234567890,"
            + "\"exp\":" + EXP + ",\"z\":-0.0}");
        assertThat(auth.authenticate(t, NOW_MILLIS).userId()).isEqualTo("carol");
    }

    @Test
    void acceptsUnicodeUserIdsUpTo64Utf8Bytes() throws Exception {
        final String emoji16 = "\uD83D\uDE00".repeat(16); // 16 x 4 bytes = 64
        assertThat(auth.authenticate(token(claims(emoji16)), NOW_MILLIS).userId()).isEqualTo(emoji16);
        final String escaped = "{\"sub\":\"\\u00e9t\\u00e9\",\"exp\":" + EXP + "}";
        assertThat(auth.authenticate(token(escaped), NOW_MILLIS).userId()).isEqualTo("\u00e9t\u00e9");
        final String ascii64 = "u".repeat(64);
        assertThat(auth.authenticate(token(claims(ascii64)), NOW_MILLIS).userId()).isEqualTo(ascii64);
    }

    // ---- time -----------------------------------------------------------------------------------

    @Test
    void expiredTokenIsTokenExpired() {
        final String t = token("{\"sub\":\"a\",\"exp\":" + (NOW_SECONDS - 31) + "}");
        assertThat(refused(auth, t, NOW_MILLIS).code()).isEqualTo(ErrorCode.TOKEN_EXPIRED);
    }

    @Test
    void expiryWithinLeewayIsAccepted() throws Exception {
        final String t = token("{\"sub\":\"a\",\"exp\":" + NOW_SECONDS + "}");
        assertThat(auth.authenticate(t, NOW_MILLIS + 29_999).expiresAtMillis()).isEqualTo(NOW_MILLIS + 30_000);
        assertThat(auth.authenticate(t, NOW_MILLIS + 30_000).userId()).isEqualTo("a");
        assertThat(refused(auth, t, NOW_MILLIS + 30_001).code()).isEqualTo(ErrorCode.TOKEN_EXPIRED);
    }

    @Test
    void zeroLeewayIsExact() throws Exception {
        final JwtAuthenticator strict = JwtAuthenticator.builder().hs256Secret(SECRET).leeway(Duration.ZERO).build();
        final String t = token("{\"sub\":\"a\",\"exp\":" + NOW_SECONDS + "}");
        assertThat(strict.authenticate(t, NOW_MILLIS).userId()).isEqualTo("a");
        assertThat(refused(strict, t, NOW_MILLIS + 1).code()).isEqualTo(ErrorCode.TOKEN_EXPIRED);
    }

    @Test
    void nbfInTheFutureIsRefusedAndWithinLeewayAccepted() throws Exception {
        assertAuthFailed(auth, token("{\"sub\":\"a\",\"exp\":" + EXP + ",\"nbf\":" + (NOW_SECONDS + 31) + "}"),
            "token not yet valid");
        final String t = token("{\"sub\":\"a\",\"exp\":" + EXP + ",\"nbf\":" + (NOW_SECONDS + 30) + "}");
        assertThat(auth.authenticate(t, NOW_MILLIS).userId()).isEqualTo("a");
    }

    @Test
    void iatInTheFarFutureIsRefusedAndWithinLeewayAccepted() throws Exception {
        assertAuthFailed(auth, token("{\"sub\":\"a\",\"exp\":" + EXP + ",\"iat\":" + (NOW_SECONDS + 86_400) + "}"),
            "token issued in the future");
        assertAuthFailed(auth, token("{\"sub\":\"a\",\"exp\":" + EXP + ",\"iat\":" + (NOW_SECONDS + 31) + "}"));
        final String t = token("{\"sub\":\"a\",\"exp\":" + EXP + ",\"iat\":" + (NOW_SECONDS + 30) + "}");
        assertThat(auth.authenticate(t, NOW_MILLIS).userId()).isEqualTo("a");
    }

    @Test
    void tokenExpiredIsOnlyGivenToOtherwiseGoodTokens() {
        final String expiredAndFuture = token("{\"sub\":\"a\",\"exp\":" + (NOW_SECONDS - 100)
            + ",\"nbf\":" + (NOW_SECONDS + 100) + "}");
        assertThat(refused(auth, expiredAndFuture, NOW_MILLIS).code()).isEqualTo(ErrorCode.AUTH_FAILED);
        final String expiredWrongSecret = signed(HS256_HEADER, "{\"sub\":\"a\",\"exp\":1}", OTHER_SECRET);
        assertThat(refused(auth, expiredWrongSecret, NOW_MILLIS).code()).isEqualTo(ErrorCode.AUTH_FAILED);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"sub\":\"a\"}",
        "{\"sub\":\"a\",\"iat\":1700000000}",
        "{\"sub\":\"a\",\"exp\":\"1800000000\"}",
        "{\"sub\":\"a\",\"exp\":true}",
        "{\"sub\":\"a\",\"exp\":null}",
        "{\"sub\":\"a\",\"exp\":[1800000000]}",
        "{\"sub\":\"a\",\"exp\":{}}",
        "{\"sub\":\"a\",\"exp\":-1}",
        "{\"sub\":\"a\",\"exp\":-0.5}",
        "{\"sub\":\"a\",\"exp\":1e300}",
        "{\"sub\":\"a\",\"exp\":9223372036854776}",
        "{\"sub\":\"a\",\"exp\":9223372036854775808}",
        "{\"sub\":\"a\",\"exp\":123456789012345678901234567890}",
        "{\"sub\":\"a\",\"exp\":1800000000,\"nbf\":\"0\"}",
        "{\"sub\":\"a\",\"exp\":1800000000,\"nbf\":null}",
        "{\"sub\":\"a\",\"exp\":1800000000,\"iat\":\"now\"}",
        "{\"sub\":\"a\",\"exp\":1800000000,\"iat\":false}",
        "{\"sub\":\"a\",\"exp\":NaN}",
        "{\"sub\":\"a\",\"exp\":Infinity}",
        "{\"sub\":\"a\",\"exp\":01800000000}",
    })
    void missingOrNonNumericDatesAreRefused(final String claimsJson) {
        assertAuthFailed(auth, token(claimsJson));
    }

    @Test
    void largestNumericDateIsAccepted() throws Exception {
        final String t = token("{\"sub\":\"a\",\"exp\":" + JwtAuthenticator.MAX_NUMERIC_DATE_SECONDS + "}");
        final JwtAuthenticator auth = JwtAuthenticator.builder().hs256Secret(SECRET)
            .maxLifetime(Duration.ofSeconds(JwtAuthenticator.MAX_NUMERIC_DATE_SECONDS)).build();
        assertThat(auth.authenticate(t, NOW_MILLIS).expiresAtMillis())
            .isEqualTo(Long.MAX_VALUE); // exp + leeway saturates
        // far-future now must not overflow into "not expired"
        assertThat(refused(auth, token(claims("a")), Long.MAX_VALUE).code()).isEqualTo(ErrorCode.TOKEN_EXPIRED);
    }

    @Test
    void anExpTooFarAheadIsRefusedAsAMillisecondMistake() throws Exception {
        final String millis = token("{\"sub\":\"a\",\"exp\":" + (NOW_MILLIS + 600_000) + "}");
        assertThat(refused(auth, millis, NOW_MILLIS).getMessage()).contains("exp too far in the future");
        assertThat(refused(auth, millis, NOW_MILLIS).code()).isEqualTo(ErrorCode.AUTH_FAILED);
        final long thirtyDays = 30L * 86_400;
        assertThat(auth.authenticate(token("{\"sub\":\"a\",\"exp\":" + (NOW_SECONDS + thirtyDays + 30) + "}"),
            NOW_MILLIS).userId()).as("30 days plus leeway is the default limit").isEqualTo("a");
        assertAuthFailed(auth, token("{\"sub\":\"a\",\"exp\":" + (NOW_SECONDS + thirtyDays + 31) + "}"));
        final JwtAuthenticator hour = JwtAuthenticator.builder().hs256Secret(SECRET).maxLifetime(Duration.ofHours(1))
            .build();
        assertAuthFailed(hour, token("{\"sub\":\"a\",\"exp\":" + (NOW_SECONDS + 7200) + "}"));
        assertThat(hour.authenticate(token(claims("b")), NOW_MILLIS).userId()).isEqualTo("b");
        assertThatThrownBy(() -> JwtAuthenticator.builder().maxLifetime(Duration.ofSeconds(59)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxLifetime");
    }

    // ---- signature --------------------------------------------------------------------------------

    @Test
    void wrongSecretIsRefused() {
        assertAuthFailed(auth, signed(HS256_HEADER, claims("alice"), OTHER_SECRET), "bad signature");
    }

    @Test
    void tamperedPayloadIsRefused() throws Exception {
        final String good = token(claims("alice"));
        assertThat(auth.authenticate(good, NOW_MILLIS).userId()).isEqualTo("alice");
        final String[] parts = good.split("\\.");
        final String forged = parts[0] + "." + b64(claims("admin")) + "." + parts[2];
        assertAuthFailed(auth, forged, "bad signature");
        final String extended = parts[0] + "." + b64("{\"sub\":\"alice\",\"exp\":" + (EXP + 1_000_000) + "}")
            + "." + parts[2];
        assertAuthFailed(auth, extended);
    }

    @Test
    void tamperedHeaderIsRefused() {
        final String[] parts = token(claims("alice")).split("\\.");
        final String forged = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"x\"}") + "." + parts[1] + "." + parts[2];
        assertAuthFailed(auth, forged);
    }

    @Test
    void tamperedSignatureIsRefused() {
        final String good = token(claims("alice"));
        final String[] parts = good.split("\\.");
        final byte[] sig = java.util.Base64.getUrlDecoder().decode(parts[2]);
        for (int i = 0; i < sig.length; i++) {
            final byte[] flipped = sig.clone();
            flipped[i] ^= 0x01;
            assertAuthFailed(auth, parts[0] + "." + parts[1] + "." + b64(flipped), "bad signature");
        }
        assertAuthFailed(auth, parts[0] + "." + parts[1] + "." + b64(Arrays.copyOf(sig, 31)));
        assertAuthFailed(auth, parts[0] + "." + parts[1] + "." + b64(Arrays.copyOf(sig, 33)));
        assertAuthFailed(auth, parts[0] + "." + parts[1] + ".");
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "NONE", "None", "nOnE"})
    void algNoneIsRefusedInAnyCase(final String alg) {
        final String header = b64("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}");
        final String payload = b64(claims("alice"));
        assertAuthFailed(auth, header + "." + payload + ".", "alg none refused");
        // even "signed" with our secret
        assertAuthFailed(auth, signedRaw(header, payload, SECRET), "alg none refused");
    }

    @ParameterizedTest
    @ValueSource(strings = {"RS256", "ES256", "PS256", "HS384", "HS512", "hs256", "HS256 ", "EdDSA", ""})
    void otherAlgorithmsSignedWithOurHmacSecretAreRefused(final String alg) {
        assertAuthFailed(auth, signed("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}", claims("alice"), SECRET),
            "unsupported alg");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"typ\":\"JWT\"}",
        "{\"alg\":null}",
        "{\"alg\":256}",
        "{\"alg\":[\"HS256\"]}",
        "{\"alg\":{\"name\":\"HS256\"}}",
        "{\"alg\":\"HS256\",\"alg\":\"HS256\"}",
        "{\"alg\":\"none\",\"alg\":\"HS256\"}",
        "{\"alg\":\"HS256\",\"typ\":\"JWS\"}",
        "{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}",
        "{\"alg\":\"HS256\",\"typ\":1}",
        "{\"alg\":\"HS256\",\"typ\":null}",
        "{\"alg\":\"HS256\",\"crit\":[\"exp\"]}",
        "{\"alg\":\"HS256\",\"crit\":[]}",
        "{\"alg\":\"HS256\"",
        "{\"alg\":\"HS256\"}}",
        "{\"alg\":\"HS256\"} {}",
        "{\"alg\":\"HS256\"} x",
        "[\"HS256\"]",
        "\"HS256\"",
        "",
        "null",
        "{'alg':'HS256'}",
        "{alg:\"HS256\"}",
        "{\"alg\":\"HS256\",}",
        "{\"alg\":\"HS256\" /* c */}",
    })
    void badHeadersAreRefused(final String headerJson) {
        assertAuthFailed(auth, signed(headerJson, claims("alice"), SECRET));
    }

    // ---- claims -----------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"exp\":1800000000}",
        "{\"sub\":\"\",\"exp\":1800000000}",
        "{\"sub\":null,\"exp\":1800000000}",
        "{\"sub\":42,\"exp\":1800000000}",
        "{\"sub\":true,\"exp\":1800000000}",
        "{\"sub\":[\"a\"],\"exp\":1800000000}",
        "{\"sub\":{\"id\":\"a\"},\"exp\":1800000000}",
        "{\"sub\":\"a\\u0000b\",\"exp\":1800000000}",
        "{\"sub\":\"a\\nb\",\"exp\":1800000000}",
        "{\"sub\":\"a\\u0085\",\"exp\":1800000000}",
        "{\"sub\":\"\\ud800\",\"exp\":1800000000}",
        "{\"sub\":\"x\\udc00y\",\"exp\":1800000000}",
        "{\"sub\":\"\\ude00\\ud83d\",\"exp\":1800000000}",
    })
    void missingEmptyNonStringOrInvalidSubIsRefused(final String claimsJson) {
        assertAuthFailed(auth, token(claimsJson));
    }

    @Test
    void subLongerThan64Utf8BytesIsRefused() {
        assertAuthFailed(auth, token(claims("u".repeat(65))));
        assertAuthFailed(auth, token(claims("\u00e9".repeat(33)))); // 66 bytes, 33 chars
        assertAuthFailed(auth, token(claims("\u20ac".repeat(22)))); // 66 bytes, 22 chars
        assertAuthFailed(auth, token(claims("u" + "\uD83D\uDE00".repeat(16)))); // 65 bytes
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"sub\":\"a\",\"sub\":\"b\",\"exp\":1800000000}",
        "{\"sub\":\"a\",\"exp\":1800000000,\"exp\":1900000000}",
        "{\"sub\":\"a\",\"exp\":1800000000,\"x\":1,\"x\":2}",
    })
    void duplicateClaimsAreRefused(final String claimsJson) {
        assertAuthFailed(auth, token(claimsJson), "duplicate claim");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "[{\"sub\":\"a\",\"exp\":1800000000}]",
        "[]",
        "\"sub\"",
        "42",
        "null",
        "",
        "not json",
        "{\"sub\":\"a\",\"exp\":1800000000",
        "{\"sub\":\"a\",\"exp\":1800000000}}",
        "{\"sub\":\"a\",\"exp\":1800000000}{}",
        "{\"sub\":\"a\",\"exp\":1800000000} 1",
        "{\"sub\":\"a\",\"exp\":1800000000,}",
        "{\"sub\":'a',\"exp\":1800000000}",
        "{\"sub\":\"a\",\"exp\":1800000000 // c\n}",
    })
    void nonObjectOrMalformedPayloadsAreRefused(final String claimsJson) {
        assertAuthFailed(auth, token(claimsJson));
    }

    @Test
    void invalidUtf8IsRefused() {
        final byte[] bad = "{\"sub\":\"a\u00ff\",\"exp\":1800000000}".getBytes(StandardCharsets.ISO_8859_1);
        assertAuthFailed(auth, signedRaw(b64(HS256_HEADER), b64(bad), SECRET));
        final byte[] overlong = {'{', '"', 's', 'u', 'b', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"', '}'};
        assertAuthFailed(auth, signedRaw(b64(HS256_HEADER), b64(overlong), SECRET));
        final byte[] badHeader = "{\"alg\":\"HS256\",\"k\":\"\u00ff\"}".getBytes(StandardCharsets.ISO_8859_1);
        assertAuthFailed(auth, signedRaw(b64(badHeader), b64(claims("a")), SECRET));
    }

    @Test
    void deeplyNestedJsonIsRefusedButModerateNestingIsSkipped() throws Exception {
        final String deep = "[".repeat(1000) + "]".repeat(1000);
        final JwtAuthenticator roomy = JwtAuthenticator.builder().hs256Secret(SECRET).maxTokenLength(8192).build();
        assertAuthFailed(roomy, token("{\"x\":" + deep + ",\"sub\":\"a\",\"exp\":" + EXP + "}"), "malformed claims");
        assertAuthFailed(roomy, signed("{\"alg\":\"HS256\",\"x\":" + deep + "}", claims("a"), SECRET), "malformed header");
        final String deepObjects = "{\"a\":".repeat(200) + "1" + "}".repeat(200);
        assertAuthFailed(roomy, token("{\"x\":" + deepObjects + ",\"sub\":\"a\",\"exp\":" + EXP + "}"),
            "malformed claims");
        final String moderate = "[".repeat(10) + "]".repeat(10);
        assertThat(auth.authenticate(token("{\"x\":" + moderate + ",\"sub\":\"a\",\"exp\":" + EXP + "}"), NOW_MILLIS)
            .userId()).isEqualTo("a");
    }

    // ---- issuer / audience ------------------------------------------------------------------------

    @Test
    void issuerMustMatchWhenConfigured() throws Exception {
        final JwtAuthenticator a = JwtAuthenticator.builder().hs256Secret(SECRET).issuer("https://id.example").build();
        assertThat(a.authenticate(token("{\"sub\":\"a\",\"iss\":\"https://id.example\",\"exp\":" + EXP + "}"),
            NOW_MILLIS).userId()).isEqualTo("a");
        assertAuthFailed(a, token("{\"sub\":\"a\",\"iss\":\"https://evil.example\",\"exp\":" + EXP + "}"),
            "issuer mismatch");
        assertAuthFailed(a, token("{\"sub\":\"a\",\"iss\":\"HTTPS://ID.EXAMPLE\",\"exp\":" + EXP + "}"));
        assertAuthFailed(a, token("{\"sub\":\"a\",\"exp\":" + EXP + "}"));
        assertAuthFailed(a, token("{\"sub\":\"a\",\"iss\":[\"https://id.example\"],\"exp\":" + EXP + "}"));
    }

    @Test
    void issuerIsNotCheckedWhenNotConfiguredButMustBeAString() throws Exception {
        assertThat(auth.authenticate(token("{\"sub\":\"a\",\"iss\":\"anyone\",\"exp\":" + EXP + "}"), NOW_MILLIS)
            .userId()).isEqualTo("a");
        assertAuthFailed(auth, token("{\"sub\":\"a\",\"iss\":7,\"exp\":" + EXP + "}"));
    }

    @Test
    void audienceMustMatchOrBeContainedWhenConfigured() throws Exception {
        final JwtAuthenticator a = JwtAuthenticator.builder().hs256Secret(SECRET).audience("iris").build();
        assertThat(a.authenticate(token("{\"sub\":\"a\",\"aud\":\"iris\",\"exp\":" + EXP + "}"), NOW_MILLIS)
            .userId()).isEqualTo("a");
        assertThat(a.authenticate(token("{\"sub\":\"a\",\"aud\":[\"web\",\"iris\"],\"exp\":" + EXP + "}"), NOW_MILLIS)
            .userId()).isEqualTo("a");
        assertAuthFailed(a, token("{\"sub\":\"a\",\"aud\":\"web\",\"exp\":" + EXP + "}"));
        assertAuthFailed(a, token("{\"sub\":\"a\",\"aud\":[\"web\",\"mail\"],\"exp\":" + EXP + "}"),
            "audience mismatch");
        assertAuthFailed(a, token("{\"sub\":\"a\",\"aud\":[],\"exp\":" + EXP + "}"));
        assertAuthFailed(a, token("{\"sub\":\"a\",\"exp\":" + EXP + "}"));
        assertAuthFailed(a, token("{\"sub\":\"a\",\"aud\":[\"iris\",1],\"exp\":" + EXP + "}"));
        assertAuthFailed(a, token("{\"sub\":\"a\",\"aud\":[[\"iris\"]],\"exp\":" + EXP + "}"));
        assertAuthFailed(a, token("{\"sub\":\"a\",\"aud\":{\"iris\":true},\"exp\":" + EXP + "}"));
    }

    @Test
    void audienceIsNotCheckedWhenNotConfiguredButMustBeWellFormed() throws Exception {
        assertThat(auth.authenticate(token("{\"sub\":\"a\",\"aud\":[\"x\",\"y\"],\"exp\":" + EXP + "}"), NOW_MILLIS)
            .userId()).isEqualTo("a");
        assertAuthFailed(auth, token("{\"sub\":\"a\",\"aud\":5,\"exp\":" + EXP + "}"));
        assertAuthFailed(auth, token("{\"sub\":\"a\",\"aud\":[null],\"exp\":" + EXP + "}"));
    }

    // ---- shape and encoding -------------------------------------------------------------------------

    @Test
    void wrongNumberOfPartsIsRefused() {
        final String good = token(claims("alice"));
        final String[] p = good.split("\\.");
        assertAuthFailed(auth, p[0] + "." + p[1]);
        assertAuthFailed(auth, good + "." + p[2]);
        assertAuthFailed(auth, good + ".");
        assertAuthFailed(auth, p[0]);
        assertAuthFailed(auth, "..");
        assertAuthFailed(auth, "...");
        assertAuthFailed(auth, ".");
        assertAuthFailed(auth, "");
        assertAuthFailed(auth, null);
    }

    @Test
    void nonCanonicalBase64IsRefused() {
        final String good = token(claims("alice"));
        final String[] p = good.split("\\.");
        final List<String> bad = new ArrayList<>();
        // padding on each part (payload/header lengths chosen below so padding is meaningful)
        bad.add(p[0] + "=." + p[1] + "." + p[2]);
        bad.add(p[0] + "." + p[1] + "=." + p[2]);
        bad.add(p[0] + "." + p[1] + "." + p[2] + "=");
        bad.add(p[0] + "." + p[1] + "." + p[2] + "==");
        // standard-alphabet characters, whitespace, non-ASCII
        bad.add(p[0] + "." + p[1] + "." + p[2].replace('-', '+').replace('_', '/') + "+");
        bad.add(p[0] + "." + p[1].substring(0, 4) + "/" + p[1].substring(5) + "." + p[2]);
        bad.add(p[0] + "." + p[1].substring(0, 4) + "+" + p[1].substring(5) + "." + p[2]);
        bad.add(" " + good);
        bad.add(good + "\n");
        bad.add(p[0] + ". " + p[1] + "." + p[2]);
        bad.add(p[0] + "." + p[1].substring(0, 8) + "\r\n" + p[1].substring(8) + "." + p[2]);
        bad.add(p[0] + "." + p[1] + "." + p[2].substring(0, 5) + "\u00e9" + p[2].substring(6));
        bad.add(p[0] + "." + p[1] + "." + p[2].substring(0, 5) + "\u0000" + p[2].substring(6));
        // a length of 1 mod 4 can never be base64
        final StringBuilder oneMod4 = new StringBuilder(p[1]);
        while ((oneMod4.length() & 3) != 1) {
            oneMod4.append('A');
        }
        bad.add(p[0] + "." + oneMod4 + "." + p[2]);
        for (final String t : bad) {
            final String reason = refused(auth, t, NOW_MILLIS).getMessage();
            assertThat(reason).as(t).isIn("token is not base64url", "token is not header.payload.signature");
        }
    }

    @Test
    void nonZeroTrailingBitsAreRefusedEvenWhenTheBytesWouldVerify() {
        final String good = token(claims("alice"));
        final String[] p = good.split("\\.");
        // the 43-char signature carries 2 unused bits in its last char: set them
        final char last = p[2].charAt(p[2].length() - 1);
        final String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        final char sibling = alphabet.charAt(alphabet.indexOf(last) | 1);
        assertThat(sibling).isNotEqualTo(last);
        assertThat(java.util.Base64.getUrlDecoder().decode(p[2].substring(0, 42) + sibling))
            .isEqualTo(java.util.Base64.getUrlDecoder().decode(p[2])); // the JDK would accept it
        assertAuthFailed(auth, p[0] + "." + p[1] + "." + p[2].substring(0, 42) + sibling, "token is not base64url");
    }

    @Test
    void oversizeTokenIsRefusedBeforeAnythingElse() {
        final String padding = "x".repeat(4000);
        final String big = token("{\"sub\":\"a\",\"exp\":" + EXP + ",\"pad\":\"" + padding + "\"}");
        assertThat(big.length()).isGreaterThan(4096);
        assertAuthFailed(auth, big, "token too long");
        final JwtAuthenticator roomy = JwtAuthenticator.builder().hs256Secret(SECRET).maxTokenLength(8192).build();
        assertThat(catchThrowable(() -> roomy.authenticate(big, NOW_MILLIS))).isNull();
        assertThat(refused(auth, "A".repeat(100_000), NOW_MILLIS).getMessage()).isEqualTo("token too long");
        final JwtAuthenticator tight = JwtAuthenticator.builder().hs256Secret(SECRET).maxTokenLength(100).build();
        assertAuthFailed(tight, token(claims("alice")));
    }

    // ---- builder -------------------------------------------------------------------------------------

    @Test
    void builderValidatesEagerly() {
        assertThatThrownBy(() -> JwtAuthenticator.builder().hs256Secret(new byte[31]))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 32 bytes").hasMessageContaining("31");
        assertThatThrownBy(() -> JwtAuthenticator.builder().hs256Secret(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> JwtAuthenticator.builder().build())
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("hs256Secret");
        assertThatThrownBy(() -> JwtAuthenticator.builder().leeway(Duration.ofSeconds(-1)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("leeway");
        assertThatThrownBy(() -> JwtAuthenticator.builder().leeway(Duration.ofHours(2)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("leeway");
        assertThatThrownBy(() -> JwtAuthenticator.builder().leeway(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> JwtAuthenticator.builder().issuer("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JwtAuthenticator.builder().audience("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JwtAuthenticator.builder().maxTokenLength(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JwtAuthenticator.builder().maxTokenLength(1 << 20))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxTokenLength");
    }

    @Test
    void builderCopiesTheSecretAndToStringHidesIt() throws Exception {
        final byte[] secret = SECRET.clone();
        final JwtAuthenticator a = JwtAuthenticator.builder().hs256Secret(secret).build();
        Arrays.fill(secret, (byte) 0);
        assertThat(a.authenticate(token(claims("alice")), NOW_MILLIS).userId()).isEqualTo("alice");
        assertThat(a.toString()).doesNotContain(new String(SECRET, StandardCharsets.US_ASCII).substring(0, 16));
    }

    @Test
    void isSafeToShareBetweenThreads() throws Exception {
        final ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            final List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                final int id = t;
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        final String user = "user-" + id + "-" + i;
                        if (!auth.authenticate(token(claims(user)), NOW_MILLIS).userId().equals(user)) {
                            return false;
                        }
                        final String bad = signed(HS256_HEADER, claims(user), OTHER_SECRET);
                        try {
                            auth.authenticate(bad, NOW_MILLIS);
                            return false;
                        } catch (final AuthenticationException expected) {
                            // refused, as it must be
                        }
                    }
                    return true;
                }));
            }
            for (final Future<Boolean> f : results) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------

    /**
     * Asserts the token is refused with exactly {@link AuthenticationException} and that the reason does not
     * echo any part of the token.
     */
    static AuthenticationException refused(final JwtAuthenticator a, final String token, final long now) {
        final Throwable thrown = catchThrowable(() -> a.authenticate(token, now));
        assertThat(thrown).as("refusal of a token").isExactlyInstanceOf(AuthenticationException.class);
        final AuthenticationException e = (AuthenticationException) thrown;
        assertThat(e.getMessage()).isNotBlank().hasSizeLessThan(64);
        if (token != null) {
            for (final String part : token.split("\\.")) {
                if (part.length() >= 6) {
                    assertThat(e.getMessage()).doesNotContain(part.substring(0, 6));
                }
            }
        }
        return e;
    }

    static void assertAuthFailed(final JwtAuthenticator a, final String token) {
        assertThat(refused(a, token, NOW_MILLIS).code()).isEqualTo(ErrorCode.AUTH_FAILED);
    }

    /** As {@link #assertAuthFailed} and checks the reason, so a test cannot pass for the wrong cause. */
    static void assertAuthFailed(final JwtAuthenticator a, final String token, final String reason) {
        final AuthenticationException e = refused(a, token, NOW_MILLIS);
        assertThat(e.code()).isEqualTo(ErrorCode.AUTH_FAILED);
        assertThat(e.getMessage()).isEqualTo(reason);
    }
}
