package io.iris.engine;

import io.iris.api.IrisConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Safe defaults and clean configuration errors of an embedded engine (issue 11). */
class ConfigurationEngineTest {
    private static final String SECRET = "configuration-test-secret-0123456789abcdef";
    private IrisEngine engine;

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    private static IrisConfig config(final Map<String, String> extra) {
        final Map<String, String> values = new HashMap<>(Map.of("server.port", "0", "auth.jwt.secret", SECRET));
        values.putAll(extra);
        return IrisConfig.of(values);
    }

    @Test
    void listensOnLoopbackUnlessConfigured() {
        engine = IrisEngine.builder().config(config(Map.of())).start();
        assertThat(engine.settings().host()).isEqualTo("127.0.0.1");
    }

    @Test
    void unknownKeyFailsStartNamingTheKeyAndTheClosestKnownOne() {
        assertThatThrownBy(() -> IrisEngine.builder().config(config(Map.of("storrage", "chronicle"))).start())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("unknown config key 'storrage'").hasMessageContaining("did you mean 'storage'?");
        assertThatThrownBy(() -> IrisEngine.builder().config(config(Map.of("auth.jwt.secrett", "x"))).start())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("'auth.jwt.secrett'").hasMessageContaining("did you mean 'auth.jwt.secret'?");
        assertThatThrownBy(() -> IrisEngine.builder().config(config(Map.of("server.prot", "7700"))).start())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("did you mean 'server.port'?");
        assertThatThrownBy(() -> IrisEngine.builder().config(config(Map.of("storage.retentionSecnds", "1"))).start())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("did you mean 'storage.retentionSeconds'?");
    }

    @Test
    void providerNamespacesAndDeclaredApplicationKeysPass() {
        engine = IrisEngine.builder().config(config(Map.of(
                "storage", "memory",
                "storage.redis.uri", "redis://127.0.0.1:1",          // another provider's key: not read
                "storage.chronicle.dir", "unused",
                "discovery.static.members", "127.0.0.1:7700",
                "discovery.refreshMillis", "1000",
                "myapp.feature", "on")))
            .applicationKeys(List.of("myapp.feature"))
            .start();
        assertThat(engine.settings().storage()).isEqualTo("memory");
        assertThatThrownBy(() -> IrisEngine.builder().config(config(Map.of("myapp.feature", "on"))).start())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'myapp.feature'");
    }

    @Test
    void readmeSnippetWithTheSecretVariableUnsetFailsNamingTheKey() {
        final String secret = null; // System.getenv("IRIS_JWT_SECRET") when the variable is not set
        assertThatThrownBy(() -> IrisEngine.builder()
                .config(IrisConfig.empty()
                    .with("server.port", "0")
                    .with("storage", "memory")
                    .with("auth", "jwt")
                    .with("auth.jwt.secret", secret))
                .start())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("auth.jwt.secret");
        assertThatThrownBy(() -> IrisEngine.builder()
                .config(IrisConfig.of(new HashMap<>(Map.of("server.port", "0"))))
                .start())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("auth.jwt.secret");
    }
}
