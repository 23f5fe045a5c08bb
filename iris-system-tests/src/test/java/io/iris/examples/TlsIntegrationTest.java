package io.iris.examples;

import io.iris.protocol.ErrorCode;
import io.iris.protocol.SendStatus;
import io.iris.client.IrisClientException;
import io.iris.transport.protocol.FrameDecoder;
import io.iris.protocol.Protocol;
import io.iris.transport.tls.DevCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The reference server in TLS development mode (a child JVM) with SDK clients: messaging over TLS,
 * and the clean failures of wrong trust, plaintext clients on the TLS port and TLS clients on a
 * plaintext port.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class TlsIntegrationTest {
    private static ServerProcess server;
    private static Path ca;

    @BeforeAll
    static void startServer() throws Exception {
        server = ServerProcess.start(Map.of("tls.enabled", "true"));
        ca = server.dir().resolve("data/tls").resolve(DevCertificates.CA_FILE);
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void devModeGeneratesTheCaAndWarnsLoudly() {
        assertThat(ca).exists();
        assertThat(server.dir().resolve("data/tls/server.pem")).exists();
        assertThat(server.dir().resolve("data/tls/server-key.pem")).exists();
        assertThat(server.output()).contains("WARNING: TLS uses DEVELOPMENT certificates").contains("ca.pem")
            .contains("--tls --ca=");
    }

    @Test
    void sendDeliverOfflineAndReconnectOverTls() throws Exception {
        try (TestClient alice = TestClient.overTls(server, "alice-tls", "phone", ca).connect()) {
            assertThat(alice.send("bob-tls", "hello over TLS").status()).isEqualTo(SendStatus.STORED);
            long cursor;
            try (TestClient bob = TestClient.overTls(server, "bob-tls", "laptop", ca).connect()) {
                assertThat(bob.take(1)).containsExactly("alice-tls:hello over TLS");
                final String big = "x".repeat(40_000); // several TLS records
                assertThat(alice.send("bob-tls", big).status()).isEqualTo(SendStatus.STORED);
                assertThat(bob.take(1)).containsExactly("alice-tls:" + big);
                cursor = bob.awaitCursor(2); // "hello" is seq 1, the big one 2
            }
            // bob offline: stored, delivered when he reconnects
            assertThat(alice.send("bob-tls", "while you were away").status()).isEqualTo(SendStatus.STORED);
            try (TestClient bob = TestClient.overTls(server, "bob-tls", "laptop", ca, cursor).connect()) {
                assertThat(bob.take(1)).containsExactly("alice-tls:while you were away");
            }
        }
    }

    @Test
    void clientTrustingAnotherCaStopsWithACertificateError(@TempDir final Path tmp) throws Exception {
        final Path otherCa = DevCertificates.ensure(tmp, List.of()).ca();
        try (TestClient c = TestClient.overTls(server, "carol-tls", "phone", otherCa)) {
            assertThatThrownBy(() -> c.client.connect().get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(IrisClientException.class)
                .hasMessageContaining("server certificate refused");
            assertThat(c.client.isClosed()).as("a trust failure is not retried").isTrue();
        }
    }

    @Test
    void plaintextClientOnTheTlsPortGetsTlsRequired() throws Exception {
        try (TestClient c = TestClient.of(server, "dave-tls", "phone")) {
            assertThatThrownBy(() -> c.client.connect().get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(IrisClientException.class)
                .satisfies(e -> assertThat(((IrisClientException) e).code()).isEqualTo(ErrorCode.TLS_REQUIRED));
        }
        try (RawConnection raw = new RawConnection(server.port(), 0)) {
            raw.write(new byte[] {0, 0, 0, 9, Protocol.PING, 0, 0, 0, 0, 0, 0, 0, 1});
            final FrameDecoder d = raw.readFrame();
            assertThat(d).isNotNull();
            assertThat(d.type()).isEqualTo(Protocol.ERROR);
            assertThat(ErrorCode.fromCode(d.code())).isEqualTo(ErrorCode.TLS_REQUIRED);
            assertThat(d.text()).isEqualTo("this port requires TLS");
            assertThat(raw.readFrame()).as("closed after the error").isNull();
        }
    }

    @Test
    void tlsClientOnAPlaintextPortFailsCleanly() throws Exception {
        try (ServerProcess plain = ServerProcess.start(Map.of());
             TestClient c = TestClient.overTls(plain, "erin-tls", "phone", ca)) {
            assertThatThrownBy(() -> c.client.connect().get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(IrisClientException.class)
                .hasMessageContaining("did not answer with TLS");
            assertThat(Files.exists(plain.dir().resolve("data/tls"))).as("no certificates without tls.enabled").isFalse();
        }
    }
}
