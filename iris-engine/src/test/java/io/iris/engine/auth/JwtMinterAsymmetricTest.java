package io.iris.engine.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Minting with private keys and kids: round trips through the authenticator. */
class JwtMinterAsymmetricTest {
    private static final Instant IAT = Instant.ofEpochSecond(TestTokens.NOW_SECONDS);

    @Test
    void privateKeyMintersRoundTripForEachAlgorithm() throws Exception {
        for (final KeyPair pair : new KeyPair[] {TestKeys.ED25519, TestKeys.P256, TestKeys.RSA2048}) {
            final JwtMinter minter = JwtMinter.withPrivateKey("k1", pair.getPrivate(), "me", "iris");
            final JwtAuthenticator auth = JwtAuthenticator.builder().key(JwtKey.publicKey("k1", pair.getPublic()))
                .issuer("me").audience("iris").build();
            assertThat(minter.algorithm()).isEqualTo(JwtKey.publicKey(null, pair.getPublic()).algorithm());
            final String token = minter.mint("alice", IAT, IAT.plusSeconds(60));
            assertThat(decode(token.split("\\.")[0]))
                .isEqualTo("{\"alg\":\"" + minter.algorithm().joseName() + "\",\"typ\":\"JWT\",\"kid\":\"k1\"}");
            assertThat(auth.authenticate(token, IAT.toEpochMilli()).userId()).isEqualTo("alice");
            assertThat(auth.authenticate(token, IAT.toEpochMilli()).tokenId()).isNotEmpty();
        }
    }

    @Test
    void pemPrivateKeyMinterMatchesThePublicKey() throws Exception {
        final JwtMinter minter = JwtMinter.fromPrivateKeyPem(null, TestKeys.pem("PRIVATE KEY", TestKeys.P256.getPrivate()),
            null, null);
        final JwtAuthenticator auth = JwtAuthenticator.builder()
            .key(JwtKey.fromPem(null, TestKeys.pem(TestKeys.P256.getPublic()))).build();
        assertThat(auth.authenticate(minter.mint("bob", IAT, IAT.plusSeconds(60)), IAT.toEpochMilli()).userId())
            .isEqualTo("bob");
        assertThatThrownBy(() -> JwtMinter.fromPrivateKeyPem(null, TestKeys.pem(TestKeys.P256.getPublic()), null, null))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PRIVATE KEY");
    }

    @Test
    void hs256MinterWithKidIsSelectedByKid() throws Exception {
        final JwtAuthenticator auth = JwtAuthenticator.builder().key(JwtKey.hs256("h", TestTokens.SECRET))
            .key(JwtKey.publicKey("e", TestKeys.P256.getPublic())).build();
        final String token = JwtMinter.hs256("h", TestTokens.SECRET, null, null).mint("c", IAT, IAT.plusSeconds(60));
        assertThat(auth.authenticate(token, IAT.toEpochMilli()).userId()).isEqualTo("c");
        final String noKid = new JwtMinter(TestTokens.SECRET, null, null).mint("c", IAT, IAT.plusSeconds(60));
        assertThat(JwtAuthenticatorTest.refused(auth, noKid, IAT.toEpochMilli()).getMessage()).isEqualTo("missing kid");
    }

    @Test
    void unsupportedPrivateKeysAndKidsAreRefused() {
        assertThatThrownBy(() -> JwtMinter.withPrivateKey(null, TestKeys.generate("EC", "secp384r1").getPrivate(), null, null))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unsupported");
        assertThatThrownBy(() -> JwtMinter.withPrivateKey(null, TestKeys.rsa(1024).getPrivate(), null, null))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JwtMinter.withPrivateKey("a b", TestKeys.ED25519.getPrivate(), null, null))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kid");
        assertThat(JwtMinter.withPrivateKey("k", TestKeys.ED25519.getPrivate(), null, null).toString())
            .isEqualTo("JwtMinter[EdDSA, kid=k, issuer=null, audience=null]");
    }

    private static String decode(final String part) {
        return new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8);
    }
}
