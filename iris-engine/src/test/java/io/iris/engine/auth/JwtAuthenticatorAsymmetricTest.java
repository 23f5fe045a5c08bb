package io.iris.engine.auth;

import static io.iris.engine.auth.JwtAuthenticatorTest.assertAuthFailed;
import static io.iris.engine.auth.JwtAuthenticatorTest.refused;
import static io.iris.engine.auth.TestKeys.ED25519;
import static io.iris.engine.auth.TestKeys.ED25519_OTHER;
import static io.iris.engine.auth.TestKeys.P256;
import static io.iris.engine.auth.TestKeys.P256_OTHER;
import static io.iris.engine.auth.TestKeys.RSA2048;
import static io.iris.engine.auth.TestTokens.NOW_MILLIS;
import static io.iris.engine.auth.TestTokens.NOW_SECONDS;
import static io.iris.engine.auth.TestTokens.SECRET;
import static io.iris.engine.auth.TestTokens.b64;
import static io.iris.engine.auth.TestTokens.claims;
import static org.assertj.core.api.Assertions.assertThat;

import io.iris.protocol.ErrorCode;
import io.iris.api.auth.AuthenticationException;
import io.iris.api.auth.Principal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** EdDSA, ES256 and RS256 verification, key selection by kid, and the algorithm-confusion refusals. */
class JwtAuthenticatorAsymmetricTest {
    private static final long EXP = NOW_SECONDS + 600;
    private static final BigInteger P256_ORDER = ((ECPublicKey) P256.getPublic()).getParams().getOrder();

    private static JwtAuthenticator only(final JwtKey key) {
        return JwtAuthenticator.builder().key(key).build();
    }

    private static final JwtAuthenticator EDDSA = only(JwtKey.publicKey(null, ED25519.getPublic()));
    private static final JwtAuthenticator ES256 = only(JwtKey.publicKey(null, P256.getPublic()));
    private static final JwtAuthenticator RS256 = only(JwtKey.publicKey(null, RSA2048.getPublic()));
    /** Four keys, selected by kid. */
    private static final JwtAuthenticator MIXED = JwtAuthenticator.builder()
        .key(JwtKey.hs256("h", SECRET))
        .key(JwtKey.publicKey("d", ED25519.getPublic()))
        .key(JwtKey.publicKey("e", P256.getPublic()))
        .key(JwtKey.publicKey("r", RSA2048.getPublic()))
        .build();

    // ---- accepted -------------------------------------------------------------------------------

    @Test
    void acceptsEdDsaEs256AndRs256TokensSignedByTheJdk() throws Exception {
        final String withJti = "{\"sub\":\"alice\",\"exp\":" + EXP + ",\"jti\":\"id-1\"}";
        assertThat(EDDSA.authenticate(TestKeys.token("EdDSA", null, withJti, ED25519.getPrivate()), NOW_MILLIS))
            .isEqualTo(new Principal("alice", EXP * 1000 + 30_000, "id-1"));
        assertThat(ES256.authenticate(TestKeys.token("ES256", null, withJti, P256.getPrivate()), NOW_MILLIS))
            .isEqualTo(new Principal("alice", EXP * 1000 + 30_000, "id-1"));
        assertThat(RS256.authenticate(TestKeys.token("RS256", null, withJti, RSA2048.getPrivate()), NOW_MILLIS))
            .isEqualTo(new Principal("alice", EXP * 1000 + 30_000, "id-1"));
    }

    @Test
    void acceptsEs256SignaturesMadeInTheJdksP1363FormToo() throws Exception {
        final String input = b64(TestKeys.header("ES256", null)) + "." + b64(claims("bob"));
        final java.security.Signature s = java.security.Signature.getInstance("SHA256withECDSAinP1363Format");
        s.initSign(P256.getPrivate());
        s.update(input.getBytes(StandardCharsets.US_ASCII));
        assertThat(ES256.authenticate(input + "." + b64(s.sign()), NOW_MILLIS).userId()).isEqualTo("bob");
    }

    @Test
    void eachKidSelectsItsKeyAndAlgorithm() throws Exception {
        assertThat(MIXED.authenticate(TestTokens.signed(TestKeys.header("HS256", "h"), claims("a"), SECRET), NOW_MILLIS)
            .userId()).isEqualTo("a");
        assertThat(MIXED.authenticate(TestKeys.token("EdDSA", "d", claims("b"), ED25519.getPrivate()), NOW_MILLIS)
            .userId()).isEqualTo("b");
        assertThat(MIXED.authenticate(TestKeys.token("ES256", "e", claims("c"), P256.getPrivate()), NOW_MILLIS)
            .userId()).isEqualTo("c");
        assertThat(MIXED.authenticate(TestKeys.token("RS256", "r", claims("d"), RSA2048.getPrivate()), NOW_MILLIS)
            .userId()).isEqualTo("d");
    }

    @Test
    void singleKeyRulesForKid() throws Exception {
        // a single key without kid is used whatever kid the token names (as before kids existed)
        assertThat(EDDSA.authenticate(TestKeys.token("EdDSA", "anything", claims("a"), ED25519.getPrivate()), NOW_MILLIS)
            .userId()).isEqualTo("a");
        // a single key with a kid: a token without kid may use it, a token naming another kid may not
        final JwtAuthenticator withKid = only(JwtKey.publicKey("k1", ED25519.getPublic()));
        assertThat(withKid.authenticate(TestKeys.token("EdDSA", null, claims("a"), ED25519.getPrivate()), NOW_MILLIS)
            .userId()).isEqualTo("a");
        assertThat(withKid.authenticate(TestKeys.token("EdDSA", "k1", claims("a"), ED25519.getPrivate()), NOW_MILLIS)
            .userId()).isEqualTo("a");
        assertAuthFailed(withKid, TestKeys.token("EdDSA", "k2", claims("a"), ED25519.getPrivate()), "unknown kid");
        assertAuthFailed(withKid, TestKeys.token("EdDSA", "K1", claims("a"), ED25519.getPrivate()), "unknown kid");
    }

    // ---- refused: keys and kids -----------------------------------------------------------------

    @Test
    void unknownKidIsRefused() {
        assertAuthFailed(MIXED, TestKeys.token("EdDSA", "x", claims("a"), ED25519.getPrivate()), "unknown kid");
        assertAuthFailed(MIXED, TestKeys.token("EdDSA", "", claims("a"), ED25519.getPrivate()), "unknown kid");
    }

    @Test
    void missingKidWithSeveralKeysIsRefused() {
        assertAuthFailed(MIXED, TestKeys.token("EdDSA", null, claims("a"), ED25519.getPrivate()), "missing kid");
        assertAuthFailed(MIXED, TestTokens.signed(TestTokens.HS256_HEADER, claims("a"), SECRET), "missing kid");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "null", "[\"d\"]", "{\"d\":1}", "true"})
    void nonStringKidIsRefused(final String kid) {
        final String header = "{\"alg\":\"EdDSA\",\"kid\":" + kid + "}";
        assertAuthFailed(MIXED, TestKeys.signed("EdDSA", header, claims("a"), ED25519.getPrivate()), "invalid kid");
    }

    @Test
    void wrongKeyIsRefused() {
        assertAuthFailed(EDDSA, TestKeys.token("EdDSA", null, claims("a"), ED25519_OTHER.getPrivate()), "bad signature");
        assertAuthFailed(ES256, TestKeys.token("ES256", null, claims("a"), P256_OTHER.getPrivate()), "bad signature");
        final KeyPair otherRsa = TestKeys.rsa(2048);
        assertAuthFailed(RS256, TestKeys.token("RS256", null, claims("a"), otherRsa.getPrivate()), "bad signature");
        // the right algorithm, the kid of another key of the same type
        final JwtAuthenticator two = JwtAuthenticator.builder()
            .key(JwtKey.publicKey("a", P256.getPublic())).key(JwtKey.publicKey("b", P256_OTHER.getPublic())).build();
        assertAuthFailed(two, TestKeys.token("ES256", "b", claims("a"), P256.getPrivate()), "bad signature");
        assertThat(catchAccepted(two, TestKeys.token("ES256", "a", claims("a"), P256.getPrivate()))).isEqualTo("a");
    }

    // ---- refused: algorithm confusion -------------------------------------------------------------

    @Test
    void headerAlgMustBeTheSelectedKeysAlg() {
        // ES256 header on an EdDSA key, signed with the EC key; and every other mismatch
        assertAuthFailed(EDDSA, TestKeys.token("ES256", null, claims("a"), P256.getPrivate()), "unsupported alg");
        assertAuthFailed(ES256, TestKeys.token("EdDSA", null, claims("a"), ED25519.getPrivate()), "unsupported alg");
        assertAuthFailed(ES256, TestKeys.token("RS256", null, claims("a"), RSA2048.getPrivate()), "unsupported alg");
        assertAuthFailed(RS256, TestKeys.token("ES256", null, claims("a"), P256.getPrivate()), "unsupported alg");
        // with kids: a valid EdDSA token whose kid points at the EC key
        assertAuthFailed(MIXED, TestKeys.token("EdDSA", "e", claims("a"), ED25519.getPrivate()), "unsupported alg");
        assertAuthFailed(MIXED, TestKeys.token("ES256", "d", claims("a"), P256.getPrivate()), "unsupported alg");
        // names are case-sensitive
        assertAuthFailed(EDDSA, TestKeys.signed("EdDSA", "{\"alg\":\"eddsa\"}", claims("a"), ED25519.getPrivate()),
            "unsupported alg");
        assertAuthFailed(EDDSA, TestKeys.signed("EdDSA", "{\"alg\":\"Ed25519\"}", claims("a"), ED25519.getPrivate()),
            "unsupported alg");
    }

    @Test
    void hs256SignedWithAPublicKeysBytesAsTheSecretIsRefused() {
        // The classic confusion: the attacker knows the public key and HMACs with its bytes (DER or PEM text).
        for (final KeyPair pair : new KeyPair[] {P256, ED25519, RSA2048}) {
            final JwtAuthenticator auth = only(JwtKey.publicKey(null, pair.getPublic()));
            final byte[][] secrets = {
                pair.getPublic().getEncoded(),
                TestKeys.pem(pair.getPublic()).getBytes(StandardCharsets.US_ASCII),
                TestKeys.pem(pair.getPublic()).strip().getBytes(StandardCharsets.US_ASCII),
            };
            for (final byte[] secret : secrets) {
                assertAuthFailed(auth, TestTokens.signed(TestTokens.HS256_HEADER, claims("admin"), secret),
                    "unsupported alg");
            }
        }
        // and with kids, pointing the HS256 token at the public key
        final byte[] ecDer = P256.getPublic().getEncoded();
        assertAuthFailed(MIXED, TestTokens.signed(TestKeys.header("HS256", "e"), claims("admin"), ecDer),
            "unsupported alg");
        // pointing at the real HMAC key, the public key's bytes are simply the wrong secret
        assertAuthFailed(MIXED, TestTokens.signed(TestKeys.header("HS256", "h"), claims("admin"), ecDer),
            "bad signature");
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "None", "NONE"})
    void algNoneIsRefusedWhateverTheKeys(final String alg) {
        final String unsigned = b64("{\"alg\":\"" + alg + "\"}") + "." + b64(claims("a")) + ".";
        for (final JwtAuthenticator auth : new JwtAuthenticator[] {EDDSA, ES256, RS256, MIXED}) {
            assertAuthFailed(auth, unsigned, "alg none refused");
            assertAuthFailed(auth, b64("{\"alg\":\"" + alg + "\",\"kid\":\"e\"}") + "." + b64(claims("a")) + ".",
                "alg none refused");
        }
    }

    // ---- refused: tampering and malformed signatures ---------------------------------------------

    @Test
    void tamperedPayloadOrSignatureIsRefusedForEveryAlgorithm() {
        final Object[][] cases = {{EDDSA, "EdDSA", ED25519}, {ES256, "ES256", P256}, {RS256, "RS256", RSA2048}};
        for (final Object[] c : cases) {
            final JwtAuthenticator auth = (JwtAuthenticator) c[0];
            final String alg = (String) c[1];
            final String good = TestKeys.token(alg, null, claims("alice"), ((KeyPair) c[2]).getPrivate());
            assertThat(catchAccepted(auth, good)).isEqualTo("alice");
            final String[] p = good.split("\\.");
            assertAuthFailed(auth, p[0] + "." + b64(claims("admin")) + "." + p[2], "bad signature");
            final byte[] sig = Base64.getUrlDecoder().decode(p[2]);
            final Random random = new Random(alg.hashCode());
            for (int i = 0; i < 40; i++) {
                final byte[] flipped = sig.clone();
                flipped[random.nextInt(sig.length)] ^= (byte) (1 << random.nextInt(8));
                assertAuthFailed(auth, p[0] + "." + p[1] + "." + b64(flipped), "bad signature");
            }
            assertAuthFailed(auth, p[0] + "." + p[1] + ".", "bad signature");
            assertAuthFailed(auth, p[0] + "." + p[1] + "." + b64(Arrays.copyOf(sig, sig.length - 1)), "bad signature");
            assertAuthFailed(auth, p[0] + "." + p[1] + "." + b64(Arrays.copyOf(sig, sig.length + 1)), "bad signature");
        }
    }

    @Test
    void es256SignatureMustBeExactly64BytesOfRAndSInRange() throws Exception {
        final String input = b64(TestKeys.header("ES256", null)) + "." + b64(claims("alice"));
        final byte[] jose = TestKeys.sign("ES256", P256.getPrivate(), input);
        assertThat(catchAccepted(ES256, input + "." + b64(jose))).isEqualTo("alice");

        // the DER form the JDK's plain SHA256withECDSA produces is not JWS: refused
        final java.security.Signature der = java.security.Signature.getInstance("SHA256withECDSA");
        der.initSign(P256.getPrivate());
        der.update(input.getBytes(StandardCharsets.US_ASCII));
        assertAuthFailed(ES256, input + "." + b64(der.sign()), "bad signature");

        for (final int length : new int[] {0, 1, 32, 63, 65, 66, 70, 71, 72, 96, 128, 132}) {
            final byte[] sig = Arrays.copyOf(jose, length);
            assertAuthFailed(ES256, input + "." + b64(sig), "bad signature");
        }
        // r or s of zero (incl. the all-zero "psychic signature", CVE-2022-21449) or >= n
        final byte[] n = unsigned32(P256_ORDER);
        final byte[][] bad = {
            new byte[64],
            concat(new byte[32], Arrays.copyOfRange(jose, 32, 64)),
            concat(Arrays.copyOfRange(jose, 0, 32), new byte[32]),
            concat(n, Arrays.copyOfRange(jose, 32, 64)),
            concat(Arrays.copyOfRange(jose, 0, 32), n),
            concat(n, n),
            filled(0xFF),
        };
        for (final byte[] sig : bad) {
            assertAuthFailed(ES256, input + "." + b64(sig), "bad signature");
        }
        // r + n and s + n as 33-byte halves: over-long, refused by length
        assertAuthFailed(ES256, input + "." + b64(concat(new byte[] {0}, jose)), "bad signature");
    }

    @Test
    void es256HighSIsAcceptedAsJwsDoesNotRequireLowS() throws Exception {
        // ECDSA signatures are malleable: (r, n - s) verifies too. RFC 7518 does not ask for low-s and Iris
        // never uses signature bytes as an identity (revocation is by jti), so both forms are accepted.
        final String input = b64(TestKeys.header("ES256", null)) + "." + b64(claims("alice"));
        final byte[] jose = TestKeys.sign("ES256", P256.getPrivate(), input);
        final BigInteger s = new BigInteger(1, Arrays.copyOfRange(jose, 32, 64));
        final byte[] flipped = concat(Arrays.copyOfRange(jose, 0, 32), unsigned32(P256_ORDER.subtract(s)));
        assertThat(catchAccepted(ES256, input + "." + b64(flipped))).isEqualTo("alice");
    }

    @Test
    void edDsaAndRs256SignatureLengthsAreExact() {
        final String ed = TestKeys.token("EdDSA", null, claims("a"), ED25519.getPrivate());
        final String rs = TestKeys.token("RS256", null, claims("a"), RSA2048.getPrivate());
        for (final Object[] c : new Object[][] {{EDDSA, ed}, {RS256, rs}}) {
            final String[] p = ((String) c[1]).split("\\.");
            final byte[] sig = Base64.getUrlDecoder().decode(p[2]);
            for (final int length : new int[] {0, 1, 32, sig.length - 1, sig.length + 1, 2 * sig.length}) {
                assertAuthFailed((JwtAuthenticator) c[0], p[0] + "." + p[1] + "." + b64(Arrays.copyOf(sig, length)),
                    "bad signature");
            }
        }
    }

    @Test
    void claimsRulesApplyToAsymmetricTokensToo() {
        assertThat(refused(EDDSA, TestKeys.token("EdDSA", null, "{\"sub\":\"a\",\"exp\":" + (NOW_SECONDS - 31) + "}",
            ED25519.getPrivate()), NOW_MILLIS).code()).isEqualTo(ErrorCode.TOKEN_EXPIRED);
        assertAuthFailed(EDDSA, TestKeys.token("EdDSA", null, "{\"sub\":\"a\"}", ED25519.getPrivate()), "missing exp");
        assertAuthFailed(EDDSA, TestKeys.token("EdDSA", null, "{\"sub\":\"a\",\"exp\":" + EXP + ",\"jti\":7}",
            ED25519.getPrivate()), "invalid jti");
        assertAuthFailed(EDDSA, TestKeys.token("EdDSA", null, "{\"sub\":\"a\",\"exp\":" + EXP + ",\"jti\":\"\"}",
            ED25519.getPrivate()), "invalid jti");
    }

    @Test
    void seededMutationsOfAsymmetricTokensAreRefusedWithAuthenticationExceptionOnly() {
        final Random random = new Random(0x5EED_2025L);
        final String noise = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \u00e9\u0000{}\"";
        final Object[][] cases = {
            {EDDSA, TestKeys.token("EdDSA", null, claims("alice"), ED25519.getPrivate())},
            {ES256, TestKeys.token("ES256", null, claims("alice"), P256.getPrivate())},
            {MIXED, TestKeys.token("ES256", "e", claims("alice"), P256.getPrivate())},
        };
        for (final Object[] c : cases) {
            final JwtAuthenticator auth = (JwtAuthenticator) c[0];
            final String good = (String) c[1];
            for (int i = 0; i < 3_000; i++) {
                final StringBuilder t = new StringBuilder(good);
                for (int m = 1 + random.nextInt(3); m > 0; m--) {
                    final int at = random.nextInt(t.length());
                    switch (random.nextInt(3)) {
                        case 0 -> t.setCharAt(at, noise.charAt(random.nextInt(noise.length())));
                        case 1 -> t.deleteCharAt(at);
                        default -> t.insert(at, noise.charAt(random.nextInt(noise.length())));
                    }
                }
                final String mutated = t.toString();
                if (!mutated.equals(good)) {
                    assertThat(refused(auth, mutated, NOW_MILLIS).code()).as(mutated).isEqualTo(ErrorCode.AUTH_FAILED);
                }
            }
        }
    }

    @Test
    void builderRefusesKeysTheKidRulesCouldNeverSelect() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> JwtAuthenticator.builder()
                .key(JwtKey.publicKey(null, ED25519.getPublic())).key(JwtKey.publicKey("e", P256.getPublic())).build())
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("kid");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> JwtAuthenticator.builder()
                .key(JwtKey.publicKey("k", ED25519.getPublic())).key(JwtKey.publicKey("k", P256.getPublic())))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate kid 'k'");
        assertThat(MIXED.toString()).contains("HS256(kid=h)", "EdDSA(kid=d)", "ES256(kid=e)", "RS256(kid=r)")
            .doesNotContain(new String(SECRET, StandardCharsets.US_ASCII).substring(0, 16));
    }

    // ---- helpers -------------------------------------------------------------------------------------

    private static String catchAccepted(final JwtAuthenticator auth, final String token) {
        try {
            return auth.authenticate(token, NOW_MILLIS).userId();
        } catch (final AuthenticationException e) {
            throw new AssertionError("refused: " + e.getMessage(), e);
        }
    }

    private static byte[] unsigned32(final BigInteger v) {
        final byte[] b = v.toByteArray();
        final byte[] out = new byte[32];
        final int copy = Math.min(b.length, 32);
        System.arraycopy(b, b.length - copy, out, 32 - copy, copy);
        return out;
    }

    private static byte[] concat(final byte[] a, final byte[] b) {
        final byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] filled(final int value) {
        final byte[] b = new byte[64];
        Arrays.fill(b, (byte) value);
        return b;
    }
}
