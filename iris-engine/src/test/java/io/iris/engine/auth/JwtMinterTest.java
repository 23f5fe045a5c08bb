package io.iris.engine.auth;

import static io.iris.engine.auth.TestTokens.OTHER_SECRET;
import static io.iris.engine.auth.TestTokens.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iris.protocol.ErrorCode;
import io.iris.api.auth.AuthenticationException;
import io.iris.api.auth.Principal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class JwtMinterTest {
    private static final Instant IAT = Instant.ofEpochSecond(TestTokens.NOW_SECONDS);

    @Test
    void mintedTokenRoundTripsThroughTheAuthenticator() throws Exception {
        final JwtMinter minter = new JwtMinter(SECRET, null, null);
        final JwtAuthenticator auth = JwtAuthenticator.builder().hs256Secret(SECRET).build();
        final String token = minter.mint("alice", IAT, IAT.plusSeconds(3600));
        final Principal minted = auth.authenticate(token, IAT.toEpochMilli());
        assertThat(minted.tokenId()).matches("[A-Za-z0-9_-]{22}"); // the random jti
        assertThat(minted)
            .isEqualTo(new Principal("alice", IAT.plusSeconds(3600 + 30).toEpochMilli(), minted.tokenId())); // exp + default leeway
        final String now = minter.mint("bob", Duration.ofMinutes(5));
        final Principal p = auth.authenticate(now, System.currentTimeMillis());
        assertThat(p.userId()).isEqualTo("bob");
        assertThat(p.expiresAtMillis()).isBetween(System.currentTimeMillis() + 310_000, System.currentTimeMillis() + 330_000);
    }

    @Test
    void producesTheDocumentedHeaderAndClaimsSignedWithPlainHmac() {
        final String token = new JwtMinter(SECRET, "https://id.example", "iris")
            .mint("caf\u00e9 \"q\" \\", IAT, IAT.plusMillis(90_999));
        final String[] parts = token.split("\\.");
        assertThat(parts).hasSize(3);
        assertThat(decode(parts[0])).isEqualTo("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
        assertThat(decode(parts[1])).startsWith("{\"sub\":\"caf\u00e9 \\\"q\\\" \\\\\",\"iat\":1700000000,\"exp\":1700000090,"
            + "\"iss\":\"https://id.example\",\"aud\":\"iris\",\"jti\":\"");
        assertThat(parts[2]).isEqualTo(TestTokens.b64(TestTokens.hmac(SECRET, parts[0] + "." + parts[1])));
        assertThat(token).doesNotContain("=").doesNotContain("+").doesNotContain("/");
    }

    @Test
    void jtiIsRandomPerToken() {
        final JwtMinter minter = new JwtMinter(SECRET, null, null);
        final String a = minter.mint("alice", IAT, IAT.plusSeconds(60));
        final String b = minter.mint("alice", IAT, IAT.plusSeconds(60));
        assertThat(a).isNotEqualTo(b);
        assertThat(decode(a.split("\\.")[1])).matches(".*\"jti\":\"[A-Za-z0-9_-]{22}\"}");
    }

    @Test
    void issuerAndAudienceMustMatchTheAuthenticator() throws Exception {
        final JwtAuthenticator auth = JwtAuthenticator.builder().hs256Secret(SECRET).issuer("me").audience("iris").build();
        final long now = IAT.toEpochMilli();
        assertThat(auth.authenticate(new JwtMinter(SECRET, "me", "iris").mint("a", IAT, IAT.plusSeconds(60)), now)
            .userId()).isEqualTo("a");
        assertCode(auth, new JwtMinter(SECRET, "you", "iris").mint("a", IAT, IAT.plusSeconds(60)), now, ErrorCode.AUTH_FAILED);
        assertCode(auth, new JwtMinter(SECRET, "me", null).mint("a", IAT, IAT.plusSeconds(60)), now, ErrorCode.AUTH_FAILED);
        assertCode(auth, new JwtMinter(OTHER_SECRET, "me", "iris").mint("a", IAT, IAT.plusSeconds(60)), now,
            ErrorCode.AUTH_FAILED);
        assertCode(auth, new JwtMinter(SECRET, "me", "iris").mint("a", IAT, IAT.plusSeconds(60)), now + 91_000,
            ErrorCode.TOKEN_EXPIRED);
    }

    @Test
    void refusesWhatTheAuthenticatorWouldRefuse() {
        final JwtMinter minter = new JwtMinter(SECRET, null, null);
        assertThatThrownBy(() -> new JwtMinter(new byte[16], null, null))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 32 bytes");
        assertThatThrownBy(() -> new JwtMinter(SECRET, "", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new JwtMinter(SECRET, null, "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> minter.mint("", Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> minter.mint(null, Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> minter.mint("u".repeat(65), Duration.ofMinutes(1)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("64");
        assertThatThrownBy(() -> minter.mint("a\nb", Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> minter.mint("a\uD800", Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> minter.mint("a", Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> minter.mint("a", Duration.ofSeconds(-5))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> minter.mint("a", IAT, IAT)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> minter.mint("a", Instant.ofEpochSecond(-10), IAT)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void copiesTheSecret() throws Exception {
        final byte[] secret = SECRET.clone();
        final JwtMinter minter = new JwtMinter(secret, null, null);
        java.util.Arrays.fill(secret, (byte) 0);
        final String token = minter.mint("a", IAT, IAT.plusSeconds(60));
        assertThat(JwtAuthenticator.builder().hs256Secret(SECRET).build().authenticate(token, IAT.toEpochMilli()).userId())
            .isEqualTo("a");
    }

    private static void assertCode(final JwtAuthenticator auth, final String token, final long now, final ErrorCode code) {
        assertThatThrownBy(() -> auth.authenticate(token, now))
            .isExactlyInstanceOf(AuthenticationException.class)
            .extracting(e -> ((AuthenticationException) e).code()).isEqualTo(code);
    }

    private static String decode(final String part) {
        return new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8);
    }
}
