package io.iris.transport;

import io.iris.testsupport.Await;
import io.iris.protocol.ErrorCode;
import io.iris.transport.limit.AddressKey;
import io.iris.transport.protocol.FrameDecoder;
import io.iris.protocol.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/** The per-source-address connection cap and connection rate, enforced by a real server on loopback. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AddressLimitsTest {
    private static final NioServerConfig LOCAL = NioServerConfig.defaults().withHost("127.0.0.1");

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private TestServer start(final NioServerConfig config, final RecordingHandler handler) throws IOException {
        final TestServer server = new TestServer(config, handler);
        resources.add(server);
        server.start();
        return server;
    }

    private TestClient connect(final TestServer server, final String from) throws IOException {
        final TestClient client = new TestClient(server.port(), 0, from);
        resources.add(client);
        return client;
    }

    /** Connects and proves the connection is served (a PING is answered). */
    private TestClient served(final TestServer server, final String from, final long nonce) throws IOException {
        final TestClient client = connect(server, from);
        client.ping(nonce);
        client.expectPong(nonce);
        return client;
    }

    private static void expectTooMany(final TestClient client, final String limit) throws IOException {
        final FrameDecoder d = client.readError();
        assertThat(ErrorCode.fromCode(d.code())).as("text: %s", d.text()).isEqualTo(ErrorCode.TOO_MANY_CONNECTIONS);
        assertThat(d.text()).contains(limit).containsPattern("retry after \\d+ ms$");
        client.expectClosed();
    }

    @Test
    void capsOpenConnectionsPerSourceAddress() throws Exception {
        final RecordingHandler handler = new RecordingHandler();
        final TestServer server = start(LOCAL.withMaxConnectionsPerAddress(2).withConnectionsPerSecondPerAddress(0),
            handler);
        final TestClient a = served(server, "127.0.0.1", 1);
        served(server, "127.0.0.1", 2);
        final TestClient third = connect(server, "127.0.0.1");
        expectTooMany(third, "2 open is the limit per address");
        assertThat(server.connectionsRefusedByAddressCap()).isEqualTo(1);
        assertThat(server.connectionCount()).as("the refused one is not counted").isEqualTo(2);

        // another source address has its own allowance
        served(server, "127.0.0.2", 3);
        served(server, "127.0.0.2", 4);
        assertThat(server.perAddress().count(AddressKey.of(InetAddress.getByName("127.0.0.2")))).isEqualTo(2);

        a.close();
        final AddressKey local = AddressKey.of(InetAddress.getByName("127.0.0.1"));
        Await.until(() -> server.perAddress().count(local) == 1, "the close to free a slot of 127.0.0.1");
        served(server, "127.0.0.1", 5);
        expectTooMany(connect(server, "127.0.0.1"), "2 open is the limit per address");
        assertThat(server.connectionsRefusedByAddressCap()).isEqualTo(2);
        assertThat(server.connectionsRefusedByAddressRate()).isZero();
    }

    @Test
    void forgetsAddressesOnceTheirConnectionsClose() throws Exception {
        final RecordingHandler handler = new RecordingHandler();
        final TestServer server = start(LOCAL.withMaxConnectionsPerAddress(5), handler);
        final List<TestClient> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            clients.add(served(server, "127.0.0." + (10 + i), i));
        }
        assertThat(server.perAddress().addresses()).isEqualTo(4);
        for (final TestClient c : clients) {
            c.close();
        }
        Await.until(() -> server.connectionCount() == 0, "the server to see the closes");
        assertThat(server.perAddress().addresses()).isZero();
    }

    @Test
    void limitsTheConnectionRatePerSourceAddressAndRecovers() throws Exception {
        final RecordingHandler handler = new RecordingHandler();
        final TestServer server = start(LOCAL.withConnectionsPerSecondPerAddress(1).withConnectionBurstPerAddress(3)
            .withMaxConnectionsPerAddress(0), handler);
        // One new connection per second after a burst of 3: connecting in a row must hit the limit long
        // before 50 attempts, however slow the machine (it would take 50 s of connecting to stay under it).
        int accepted = 0;
        TestClient refused = null;
        for (int attempt = 0; attempt < 50 && refused == null; attempt++) {
            final TestClient c = connect(server, "127.0.0.1");
            final TestClient.Frame f = pingOrError(c, attempt);
            if (f.type() == Protocol.ERROR) {
                refused = c;
                final FrameDecoder d = f.decode();
                assertThat(ErrorCode.fromCode(d.code())).isEqualTo(ErrorCode.TOO_MANY_CONNECTIONS);
                assertThat(d.text()).contains("the limit is 1 per second, 3 at once").containsPattern("retry after \\d+ ms$");
                c.expectClosed();
            } else {
                accepted++;
            }
        }
        assertThat(refused).as("a connection beyond the allowance was refused").isNotNull();
        assertThat(accepted).as("the burst was allowed").isGreaterThanOrEqualTo(3);
        assertThat(server.connectionsRefusedByAddressRate()).isEqualTo(1);
        // meanwhile another address is not limited
        served(server, "127.0.0.2", 100);

        // later the address may connect again (a token comes back every second)
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (int attempt = 0; ; attempt++) {
            final TestClient c = connect(server, "127.0.0.1");
            if (pingOrError(c, 200 + attempt).type() == Protocol.PONG) {
                break;
            }
            if (System.nanoTime() - deadline > 0) {
                fail("127.0.0.1 was still refused after 30 s");
            }
            c.close();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300));
        }
    }

    /** Sends a PING; returns the PONG or the ERROR that refused the connection. */
    private static TestClient.Frame pingOrError(final TestClient c, final long nonce) throws IOException {
        try {
            c.ping(nonce);
        } catch (final IOException e) {
            // refused and closed already: the ERROR frame is still readable
        }
        final TestClient.Frame f = c.readFrame();
        assertThat(f.type()).isIn((int) Protocol.PONG, (int) Protocol.ERROR);
        return f;
    }

    @Test
    void validatesTheSettings() {
        assertThatThrownBy(() -> LOCAL.withMaxConnectionsPerAddress(-1))
            .hasMessage("maxConnectionsPerAddress must be in [0, 2147483647], was -1");
        assertThatThrownBy(() -> LOCAL.withConnectionsPerSecondPerAddress(-1))
            .hasMessageContaining("connectionsPerSecondPerAddress must be in [0, 1000000000], was -1");
        assertThatThrownBy(() -> LOCAL.withConnectionBurstPerAddress(-5))
            .hasMessageContaining("connectionBurstPerAddress must be in [0, 1000000000], was -5");
        assertThatThrownBy(() -> LOCAL.withTrackedAddresses(0)).hasMessageContaining("trackedAddresses must be in [1,");
        assertThat(LOCAL.limitsConnectionRatePerAddress()).isTrue();
        assertThat(LOCAL.withConnectionBurstPerAddress(0).limitsConnectionRatePerAddress()).isFalse();
        final NioServerConfig off = LOCAL.withoutAddressLimits();
        assertThat(off.maxConnectionsPerAddress()).isZero();
        assertThat(off.limitsConnectionRatePerAddress()).isFalse();
        assertThat(off.toString()).contains("maxConnectionsPerAddress=0", "trackedAddresses=65536");
        assertThat(new TestServer(off, new RecordingHandler()).perAddress()).isNull();
    }
}
