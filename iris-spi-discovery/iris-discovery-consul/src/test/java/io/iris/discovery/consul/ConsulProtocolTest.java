package io.iris.discovery.consul;

import io.iris.api.IrisConfig;
import io.iris.api.discovery.Discovery;
import io.iris.api.discovery.Member;
import io.iris.testsupport.Await;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Consul API rules the provider follows: ACL token, blocking queries, index reset. */
class ConsulProtocolTest {
    private static final Member N1 = new Member("n1", "127.0.0.2", 7801);
    private static final Member N2 = new Member("n2", "127.0.0.3", 7802);

    @Test
    void aWrongTokenFailsStartUpNamingTheTokenKey() throws Exception {
        try (ConsulStandIn consul = new ConsulStandIn("right-token")) {
            consul.setInstances("iris", List.of(N1));
            assertThatThrownBy(() -> new ConsulDiscoveryProvider().create(IrisConfig.of(Map.of(
                ConsulDiscoveryProvider.KEY_URL, consul.url(), ConsulDiscoveryProvider.KEY_SERVICE, "iris",
                ConsulDiscoveryProvider.KEY_TOKEN, "wrong-token", ConsulDiscoveryProvider.KEY_START_TIMEOUT, "1000"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("403").hasMessageContaining(ConsulDiscoveryProvider.KEY_TOKEN);
        }
    }

    @Test
    void watchesWithBlockingQueriesAndResetsAnIndexThatWentBackwards() throws Exception {
        try (ConsulStandIn consul = new ConsulStandIn(null)) {
            consul.setInstances("iris", List.of(N1));
            try (Discovery discovery = new ConsulDiscoveryProvider().create(IrisConfig.of(Map.of(
                ConsulDiscoveryProvider.KEY_URL, consul.url(), ConsulDiscoveryProvider.KEY_SERVICE, "iris",
                ConsulDiscoveryProvider.KEY_WAIT, "2")))) {
                assertThat(discovery.members()).containsExactly(N1);
                Await.until(() -> consul.healthQueries().stream().anyMatch(q -> q.contains("index=11")
                    && q.contains("wait=2s") && q.contains("passing")), "a blocking query at the answered index");

                consul.setInstances("iris", List.of(N1, N2));
                Await.until(() -> discovery.members().equals(List.of(N1, N2)), "n2, told by the blocked query");

                final int before = consul.healthQueries().size();
                // a blocked query answers when its wait ends, with the lower index: the provider must start over
                consul.rewindIndex(3);
                Await.until(() -> consul.healthQueries().stream().skip(before).anyMatch(q -> !q.contains("index=")),
                    "a query without index after the index went backwards");
                consul.setInstances("iris", List.of(N2));
                Await.until(() -> discovery.members().equals(List.of(N2)), "n1 removed after the reset");
            }
        }
    }

    @Test
    void aNodeTheAgentForgotRegistersAgain() throws Exception {
        try (ConsulStandIn consul = new ConsulStandIn(null)) {
            consul.setInstances("iris", List.of(N1));
            final Member self = new Member("n7", "127.0.0.8", 7807);
            try (Discovery discovery = new ConsulDiscoveryProvider().create(IrisConfig.of(Map.of(
                ConsulDiscoveryProvider.KEY_URL, consul.url(), ConsulDiscoveryProvider.KEY_SERVICE, "iris",
                ConsulDiscoveryProvider.KEY_TTL, "1000", "discovery.self", self.toString())))) {
                Await.until(() -> discovery.members().equals(List.of(N1, self)), "n7 registered and passing");
                assertThat(consul.registrations()).isEqualTo(1);
                consul.forget("n7");
                Await.until(() -> consul.registrations() == 2 && discovery.members().equals(List.of(N1, self)),
                    "n7 registered again after the agent answered 404 to its check");
            }
        }
    }
}
