package io.iris.engine.auth;

import static io.iris.engine.auth.TestTokens.NOW_MILLIS;
import static io.iris.engine.auth.TestTokens.claims;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iris.api.IrisConfig;
import io.iris.api.auth.AuthenticationException;
import io.iris.api.auth.Authenticator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code auth.jwt.publicKeys} and {@code auth.jwt.secretKid}: PEM files on disk, kids, and the errors. */
class JwtAuthenticatorProviderKeysTest {
    private static final String RAW = "a raw secret of at least thirty-two bytes!";

    @TempDir
    Path dir;
    private Path ed;
    private Path ec;
    private Path rsa;

    @BeforeEach
    void writeKeys() {
        ed = TestKeys.writePem(dir, "ed.pem", TestKeys.ED25519.getPublic());
        ec = TestKeys.writePem(dir, "ec.pem", TestKeys.P256.getPublic());
        rsa = TestKeys.writePem(dir, "rsa.pem", TestKeys.RSA2048.getPublic());
    }

    private static Authenticator create(final Map<String, String> config) {
        return new JwtAuthenticatorProvider().create(IrisConfig.of(config));
    }

    @Test
    void singleBarePathIsAKeyWithoutKid() throws Exception {
        final Authenticator auth = create(Map.of("auth.jwt.publicKeys", ed.toString()));
        assertThat(auth.authenticate(TestKeys.token("EdDSA", null, claims("alice"), TestKeys.ED25519.getPrivate()),
            NOW_MILLIS).userId()).isEqualTo("alice");
        assertRefused(auth, TestTokens.signed(TestTokens.HS256_HEADER, claims("alice"), TestTokens.SECRET), "unsupported alg");
    }

    @Test
    void severalKidPathEntriesAndASecretWithAKid() throws Exception {
        final Authenticator auth = create(Map.of(
            "auth.jwt.publicKeys", " ed = " + ed + " , ec=" + ec + ",rsa=" + rsa,
            "auth.jwt.secret", RAW, "auth.jwt.secretKid", "hmac"));
        assertThat(auth.authenticate(TestKeys.token("EdDSA", "ed", claims("a"), TestKeys.ED25519.getPrivate()), NOW_MILLIS)
            .userId()).isEqualTo("a");
        assertThat(auth.authenticate(TestKeys.token("ES256", "ec", claims("b"), TestKeys.P256.getPrivate()), NOW_MILLIS)
            .userId()).isEqualTo("b");
        assertThat(auth.authenticate(TestKeys.token("RS256", "rsa", claims("c"), TestKeys.RSA2048.getPrivate()), NOW_MILLIS)
            .userId()).isEqualTo("c");
        final IrisConfig config = IrisConfig.of(Map.of("auth.jwt.secret", RAW, "auth.jwt.secretKid", "hmac"));
        final Instant iat = Instant.ofEpochSecond(TestTokens.NOW_SECONDS);
        assertThat(auth.authenticate(JwtAuthenticatorProvider.minterFrom(config).mint("d", iat, iat.plusSeconds(60)),
            NOW_MILLIS).userId()).isEqualTo("d");
        assertRefused(auth, TestKeys.token("EdDSA", null, claims("a"), TestKeys.ED25519.getPrivate()), "missing kid");
        assertRefused(auth, TestKeys.token("EdDSA", "ec", claims("a"), TestKeys.ED25519.getPrivate()), "unsupported alg");
        assertRefused(auth, TestKeys.token("EdDSA", "nope", claims("a"), TestKeys.ED25519.getPrivate()), "unknown kid");
    }

    @Test
    void neitherSecretNorPublicKeysNamesBothKeys() {
        assertThatThrownBy(() -> create(Map.of()))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("auth.jwt.secret").hasMessageContaining("auth.jwt.publicKeys");
    }

    @Test
    void severalKeysNeedKids() {
        assertThatThrownBy(() -> create(Map.of("auth.jwt.publicKeys", ed.toString(), "auth.jwt.secret", RAW)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("auth.jwt.secretKid");
        assertThatThrownBy(() -> create(Map.of("auth.jwt.publicKeys", ed + ",ec=" + ec)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("auth.jwt.publicKeys")
            .hasMessageContaining("kid=path");
        assertThatThrownBy(() -> create(Map.of("auth.jwt.publicKeys", "a=" + ed + ",a=" + ec)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate kid 'a'");
        assertThatThrownBy(() -> create(Map.of("auth.jwt.publicKeys", "a=" + ed, "auth.jwt.secret", RAW,
                "auth.jwt.secretKid", "a")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate kid 'a'");
        assertThatThrownBy(() -> create(Map.of("auth.jwt.publicKeys", ed.toString(), "auth.jwt.secretKid", "h")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("auth.jwt.secretKid");
        assertThatThrownBy(() -> create(Map.of("auth.jwt.secret", RAW, "auth.jwt.secretKid", "bad kid")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("auth.jwt.secretKid")
            .hasMessageNotContaining(RAW);
    }

    @Test
    void unreadableMalformedOrUnsupportedKeyFilesNameTheKeyAndFile() throws Exception {
        final Path missing = dir.resolve("missing.pem");
        assertThatThrownBy(() -> create(Map.of("auth.jwt.publicKeys", "k=" + missing)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("auth.jwt.publicKeys").hasMessageContaining("'k'").hasMessageContaining("missing.pem");
        final Path garbage = Files.writeString(dir.resolve("garbage.pem"), "hello");
        assertThatThrownBy(() -> create(Map.of("auth.jwt.publicKeys", garbage.toString())))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("garbage.pem")
            .hasMessageContaining("BEGIN PUBLIC KEY");
        final Path p384 = TestKeys.writePem(dir, "p384.pem", TestKeys.generate("EC", "secp384r1").getPublic());
        assertThatThrownBy(() -> create(Map.of("auth.jwt.publicKeys", "big=" + p384)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'big'").hasMessageContaining("P-256");
        final Path priv = TestKeys.writePem(dir, "priv.pem", TestKeys.P256.getPrivate(), "PRIVATE KEY");
        assertThatThrownBy(() -> create(Map.of("auth.jwt.publicKeys", priv.toString())))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PRIVATE key");
        final Path huge = Files.writeString(dir.resolve("huge.pem"), "x".repeat(70_000));
        assertThatThrownBy(() -> create(Map.of("auth.jwt.publicKeys", huge.toString())))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("larger than");
        for (final String bad : new String[] {"=", "k=", "=" + ed, ",", "a=" + ed + ",,b=" + ec}) {
            assertThatThrownBy(() -> create(Map.of("auth.jwt.publicKeys", bad))).as(bad)
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("auth.jwt.publicKeys");
        }
    }

    private static void assertRefused(final Authenticator auth, final String token, final String reason) {
        assertThatThrownBy(() -> auth.authenticate(token, NOW_MILLIS))
            .isExactlyInstanceOf(AuthenticationException.class).hasMessage(reason);
    }
}
