package io.iris.examples;

import io.iris.testsupport.Await;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The reference server started with {@code discovery=static} logs the membership it sees. */
class ServerDiscoveryIntegrationTest {
    @Test
    void theServerLogsTheMembershipAtStart() throws Exception {
        try (ServerProcess server = ServerProcess.start(Map.of("storage", "memory", "discovery", "static",
            "discovery.static.members", "node2@127.0.0.3:7802,node1@127.0.0.2:7801",
            "discovery.self", "node1@127.0.0.2:7801"))) {
            Await.until(() -> server.output().contains(
                "discovery=static: 2 member(s): [node1@127.0.0.2:7801, node2@127.0.0.3:7802]"),
                "the membership in the server's log; output:\n" + server.output());
            assertThat(server.problemLines()).isEmpty();
        }
    }
}
