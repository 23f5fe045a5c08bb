package io.iris.examples;

import io.iris.api.IrisConfig;
import io.iris.engine.auth.RevocationFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code revoke-token} command and the auth keys of the reference server's configuration. */
class RevokeTokenCommandTest {
    @Test
    void revokeTokenAddsTheEntryToTheConfiguredFile(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("revoked");
        IrisMain.revokeToken(new ArrayList<>(List.of("jti-1", "--expires=2030-01-01T00:00:00Z",
            "--auth.jwt.revokedFile=" + file)));
        IrisMain.revokeToken(new ArrayList<>(List.of("jti-2", "--auth.jwt.revokedFile=" + file, "--expires=1900000000")));
        assertThat(new RevocationFile(file).readIfChanged()).containsExactly(
            new RevocationFile.Entry("jti-1", Instant.parse("2030-01-01T00:00:00Z").getEpochSecond()),
            new RevocationFile.Entry("jti-2", 1_900_000_000L));
        assertThatThrownBy(() -> IrisMain.revokeToken(new ArrayList<>(List.of("--expires=1"))))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token id");
        assertThatThrownBy(() -> IrisMain.revokeToken(new ArrayList<>(List.of("a b", "--auth.jwt.revokedFile=" + file))))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whitespace");
        assertThatThrownBy(() -> IrisMain.revokeToken(new ArrayList<>(List.of("x", "--auth.jwt.revokedFile="))))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("auth.jwt.revokedFile");
    }

    @Test
    void expiriesAreEpochSecondsIsoInstantsOrDurationsFromNow() {
        assertThat(IrisMain.parseInstant("1900000000")).isEqualTo(Instant.ofEpochSecond(1_900_000_000L));
        assertThat(IrisMain.parseInstant("2030-01-01T00:00:00Z")).isEqualTo(Instant.parse("2030-01-01T00:00:00Z"));
        final Instant week = IrisMain.parseInstant("7d");
        assertThat(week).isBetween(Instant.now().plus(Duration.ofDays(7)).minusSeconds(60),
            Instant.now().plus(Duration.ofDays(7)));
        for (final String bad : new String[] {"", "soon", "2030-13-01T00:00:00Z", "99999999999999999999", "99999999999999999"}) {
            assertThatThrownBy(() -> IrisMain.parseInstant(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void publicKeysAreKnownKeysAndNeedNoDevelopmentSecret(@TempDir final Path dir) {
        final IrisConfig loaded = ServerConfig.load(List.of("--auth.jwt.publicKeys=k=" + dir.resolve("k.pem"),
            "--auth.jwt.secretKid=h", "--dev.secretFile=" + dir.resolve("dev-secret")), Map.of());
        assertThat(ServerConfig.usesDevSecret(loaded)).isFalse();
        assertThat(ServerConfig.withSecret(loaded).has("auth.jwt.secret")).isFalse();
        assertThat(Files.exists(dir.resolve("dev-secret"))).isFalse();
        assertThat(ServerConfig.load(List.of(), Map.of("IRIS_AUTH_JWT_PUBLICKEYS", "a.pem")).getString("auth.jwt.publicKeys", ""))
            .isEqualTo("a.pem");
        assertThat(ServerConfig.load(List.of(), Map.of()).getString("auth.jwt.revokedFile", "")).isEqualTo("data/revoked-tokens");
    }
}
