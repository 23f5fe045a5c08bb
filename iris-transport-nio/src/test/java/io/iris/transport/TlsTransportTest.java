package io.iris.transport;

import io.iris.testsupport.Await;
import io.iris.protocol.ErrorCode;
import io.iris.protocol.Protocol;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** The NIO transport over TLS, with JDK {@link SSLSocket} clients (and raw sockets for misbehaving ones). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsTransportTest {
    /** Echo: any frame type above this is sent back unchanged (the test handler's other types still apply). */
    static final int ECHO = 0x70;

    @TempDir
    Path dir;

    private TlsFixture tls;
    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeEach
    void setUp() {
        tls = new TlsFixture(dir);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private TestServer start(final NioServerConfig config, final ConnectionHandler handler) throws IOException {
        return start(NioTransportConfig.defaults(), config, handler);
    }

    private TestServer start(final NioTransportConfig transport, final NioServerConfig config,
                             final ConnectionHandler handler) throws IOException {
        final TestServer server = new TestServer(transport, config.withHost("127.0.0.1").withTls(tls.server), handler);
        resources.add(server);
        server.start();
        return server;
    }

    private TestClient tlsClient(final TestServer server) throws IOException {
        final TestClient c = new TestClient(TlsFixture.connect(tls.client, server.port()));
        resources.add(c);
        return c;
    }

    private TestClient plainClient(final int port) throws IOException {
        final TestClient c = new TestClient(port);
        resources.add(c);
        return c;
    }

    @Test
    void configCarriesTheTlsSettings() {
        final NioServerConfig config = NioServerConfig.defaults().withPort(7).withTls(tls.server);
        assertThat(config.tls()).isSameAs(tls.server);
        assertThat(config.withMaxConnections(2).tls()).as("kept by other withers").isSameAs(tls.server);
        assertThat(config.withTls(null).tls()).isNull();
        assertThat(NioServerConfig.defaults().tls()).as("plaintext by default").isNull();
        assertThat(config.toString()).contains("tls=TlsConfig{").contains("TLSv1.3");
    }

    @Test
    void framesRoundTripOverTls13AndTls12() throws Exception {
        final TestServer server = start(NioServerConfig.defaults(), new RecordingHandler());
        for (final String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
            final SSLSocket s = TlsFixture.connect(tls.client, server.port(), protocol);
            assertThat(s.getSession().getProtocol()).isEqualTo(protocol);
            final TestClient client = new TestClient(s);
            resources.add(client);
            for (long nonce = 1; nonce <= 20; nonce++) {
                client.ping(nonce);
                client.expectPong(nonce);
            }
            final byte[] body = new byte[1000];
            new Random(3).nextBytes(body);
            client.send(TestClient.frame(Protocol.SEND, body));
            client.expectPong(TestClient.digest(Protocol.SEND, body));
        }
    }

    @Test
    void framesLargerThanOneTlsRecordBothWays() throws Exception {
        final TestServer server = start(NioServerConfig.defaults().withMaxFrameBeforeLogin(1 << 20), new EchoHandler());
        final TestClient client = tlsClient(server);
        final Random random = new Random(11);
        final List<byte[]> sent = new ArrayList<>();
        // 24 frames of 40..200 KB, written before reading anything: the server's replies back up in its
        // queue and socket (OP_WRITE, unsent ciphertext) while it keeps reading.
        for (int i = 0; i < 24; i++) {
            final byte[] body = new byte[40_000 + random.nextInt(160_000)];
            random.nextBytes(body);
            sent.add(body);
            client.send(TestClient.frame(ECHO, body));
        }
        for (final byte[] body : sent) {
            final TestClient.Frame f = client.readFrame();
            assertThat(f.type()).isEqualTo(ECHO);
            assertThat(Arrays.equals(f.body(), body)).as("echoed body of %d bytes", body.length).isTrue();
        }
        Await.until(() -> server.borrowedBuffers() == 0, "all buffers returned once the echo is done");
    }

    @Test
    void ciphertextDribbledInSmallPiecesIsReassembled() throws Exception {
        final TestServer server = start(NioServerConfig.defaults().withMaxFrameBeforeLogin(1 << 20), new EchoHandler());
        for (long seed = 1; seed <= 3; seed++) {
            try (DribbleProxy proxy = new DribbleProxy(server.port(), seed)) {
                final TestClient client = new TestClient(TlsFixture.connect(tls.client, proxy.port()));
                resources.add(client);
                final Random random = new Random(seed);
                final List<byte[]> bodies = new ArrayList<>();
                final ByteArrayOutputStream stream = new ByteArrayOutputStream();
                for (int i = 0; i < 40; i++) {
                    final byte[] body = new byte[random.nextInt(random.nextBoolean() ? 30 : 40_000)];
                    random.nextBytes(body);
                    bodies.add(body);
                    stream.writeBytes(TestClient.frame(ECHO, body));
                }
                final byte[] all = stream.toByteArray();
                for (int at = 0; at < all.length; ) { // plaintext split at random points: records of all sizes
                    final int n = Math.min(all.length - at, 1 + random.nextInt(random.nextBoolean() ? 5 : 30_000));
                    client.send(all, at, n);
                    at += n;
                }
                for (final byte[] body : bodies) {
                    final TestClient.Frame f = client.readFrame();
                    assertThat(f.type()).isEqualTo(ECHO);
                    assertThat(Arrays.equals(f.body(), body)).isTrue();
                }
                client.close();
            }
        }
        Await.until(() -> server.connectionCount() == 0, "connections closed");
        Await.until(() -> server.borrowedBuffers() == 0, "no borrowed buffers");
    }

    @Test
    void manyConcurrentTlsConnections() throws Exception {
        final TestServer server = start(NioTransportConfig.defaults().withIoThreads(2), NioServerConfig.defaults(), new RecordingHandler());
        final int connections = 60;
        final ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            final List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                final int id = i;
                results.add(pool.submit(() -> {
                    try (TestClient client = new TestClient(TlsFixture.connect(tls.client, server.port()))) {
                        for (int k = 0; k < 20; k++) {
                            final long nonce = ((long) id << 32) | k;
                            client.ping(nonce);
                            client.expectPong(nonce);
                        }
                        return 20;
                    }
                }));
            }
            int pongs = 0;
            for (final Future<Integer> f : results) {
                pongs += f.get(60, TimeUnit.SECONDS);
            }
            assertThat(pongs).isEqualTo(connections * 20);
        } finally {
            pool.shutdownNow();
        }
        Await.until(() -> server.connectionCount() == 0, "all connections closed");
    }

    @Test
    void closeWithErrorReachesTheTlsClientThenClose() throws Exception {
        final RecordingHandler handler = new RecordingHandler();
        handler.onLogin = c -> c.closeWithError(ErrorCode.AUTH_FAILED, "bad token (test)");
        final TestServer server = start(NioServerConfig.defaults(), handler);
        final TestClient client = tlsClient(server);
        client.ping(5);
        client.expectPong(5);
        client.send(TestClient.frame(Protocol.LOGIN, new byte[10]));
        client.expectError(ErrorCode.AUTH_FAILED);
        client.expectClosed();
        Await.until(() -> server.connectionCount() == 0, "connection closed");
    }

    @Test
    void offerCloseFromAnotherThreadReachesTheTlsClient() throws Exception {
        final RecordingHandler handler = new RecordingHandler();
        final TestServer server = start(NioServerConfig.defaults(), handler);
        final TestClient client = tlsClient(server);
        client.ping(1);
        client.expectPong(1);
        final Connection c = handler.opened.poll(10, TimeUnit.SECONDS);
        assertThat(c).isNotNull();
        assertThat(server.offerClose(c.id(), ErrorCode.DEVICE_REPLACED, "replaced (test)")).isTrue();
        client.expectError(ErrorCode.DEVICE_REPLACED);
        client.expectClosed();
    }

    @Test
    void idleTlsConnectionsHoldNoPoolBuffersAndAPartialRecordHoldsOne() throws Exception {
        final TestServer server = start(NioServerConfig.defaults(), new RecordingHandler());
        final List<TestClient> clients = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            final TestClient c = tlsClient(server);
            c.ping(i);
            c.expectPong(i);
            clients.add(c);
        }
        Await.until(() -> server.borrowedBuffers() == 0, "idle TLS connections hold no pool buffer");
        assertThat(server.connectionCount()).isEqualTo(20);

        // a TLS record header and part of its body: the server must carry it in one borrowed buffer
        final Socket raw = rawSocket(server.port());
        raw.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x00, (byte) 0xC8, 0x01, 0x00, 0x00});
        raw.getOutputStream().flush();
        Await.until(() -> server.borrowedBuffers() == 1, "a partial record borrows one buffer");
        raw.close();
        Await.until(() -> server.borrowedBuffers() == 0, "closing gives it back");
        Await.until(() -> server.connectionCount() == 20, "the raw connection is gone");
    }

    @Test
    void loginTimeoutClosesAConnectionStuckInTheHandshake() throws Exception {
        final RecordingHandler handler = new RecordingHandler();
        final TestServer server = start(NioServerConfig.defaults().withLoginTimeoutMillis(300), handler);
        final Socket raw = rawSocket(server.port());
        raw.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x01, 0x00, 0x01}); // a ClientHello that never ends
        raw.getOutputStream().flush();
        assertThat(handler.closed.poll(30, TimeUnit.SECONDS)).as("closed by the login timeout").isNotNull();
        final InputStream in = raw.getInputStream();
        final byte[] sink = new byte[1024];
        int n;
        int total = 0;
        while ((n = in.read(sink)) >= 0 && total < 1_000_000) {
            total += n; // at most an alert; then EOF
        }
        assertThat(n).isEqualTo(-1);
        Await.until(() -> server.connectionCount() == 0 && server.borrowedBuffers() == 0, "nothing left of it");
    }

    @Test
    void plaintextClientGetsTlsRequiredAndIsClosed() throws Exception {
        final TestServer server = start(NioServerConfig.defaults(), new RecordingHandler());
        final TestClient client = plainClient(server.port());
        client.ping(9);
        client.expectError(ErrorCode.TLS_REQUIRED);
        client.expectClosed();
        Await.until(() -> server.connectionCount() == 0, "closed");
        // TLS clients still work
        final TestClient good = tlsClient(server);
        good.ping(10);
        good.expectPong(10);
    }

    @Test
    void clientTrustingAnotherCaFailsTheHandshakeAndTheServerStaysHealthy() throws Exception {
        final TestServer server = start(NioServerConfig.defaults(), new RecordingHandler());
        final TlsFixture other = new TlsFixture(dir.resolve("other"));
        final Throwable failure = catchFailure(() -> TlsFixture.connect(other.client, server.port()));
        assertThat(failure).isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
        Await.until(() -> server.connectionCount() == 0 && server.borrowedBuffers() == 0, "failed handshake cleaned up");
        final TestClient good = tlsClient(server);
        good.ping(1);
        good.expectPong(1);
    }

    @Test
    void tlsClientAgainstAPlaintextPortFailsCleanly() throws Exception {
        final TestServer plain = new TestServer(NioServerConfig.defaults().withHost("127.0.0.1"), new RecordingHandler());
        resources.add(plain);
        plain.start();
        final Throwable failure = catchFailure(() -> TlsFixture.connect(tls.client, plain.port()));
        assertThat(failure).isInstanceOf(javax.net.ssl.SSLException.class);
        Await.until(() -> plain.connectionCount() == 0, "plaintext server closed it");
    }

    @Test
    void drainSendsGoawayOverTls() throws Exception {
        final TestServer server = start(NioServerConfig.defaults().withGoawayReconnectMillis(1234), new RecordingHandler());
        final TestClient client = tlsClient(server);
        client.ping(1);
        client.expectPong(1);
        server.drain();
        final TestClient.Frame f = client.readFrame();
        assertThat(f.type()).isEqualTo(Protocol.GOAWAY);
        assertThat(server.awaitFlushed(10_000)).isTrue();
        server.close(); // sends close_notify: a draining server no longer reads the client's, which JDK's
        client.expectClosed(); // SSLSocket.close() would otherwise wait for (up to its read timeout)
    }

    @Test
    void connectionsOverTheLimitAreClosedWithoutAPlaintextFrame() throws Exception {
        final TestServer server = start(NioServerConfig.defaults().withMaxConnections(1), new RecordingHandler());
        final TestClient first = tlsClient(server);
        first.ping(1);
        first.expectPong(1);
        final Socket raw = rawSocket(server.port());
        raw.getOutputStream().write(new byte[] {0x16, 0x03, 0x01});
        // refused: closed with no bytes at all (a plaintext SERVER_FULL would be garbage to a TLS client)
        assertThat(raw.getInputStream().read()).isEqualTo(-1);
        assertThat(server.connectionCount()).isEqualTo(1);
    }

    private Socket rawSocket(final int port) throws IOException {
        final Socket s = new Socket();
        resources.add(s);
        s.setSoTimeout(TestClient.READ_TIMEOUT_MILLIS);
        s.connect(new InetSocketAddress("127.0.0.1", port), TestClient.READ_TIMEOUT_MILLIS);
        return s;
    }

    interface Action {
        void run() throws Exception;
    }

    private static Throwable catchFailure(final Action action) {
        try {
            action.run();
        } catch (final Throwable t) {
            return t;
        }
        throw new AssertionError("expected a failure");
    }

    /** Echoes every frame of type {@link #ECHO}; PING gets PONG (via {@link RecordingHandler}). */
    static final class EchoHandler implements ConnectionHandler {
        private final RecordingHandler fallback = new RecordingHandler();
        private final ThreadLocal<ExpandableArrayBuffer> out = ThreadLocal.withInitial(ExpandableArrayBuffer::new);

        @Override
        public void onOpen(final Connection connection) {
        }

        @Override
        public void onFrame(final Connection connection, final DirectBuffer buffer, final int offset, final int length) {
            if ((buffer.getByte(offset) & 0xFF) != ECHO) {
                fallback.onFrame(connection, buffer, offset, length);
                return;
            }
            final ExpandableArrayBuffer b = out.get();
            b.putInt(0, length, java.nio.ByteOrder.BIG_ENDIAN);
            b.putBytes(4, buffer, offset, length);
            connection.write(b, 0, 4 + length);
        }

        @Override
        public void onClose(final Connection connection) {
        }
    }

    /**
     * A loopback TCP proxy for one connection that forwards client bytes to the server in pieces of 1 to
     * 40 bytes with pauses, so the server sees TLS records cut at arbitrary points.
     */
    static final class DribbleProxy implements AutoCloseable {
        private final ServerSocket listener;
        private final List<Socket> sockets = new ArrayList<>();
        private final List<Thread> threads = new ArrayList<>();

        DribbleProxy(final int targetPort, final long seed) throws IOException {
            listener = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
            final Thread acceptor = new Thread(() -> {
                try {
                    final Socket client = listener.accept();
                    final Socket server = new Socket("127.0.0.1", targetPort);
                    client.setTcpNoDelay(true);
                    server.setTcpNoDelay(true);
                    synchronized (sockets) {
                        sockets.add(client);
                        sockets.add(server);
                    }
                    final Thread up = new Thread(() -> pump(client, server, new Random(seed)), "dribble-up");
                    final Thread down = new Thread(() -> pump(server, client, null), "dribble-down");
                    up.setDaemon(true);
                    down.setDaemon(true);
                    synchronized (threads) {
                        threads.add(up);
                        threads.add(down);
                    }
                    up.start();
                    down.start();
                } catch (final IOException ignored) {
                    // closed
                }
            }, "dribble-accept");
            acceptor.setDaemon(true);
            threads.add(acceptor);
            acceptor.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        private static void pump(final Socket from, final Socket to, final Random dribble) {
            final byte[] buffer = new byte[64 * 1024];
            try {
                final InputStream in = from.getInputStream();
                final OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (dribble == null) {
                        out.write(buffer, 0, n);
                        out.flush();
                        continue;
                    }
                    for (int at = 0; at < n; ) {
                        final int k = Math.min(n - at, 1 + dribble.nextInt(40));
                        out.write(buffer, at, k);
                        out.flush();
                        at += k;
                        if (dribble.nextInt(8) == 0) {
                            LockSupport.parkNanos(200_000);
                        }
                    }
                }
                to.shutdownOutput();
            } catch (final IOException ignored) {
                // one side closed
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            synchronized (sockets) {
                for (final Socket s : sockets) {
                    s.close();
                }
            }
            synchronized (threads) {
                for (final Thread t : threads) {
                    try {
                        t.join(5_000);
                    } catch (final InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        }
    }

}
