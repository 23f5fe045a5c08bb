package io.iris.engine;

import io.iris.api.IrisConfig;
import io.iris.client.IrisClient;
import io.iris.engine.auth.JwtMinter;
import io.iris.transport.tls.DevCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The engine's tls.* keys: an embedded engine serving TLS with client certificates, and clear config errors. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsEngineTest {
    private static final String SECRET = "engine-test-secret-0123456789abcdefghij";
    private final JwtMinter minter = new JwtMinter(SECRET.getBytes(StandardCharsets.UTF_8), null, null);
    private IrisEngine engine;

    @TempDir
    Path dir;

    private static Map<String, String> base() {
        return new HashMap<>(Map.of("server.host", "127.0.0.1", "server.port", "0", "auth.jwt.secret", SECRET));
    }

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void mutualTlsEngineDeliversBetweenClientsWithTrustedCertificates() throws Exception {
        final DevCertificates.Bundle server = DevCertificates.ensure(dir.resolve("server"), List.of());
        final DevCertificates.Authority clientCa = DevCertificates.Authority.create("clients");
        final Path clientCaFile = java.nio.file.Files.writeString(dir.resolve("client-ca.pem"),
            clientCa.certificate().certificatePem());
        final DevCertificates.Issued node = clientCa.issueClient("node-1");
        final Path cert = java.nio.file.Files.writeString(dir.resolve("node.pem"), node.certificatePem());
        final Path key = java.nio.file.Files.writeString(dir.resolve("node-key.pem"), node.keyPem());
        final Map<String, String> config = base();
        config.putAll(Map.of("tls.enabled", "true", "tls.certFile", server.serverChain().toString(),
            "tls.keyFile", server.serverKey().toString(), "tls.clientAuth", "need",
            "tls.trustFile", clientCaFile.toString()));
        engine = IrisEngine.builder().config(IrisConfig.of(config)).start();
        assertThat(engine.settings().tls().enabled()).isTrue();

        final BlockingQueue<IrisClient.Delivery> inbox = new LinkedBlockingQueue<>();
        try (IrisClient bob = IrisClient.builder().address("localhost", engine.port()).tls(server.ca(), cert, key)
                 .token(minter.mint("bob", Duration.ofHours(1))).deviceId("d").listener(inbox::add).build();
             IrisClient alice = IrisClient.builder().address("127.0.0.1", engine.port()).tls(server.ca(), cert, key)
                 .token(minter.mint("alice", Duration.ofHours(1))).deviceId("d").listener(d -> { }).build()) {
            bob.connect().get(30, TimeUnit.SECONDS);
            alice.connect().get(30, TimeUnit.SECONDS);
            alice.send("bob", "over mTLS".getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
            final IrisClient.Delivery d = inbox.poll(30, TimeUnit.SECONDS);
            assertThat(d).isNotNull();
            assertThat(new String(d.payload(), StandardCharsets.UTF_8)).isEqualTo("over mTLS");
        }
        // no client certificate: refused by the server, not retried into success
        try (IrisClient anonymous = IrisClient.builder().address("127.0.0.1", engine.port()).tls(server.ca())
                 .reconnect(false).token(minter.mint("eve", Duration.ofHours(1))).deviceId("d").listener(d -> { })
                 .build()) {
            assertThatThrownBy(() -> anonymous.connect().get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(
                io.iris.client.IrisClientException.class);
        }
    }

    @Test
    void badTlsSettingsFailWithTheKeyNamed() {
        final DevCertificates.Bundle files = DevCertificates.ensure(dir, List.of());
        final Map<String, String> noFiles = base();
        noFiles.put("tls.enabled", "true");
        assertThatThrownBy(() -> IrisEngine.builder().config(IrisConfig.of(noFiles)).start())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tls.certFile");

        final Map<String, String> badAuth = base();
        badAuth.put("tls.clientAuth", "sometimes");
        assertThatThrownBy(() -> EngineSettings.from(IrisConfig.of(badAuth)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tls.clientAuth");

        final Map<String, String> badFlag = base();
        badFlag.put("tls.enabled", "yes");
        assertThatThrownBy(() -> EngineSettings.from(IrisConfig.of(badFlag)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tls.enabled");

        final Map<String, String> needWithoutTrust = base();
        needWithoutTrust.putAll(Map.of("tls.enabled", "true", "tls.certFile", files.serverChain().toString(),
            "tls.keyFile", files.serverKey().toString(), "tls.clientAuth", "need"));
        assertThatThrownBy(() -> IrisEngine.builder().config(IrisConfig.of(needWithoutTrust)).start())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tls.trustFile");

        final Map<String, String> swapped = base();
        swapped.putAll(Map.of("tls.enabled", "true", "tls.certFile", files.serverKey().toString(),
            "tls.keyFile", files.serverChain().toString()));
        assertThatThrownBy(() -> IrisEngine.builder().config(IrisConfig.of(swapped)).start())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tls.certFile=" + files.serverKey())
            .hasMessageContaining("no CERTIFICATE");
    }
}
