package io.iris.engine.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Key parsing, algorithm derivation and the key/kid rules. */
class JwtKeyTest {
    @Test
    void algorithmFollowsFromThePemKey() {
        assertThat(JwtKey.fromPem("a", TestKeys.pem(TestKeys.ED25519.getPublic())).algorithm())
            .isEqualTo(JwtKey.Algorithm.EDDSA);
        assertThat(JwtKey.fromPem(null, TestKeys.pem(TestKeys.P256.getPublic())).algorithm())
            .isEqualTo(JwtKey.Algorithm.ES256);
        final JwtKey rsa = JwtKey.fromPem("r", "some text before\n" + TestKeys.pem(TestKeys.RSA2048.getPublic()) + "after");
        assertThat(rsa.algorithm()).isEqualTo(JwtKey.Algorithm.RS256);
        assertThat(rsa.kid()).isEqualTo("r");
        assertThat(JwtKey.hs256(null, TestTokens.SECRET).algorithm()).isEqualTo(JwtKey.Algorithm.HS256);
        assertThat(JwtKey.Algorithm.EDDSA.joseName()).isEqualTo("EdDSA");
    }

    @Test
    void crlfAndUnwrappedPemBodiesAreRead() {
        final String pem = TestKeys.pem(TestKeys.P256.getPublic()).replace("\n", "\r\n");
        assertThat(JwtKey.fromPem(null, pem).algorithm()).isEqualTo(JwtKey.Algorithm.ES256);
        final String oneLine = "-----BEGIN PUBLIC KEY-----"
            + Base64.getEncoder().encodeToString(TestKeys.ED25519.getPublic().getEncoded()) + "-----END PUBLIC KEY-----";
        assertThat(JwtKey.fromPem(null, oneLine).algorithm()).isEqualTo(JwtKey.Algorithm.EDDSA);
    }

    @Test
    void otherCurvesAndSmallRsaKeysAreRefused() {
        final KeyPair p384 = TestKeys.generate("EC", "secp384r1");
        assertThatThrownBy(() -> JwtKey.fromPem(null, TestKeys.pem(p384.getPublic())))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("P-256");
        assertThatThrownBy(() -> JwtKey.publicKey(null, TestKeys.generate("Ed448", null).getPublic()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Ed448");
        assertThatThrownBy(() -> JwtKey.fromPem(null, TestKeys.pem(TestKeys.rsa(1024).getPublic())))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1024 bits");
        assertThatThrownBy(() -> JwtKey.fromPem(null, TestKeys.pem(TestKeys.generate("X25519", null).getPublic())))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unsupported");
    }

    @Test
    void privateKeysPkcs1AndMalformedPemAreRefusedWithAClearReason() {
        assertThatThrownBy(() -> JwtKey.fromPem(null, TestKeys.pem("PRIVATE KEY", TestKeys.ED25519.getPrivate())))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PRIVATE key")
            .hasMessageNotContaining(Base64.getEncoder().encodeToString(TestKeys.ED25519.getPrivate().getEncoded()));
        assertThatThrownBy(() -> JwtKey.fromPem(null, "-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PKCS#1");
        assertThatThrownBy(() -> JwtKey.fromPem(null, "no pem here"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BEGIN PUBLIC KEY");
        final String pem = TestKeys.pem(TestKeys.P256.getPublic());
        assertThatThrownBy(() -> JwtKey.fromPem(null, pem + pem))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exactly one");
        assertThatThrownBy(() -> JwtKey.fromPem(null, "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("base64");
        assertThatThrownBy(() -> JwtKey.fromPem(null, "-----BEGIN PUBLIC KEY-----\nAAAABBBB\n-----END PUBLIC KEY-----"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("malformed");
        final String truncated = "-----BEGIN PUBLIC KEY-----\n" + Base64.getEncoder().encodeToString(
            java.util.Arrays.copyOf(TestKeys.P256.getPublic().getEncoded(), 40)) + "\n-----END PUBLIC KEY-----";
        assertThatThrownBy(() -> JwtKey.fromPem(null, truncated)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a b", "a,b", "a=b", "tab\t", "\u00e9"})
    void kidsMustBePrintableAsciiWithoutSeparators(final String kid) {
        assertThatThrownBy(() -> JwtKey.hs256(kid, TestTokens.SECRET)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("kid");
        assertThatThrownBy(() -> JwtKey.publicKey(kid, TestKeys.P256.getPublic()))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void longKidsAreRefusedAndToStringShowsNoKeyMaterial() {
        assertThatThrownBy(() -> JwtKey.hs256("k".repeat(JwtKey.MAX_KID_LENGTH + 1), TestTokens.SECRET))
            .isInstanceOf(IllegalArgumentException.class);
        assertThat(JwtKey.hs256("k".repeat(JwtKey.MAX_KID_LENGTH), TestTokens.SECRET).kid()).hasSize(256);
        assertThat(JwtKey.hs256("main", TestTokens.SECRET).toString()).isEqualTo("HS256(kid=main)");
        assertThat(JwtKey.publicKey(null, TestKeys.P256.getPublic()).toString()).isEqualTo("ES256");
        assertThatThrownBy(() -> JwtKey.hs256(null, new byte[31])).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("32");
    }
}
