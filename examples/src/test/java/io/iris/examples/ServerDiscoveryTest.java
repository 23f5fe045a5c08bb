package io.iris.examples;

import io.iris.api.IrisConfig;
import io.iris.api.discovery.Discovery;
import io.iris.api.discovery.Member;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The reference server's {@code discovery} keys: accepted, handed to the provider chosen by name, checked. */
class ServerDiscoveryTest {
    private static IrisConfig load(final String... args) {
        return ServerConfig.load(List.of(args), Map.of());
    }

    @Test
    void noDiscoveryByDefault() {
        assertThat(ServerDiscovery.open(load())).isNull();
    }

    @Test
    void theProviderNamedByTheKeyIsFoundAndOpened() {
        try (Discovery d = ServerDiscovery.open(load("--discovery=static",
            "--discovery.static.members=b@127.0.0.3:7802,a@127.0.0.2:7801", "--discovery.self=a@127.0.0.2:7801"))) {
            assertThat(d.members()).containsExactly(new Member("a", "127.0.0.2", 7801), new Member("b", "127.0.0.3", 7802));
        }
    }

    @Test
    void withARegistryTheMembershipSizeAndSourceFiguresAreCounted() {
        final io.iris.api.counters.IrisCounters counters = new io.iris.api.counters.IrisCounters(16);
        try (Discovery d = ServerDiscovery.open(load("--discovery=static",
            "--discovery.static.members=b@127.0.0.3:7802,a@127.0.0.2:7801", "--discovery.self=a@127.0.0.2:7801"),
            counters)) {
            assertThat(d.members()).hasSize(2);
            assertThat(counters.value("iris_discovery_members")).isEqualTo(2);
            assertThat(counters.value("iris_discovery_source_reachable")).isEqualTo(1);
            assertThat(counters.value("iris_discovery_source_errors_total")).isZero();
        }
        assertThat(ServerDiscovery.open(load(), counters)).isNull();
    }

    @Test
    void badDiscoveryKeysFailNamingTheKey() {
        assertThatThrownBy(() -> ServerDiscovery.open(load("--discovery=static", "--discovery.static.members=a@h:1",
            "--discovery.static.memebrs=b@h:2"))).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("discovery.static.memebrs");
        assertThatThrownBy(() -> ServerDiscovery.open(load("--discovery=static", "--discovery.static.members=a@h:1",
            "--discovery.etcd.prefix=/x/"))).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("discovery.etcd.prefix");
        assertThatThrownBy(() -> ServerDiscovery.open(load("--discovery.static.members=a@h:1")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("discovery.static.members");
        assertThatThrownBy(() -> ServerDiscovery.open(load("--discovery=zookeeper")))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("zookeeper")
            .hasMessageContaining("consul, dns, etcd, static");
    }

    @Test
    void theEnvironmentChoosesTheProviderToo() {
        assertThat(ServerConfig.load(List.of(), Map.of("IRIS_DISCOVERY", "dns")).getString("discovery", ""))
            .isEqualTo("dns");
    }
}
