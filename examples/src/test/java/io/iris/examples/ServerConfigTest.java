package io.iris.examples;

import io.iris.api.IrisConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerConfigTest {
    @Test
    void layersOverrideInOrderFileThenEnvironmentThenArguments(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("my.properties");
        Files.writeString(file, "server.port=1111\nengine.shards=3\nlimits.maxPayload=2000\n");
        final IrisConfig c = ServerConfig.load(List.of("--config", file.toString(), "--server.port=3333"),
            Map.of("IRIS_ENGINE_SHARDS", "4", "HOME", "/root"));
        assertThat(c.getString("server.port", null)).isEqualTo("3333");
        assertThat(c.getString("engine.shards", null)).isEqualTo("4");
        assertThat(c.getString("limits.maxPayload", null)).isEqualTo("2000");
        assertThat(c.getString("session.heartbeatMillis", null)).as("bundled default").isEqualTo("30000");
    }

    @Test
    void unknownKeysAndStrayArgumentsAreRefused() {
        assertThatThrownBy(() -> ServerConfig.load(List.of("--server.prot=1"), Map.of()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("server.prot")
            .hasMessageContaining("did you mean 'server.port'?");
        assertThatThrownBy(() -> ServerConfig.load(List.of("--auth.jwt.secrt=x"), Map.of()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("did you mean 'auth.jwt.secret'?");
        assertThatThrownBy(() -> ServerConfig.load(List.of("--verbose"), Map.of()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--verbose");
        assertThatThrownBy(() -> ServerConfig.load(List.of("--config"), Map.of()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("file name");
    }

    @Test
    void developmentSecretIsCreatedOnceAndReused(@TempDir final Path dir) {
        final IrisConfig loaded = ServerConfig.load(List.of("--dev.secretFile=" + dir.resolve("s")), Map.of());
        assertThat(ServerConfig.usesDevSecret(loaded)).isTrue();
        final String first = ServerConfig.withSecret(loaded).requireString("auth.jwt.secret");
        final String second = ServerConfig.withSecret(loaded).requireString("auth.jwt.secret");
        assertThat(first).startsWith("base64:").isEqualTo(second);
        final IrisConfig configured = ServerConfig.load(List.of("--auth.jwt.secret=abc"), Map.of());
        assertThat(ServerConfig.usesDevSecret(configured)).isFalse();
        assertThat(ServerConfig.withSecret(configured).requireString("auth.jwt.secret")).isEqualTo("abc");
    }

    @Test
    void durationsForTokenMinting() {
        assertThat(IrisMain.parseDuration("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(IrisMain.parseDuration("24h")).isEqualTo(Duration.ofHours(24));
        assertThat(IrisMain.parseDuration("7d")).isEqualTo(Duration.ofDays(7));
        assertThatThrownBy(() -> IrisMain.parseDuration("soon")).isInstanceOf(IllegalArgumentException.class);
    }
}
