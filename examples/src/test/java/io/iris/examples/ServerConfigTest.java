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
    void relativePathsResolveAgainstTheDistributionHomeWhenGiven(@TempDir final Path home) {
        final IrisConfig c = ServerConfig.load(List.of("--tls.trustFile=certs/ca.pem", "--tls.keyFile=/etc/k.pem",
            "--auth.jwt.publicKeys=a=keys/a.pem,b=/abs/b.pem"), Map.of(), home.toString());
        assertThat(c.getString("storage.chronicle.dir", "")).isEqualTo(home.resolve("data/chronicle").toString());
        assertThat(c.getString("dev.secretFile", "")).isEqualTo(home.resolve("data/dev-secret").toString());
        assertThat(c.getString("auth.jwt.revokedFile", "")).isEqualTo(home.resolve("data/revoked-tokens").toString());
        assertThat(c.getString("tls.devDir", "")).isEqualTo(home.resolve("data/tls").toString());
        assertThat(c.getString("tls.trustFile", "")).isEqualTo(home.resolve("certs/ca.pem").toString());
        assertThat(c.getString("tls.keyFile", "")).as("absolute paths stay").isEqualTo("/etc/k.pem");
        assertThat(c.getString("tls.certFile", "")).as("empty values stay empty").isEmpty();
        assertThat(c.getString("auth.jwt.publicKeys", ""))
            .isEqualTo("a=" + home.resolve("keys/a.pem") + ",b=/abs/b.pem");
        assertThat(ServerConfig.filesInUse(c, c)).contains("storage.chronicle.dir=" + home.resolve("data/chronicle"));
    }

    @Test
    void theHomesConfigFileIsReadBetweenTheDefaultsAndTheCommandLine(@TempDir final Path home) throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/iris.properties"), "server.port=7801\nengine.shards=3\n");
        final IrisConfig c = ServerConfig.load(List.of("--engine.shards=4"), Map.of(), home.toString());
        assertThat(c.getString("server.port", "")).isEqualTo("7801");
        assertThat(c.getString("engine.shards", "")).isEqualTo("4");
    }

    @Test
    void withoutAHomeRelativePathsStayForTheWorkingDirectory() {
        assertThat(ServerConfig.load(List.of(), Map.of(), null).getString("storage.chronicle.dir", ""))
            .isEqualTo("data/chronicle");
        assertThat(ServerConfig.load(List.of(), Map.of(), "").getString("dev.secretFile", ""))
            .isEqualTo("data/dev-secret");
    }

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
