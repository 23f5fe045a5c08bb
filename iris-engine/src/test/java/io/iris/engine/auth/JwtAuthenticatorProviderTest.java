package io.iris.engine.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iris.protocol.ErrorCode;
import io.iris.api.IrisConfig;
import io.iris.api.auth.AuthenticationException;
import io.iris.api.auth.Authenticator;
import io.iris.api.auth.AuthenticatorProvider;
import io.iris.api.spi.Providers;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JwtAuthenticatorProviderTest {
    private static final String RAW = "a raw secret of at least thirty-two bytes!";
    private static final Instant IAT = Instant.ofEpochSecond(TestTokens.NOW_SECONDS);

    @Test
    void isFoundByNameThroughServiceLoader() {
        final AuthenticatorProvider provider = Providers.load(AuthenticatorProvider.class, "jwt");
        assertThat(provider).isInstanceOf(JwtAuthenticatorProvider.class);
        assertThat(provider.name()).isEqualTo("jwt");
        assertThat(provider.create(IrisConfig.of(Map.of("auth.jwt.secret", RAW)))).isInstanceOf(JwtAuthenticator.class);
    }

    @Test
    void unknownNameListsJwt() {
        assertThatThrownBy(() -> Providers.load(AuthenticatorProvider.class, "oauth"))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("'oauth'")
            .hasMessageContaining("jwt");
    }

    @Test
    void rawSecretIsItsUtf8Bytes() throws Exception {
        final String raw = "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"; // 32 bytes
        final IrisConfig config = IrisConfig.of(Map.of("auth.jwt.secret", raw));
        assertThat(JwtAuthenticatorProvider.secretFrom(config)).isEqualTo(raw.getBytes(StandardCharsets.UTF_8));
        final String token = TestTokens.signed(TestTokens.HS256_HEADER, TestTokens.claims("alice"),
            raw.getBytes(StandardCharsets.UTF_8));
        assertThat(new JwtAuthenticatorProvider().create(config).authenticate(token, TestTokens.NOW_MILLIS).userId())
            .isEqualTo("alice");
    }

    @Test
    void base64PrefixedSecretIsDecoded() throws Exception {
        final byte[] bytes = new byte[48];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 37 + 250);
        }
        final IrisConfig config = IrisConfig.of(Map.of("auth.jwt.secret", "base64:" + Base64.getEncoder().encodeToString(bytes)));
        assertThat(JwtAuthenticatorProvider.secretFrom(config)).isEqualTo(bytes);
        final String token = TestTokens.signed(TestTokens.HS256_HEADER, TestTokens.claims("bob"), bytes);
        assertThat(new JwtAuthenticatorProvider().create(config).authenticate(token, TestTokens.NOW_MILLIS).userId())
            .isEqualTo("bob");
    }

    @Test
    void badSecretsNameTheKeyAndNeverEchoTheSecret() {
        final JwtAuthenticatorProvider provider = new JwtAuthenticatorProvider();
        assertThatThrownBy(() -> provider.create(IrisConfig.empty()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("auth.jwt.secret");
        assertThatThrownBy(() -> provider.create(IrisConfig.of(Map.of("auth.jwt.secret", ""))))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("auth.jwt.secret");
        assertThatThrownBy(() -> provider.create(IrisConfig.of(Map.of("auth.jwt.secret", "short-secret-xyz"))))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("auth.jwt.secret").hasMessageContaining("32").hasMessageNotContaining("short-secret-xyz");
        assertThatThrownBy(() -> provider.create(IrisConfig.of(Map.of("auth.jwt.secret", "base64:c2hvcnQ="))))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("auth.jwt.secret").hasMessageContaining("32");
        assertThatThrownBy(() -> provider.create(IrisConfig.of(Map.of("auth.jwt.secret", "base64:not*base64-at-all-#########"))))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("auth.jwt.secret").hasMessageNotContaining("not*base64")
            .hasNoCause();
    }

    @Test
    void readsIssuerAudienceAndLeeway() throws Exception {
        final IrisConfig config = IrisConfig.of(Map.of(
            "auth.jwt.secret", RAW, "auth.jwt.issuer", "me", "auth.jwt.audience", "iris", "auth.jwt.leewaySeconds", "120"));
        final Authenticator auth = new JwtAuthenticatorProvider().create(config);
        final byte[] secret = RAW.getBytes(StandardCharsets.UTF_8);
        final String good = new JwtMinter(secret, "me", "iris").mint("a", IAT, IAT.plusSeconds(60));
        assertThat(auth.authenticate(good, IAT.toEpochMilli() + 179_000).userId()).isEqualTo("a"); // 60 s + 119 s leeway
        assertThatThrownBy(() -> auth.authenticate(good, IAT.toEpochMilli() + 181_000))
            .extracting(e -> ((AuthenticationException) e).code()).isEqualTo(ErrorCode.TOKEN_EXPIRED);
        final String otherIssuer = new JwtMinter(secret, "them", "iris").mint("a", IAT, IAT.plusSeconds(60));
        assertThatThrownBy(() -> auth.authenticate(otherIssuer, IAT.toEpochMilli()))
            .extracting(e -> ((AuthenticationException) e).code()).isEqualTo(ErrorCode.AUTH_FAILED);
        final String otherAudience = new JwtMinter(secret, "me", "web").mint("a", IAT, IAT.plusSeconds(60));
        assertThatThrownBy(() -> auth.authenticate(otherAudience, IAT.toEpochMilli()))
            .extracting(e -> ((AuthenticationException) e).code()).isEqualTo(ErrorCode.AUTH_FAILED);
    }

    @Test
    void defaultLeewayIs30SecondsAndEmptyOptionalKeysAreUnset() throws Exception {
        final IrisConfig config = IrisConfig.of(Map.of("auth.jwt.secret", RAW, "auth.jwt.issuer", "", "auth.jwt.audience", " "));
        final Authenticator auth = new JwtAuthenticatorProvider().create(config);
        final String token = new JwtMinter(RAW.getBytes(StandardCharsets.UTF_8), null, null).mint("a", IAT, IAT.plusSeconds(60));
        assertThat(auth.authenticate(token, IAT.toEpochMilli() + 90_000).userId()).isEqualTo("a");
        assertThatThrownBy(() -> auth.authenticate(token, IAT.toEpochMilli() + 90_001))
            .extracting(e -> ((AuthenticationException) e).code()).isEqualTo(ErrorCode.TOKEN_EXPIRED);
    }

    @Test
    void badLeewayNamesTheKey() {
        for (final String bad : new String[] {"-1", "3601", "soon"}) {
            assertThatThrownBy(() -> new JwtAuthenticatorProvider().create(
                IrisConfig.of(Map.of("auth.jwt.secret", RAW, "auth.jwt.leewaySeconds", bad))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("auth.jwt.leewaySeconds");
        }
    }

    @Test
    void minterFromConfigMintsTokensTheConfiguredAuthenticatorAccepts() throws Exception {
        final IrisConfig config = IrisConfig.of(Map.of(
            "auth.jwt.secret", "base64:" + Base64.getEncoder().encodeToString(RAW.getBytes(StandardCharsets.UTF_8)),
            "auth.jwt.issuer", "me", "auth.jwt.audience", "iris"));
        final String token = JwtAuthenticatorProvider.minterFrom(config).mint("zoe", IAT, IAT.plusSeconds(60));
        assertThat(new JwtAuthenticatorProvider().create(config).authenticate(token, IAT.toEpochMilli()).userId())
            .isEqualTo("zoe");
    }
}
