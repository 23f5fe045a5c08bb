package io.iris.benchmarks.load;

import io.iris.testsupport.Await;
import io.iris.api.IrisConfig;
import io.iris.engine.IrisEngine;
import io.iris.transport.tls.DevCertificates;
import io.iris.transport.tls.Pem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The generator's TLS driver ({@link WireLoop#useTls}) against a real engine with {@code tls.enabled=true}. */
class WireLoopTlsTest {
    private static final int CONNECTIONS = 12;

    @TempDir
    Path dir;

    private IrisEngine engine;
    private WireLoop loop;

    @AfterEach
    void tearDown() throws Exception {
        if (loop != null) {
            loop.stop();
            loop.join(10_000);
        }
        if (engine != null) {
            engine.close();
        }
    }

    private DevCertificates.Bundle startTlsEngine() {
        final DevCertificates.Bundle dev = DevCertificates.ensure(dir.resolve("server"), List.of());
        engine = IrisEngine.builder().config(IrisConfig.of(Map.of(
            "server.host", "127.0.0.1", "server.port", "0", "auth.jwt.secret", Tokens.DEFAULT_SECRET,
            "tls.enabled", "true", "tls.certFile", dev.serverChain().toString(),
            "tls.keyFile", dev.serverKey().toString()))).start();
        return dev;
    }

    private ConnectionsScenario.IdleLoop loop(final Path ca) throws Exception {
        final ConnectionsScenario.IdleLoop l = new ConnectionsScenario.IdleLoop(
            new InetSocketAddress("127.0.0.1", engine.port()), 4);
        l.useTls(Pem.clientContext(ca, null, null));
        final Tokens tokens = new Tokens(Tokens.DEFAULT_SECRET);
        for (int i = 0; i < CONNECTIONS; i++) {
            l.add(new WireConnection(i, "u" + i, tokens.loginFrame("u" + i, "d1"), "127.0.0.1", 2048, 512));
        }
        loop = l;
        return l;
    }

    @Test
    void connectionsLogInOverTls13AndAnswerPings() throws Exception {
        final DevCertificates.Bundle dev = startTlsEngine();
        final ConnectionsScenario.IdleLoop l = loop(dev.ca());
        l.start();
        Await.until(() -> l.loggedIn + l.failed >= CONNECTIONS || l.failure != null, "every connection logged in or failed");
        assertThat(l.failure).isNull();
        assertThat(l.failed).isZero();
        assertThat(l.loggedIn).isEqualTo(CONNECTIONS);
        assertThat(l.loggedInTls13).isEqualTo(CONNECTIONS);
        Await.until(() -> engine.connectionCount() == CONNECTIONS, "the engine counting every connection");

        final ConnectionsScenario.PingTask ping = new ConnectionsScenario.PingTask(l);
        l.post(ping);
        Await.until(() -> ping.pongs() >= CONNECTIONS, "a PONG on every connection");
        assertThat(ping.pongs()).isEqualTo(CONNECTIONS);
    }

    @Test
    void aServerCertificateFromAnotherCaIsRefused() throws Exception {
        startTlsEngine();
        final DevCertificates.Bundle other = DevCertificates.ensure(dir.resolve("other"), List.of());
        final ConnectionsScenario.IdleLoop l = loop(other.ca());
        l.start();
        Await.until(() -> l.loggedIn + l.failed >= CONNECTIONS || l.failure != null, "every connection logged in or failed");
        assertThat(l.failure).isNull();
        assertThat(l.loggedIn).isZero();
        assertThat(l.failed).isEqualTo(CONNECTIONS);
        assertThat(l.connections.get(0).closeReason).contains("SSLHandshakeException", "PKIX");
    }
}
