package io.iris.engine.config;

import io.iris.api.IrisConfig;
import io.iris.engine.EngineSettings;
import io.iris.engine.KnownKeys;
import io.iris.engine.flow.FlowSettings;
import io.iris.engine.flow.Signal;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The key registry is the one source of defaults: the parsers that read its keys agree with it. */
class ConfigKeysTest {
    @Test
    void everyDefaultIsAcceptedByItsOwnGetter() {
        final IrisConfig empty = IrisConfig.empty();
        for (final ConfigKey key : ConfigKeys.all()) {
            switch (key.type()) {
                case INT -> assertThat((long) key.getInt(empty)).as(key.name()).isBetween(key.min(), key.max());
                case LONG -> assertThat(key.getLong(empty)).as(key.name())
                    .isEqualTo(IrisConfig.of(Map.of(key.name(), key.defaultValue())).getLong(key.name(), -1));
                case TEXT -> assertThat(key.getString(empty)).as(key.name()).isEqualTo(key.defaultValue());
                default -> throw new AssertionError(key.type());
            }
            assertThat(key.doc()).as(key.name() + " is documented").isNotBlank();
        }
    }

    @Test
    void boundsAreEnforcedWithTheKeyInTheMessage() {
        assertThatThrownBy(() -> ConfigKeys.SERVER_PORT.getInt(IrisConfig.of(Map.of("server.port", "65536"))))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("server.port");
        assertThat(ConfigKeys.SERVER_PORT.getInt(IrisConfig.of(Map.of("server.port", "7701")))).isEqualTo(7701);
    }

    @Test
    void theEngineSettingsOfAnEmptyConfigurationAreThoseOfTheRegistrysDefaults() {
        final EngineSettings implicit = EngineSettings.from(IrisConfig.empty());
        final EngineSettings explicit = EngineSettings.from(IrisConfig.of(defaults()));
        assertThat(withoutFlow(explicit)).isEqualTo(withoutFlow(implicit));
    }

    @Test
    void flowSettingsDefaultsAreTheRegistrys() {
        // FlowSettings parses the flow.* keys with defaults of its own: they must be the registry's
        assertThat(describe(FlowSettings.from(IrisConfig.of(defaults()))))
            .isEqualTo(describe(FlowSettings.from(IrisConfig.empty())));
        for (final Signal signal : Signal.values()) {
            assertThat(ConfigKeys.named(signal.key() + ".enter")).as(signal + " enter").isNotNull();
            assertThat(ConfigKeys.named(signal.key() + ".exit")).as(signal + " exit").isNotNull();
        }
    }

    @Test
    void knownKeysAreExactlyTheRegistrysKeys() {
        assertThat(KnownKeys.engineKeys())
            .containsExactlyInAnyOrderElementsOf(ConfigKeys.all().stream().map(ConfigKey::name).toList());
        assertThat(ConfigKeys.named("server.port")).isSameAs(ConfigKeys.SERVER_PORT);
        assertThat(ConfigKeys.named("no.such.key")).isNull();
    }

    private static Map<String, String> defaults() {
        final Map<String, String> map = new LinkedHashMap<>();
        ConfigKeys.all().forEach(k -> map.put(k.name(), k.defaultValue()));
        return map;
    }

    private static EngineSettings withoutFlow(final EngineSettings s) {
        return new EngineSettings(s.host(), s.port(), s.ioThreads(), s.maxConnections(), s.shards(), s.queueBytes(),
            s.maxBatch(), s.storage(), s.auth(), s.maxPayload(), s.ratePerSecond(), s.rateBurst(), null,
            s.storageRetryMillis(), s.loginTimeoutMillis(), s.heartbeatMillis(), s.deliveryWindow(),
            s.deliveryWindowBytes(), s.outboundHighWaterMark(), s.deliveryStallTimeoutMillis(), s.drainTimeoutMillis(),
            s.maxRevocations(), s.revokedFile(), s.revokedFilePollMillis(), s.addressLimits(), s.tls(),
            s.userCacheSize());
    }

    private static String describe(final FlowSettings f) {
        return List.of(f.highWaterFraction(), f.sampleIntervalMillis(), f.dwellMillis(), f.slowShedOneIn(),
            Arrays.toString(f.retryAfterMillis()), f.outboundBudgetBytes(), Arrays.deepToString(f.enter()),
            Arrays.deepToString(f.exit())).stream().map(String::valueOf).collect(Collectors.joining(" "));
    }
}
