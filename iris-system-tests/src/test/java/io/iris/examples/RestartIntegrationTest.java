package io.iris.examples;

import io.iris.protocol.Presence;
import io.iris.protocol.SendReceipt;
import io.iris.protocol.SendStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The reference server (chronicle storage, child JVM) across a restart (issue 11): "/who bob" still knows
 * when bob was last seen, and a SEND to an id no token can carry is refused, on the wire, with
 * INVALID_RECIPIENT, before and after.
 */
class RestartIntegrationTest {
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(30);

    @TempDir
    Path work;

    @Test
    void lastSeenSurvivesARestartOfTheServer() throws Exception {
        final int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        final Map<String, String> config = Map.of("storage", "chronicle");
        final long seen;
        try (ServerProcess server = ServerProcess.startIn(work, port, config);
             TestClient alice = TestClient.of(server, "alice", "laptop").connect()) {
            try (TestClient bob = TestClient.of(server, "bob", "phone").connect()) {
                assertThat(alice.client.presence("bob").get(20, TimeUnit.SECONDS).online()).isTrue();
            }
            seen = awaitOffline(alice, "bob").lastSeenMillis();
            assertThat(seen).isPositive();
            final SendReceipt refused = alice.send("a\u0000b", "never stored");
            assertThat(refused.status()).isEqualTo(SendStatus.INVALID_RECIPIENT);
        }
        try (ServerProcess server = ServerProcess.startIn(work, port, config);
             TestClient alice = TestClient.of(server, "alice", "laptop").connect()) {
            final Presence bob = alice.client.presence("bob").get(20, TimeUnit.SECONDS);
            assertThat(bob.online()).isFalse();
            assertThat(bob.lastSeenMillis()).as("last seen after the restart").isEqualTo(seen);
            assertThat(server.problemLines()).isEmpty();
        }
    }

    private static Presence awaitOffline(final TestClient asker, final String user) throws Exception {
        final long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (true) {
            final Presence p = asker.client.presence(user).get(20, TimeUnit.SECONDS);
            if (!p.online()) {
                return p;
            }
            if (System.nanoTime() - deadline > 0) {
                fail(user + " still online after 30 s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
