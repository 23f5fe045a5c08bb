package io.iris.transport;

import io.iris.testsupport.Await;

import io.iris.api.counters.IrisCounters;
import io.iris.protocol.ErrorCode;
import io.iris.protocol.Protocol;
import io.iris.transport.protocol.FrameEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The transport as one set of event loops for several listeners and outbound connections: thread count,
 * outbound connections to a listener of the same transport (plain and TLS), water marks, connect failures.
 */
class TransportLayersTest {
    private static final NioServerConfig LOCAL = NioServerConfig.defaults().withHost("127.0.0.1");
    private static final long WAIT_SECONDS = 10;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private NioTransport transport(final int loops) {
        final NioTransport t = new NioTransport(NioTransportConfig.defaults().withIoThreads(loops));
        resources.add(t);
        return t;
    }

    /** An outbound side: records opens, frames (type and first long of the body), failures and writability. */
    static final class LinkHandler implements ConnectionHandler {
        final BlockingQueue<Connection> opened = new LinkedBlockingQueue<>();
        final BlockingQueue<long[]> frames = new LinkedBlockingQueue<>();
        final BlockingQueue<Connection> closed = new LinkedBlockingQueue<>();
        final BlockingQueue<IOException> failures = new LinkedBlockingQueue<>();
        final BlockingQueue<Boolean> writability = new LinkedBlockingQueue<>();
        final Set<String> threads = ConcurrentHashMap.newKeySet();

        @Override
        public void onOpen(final Connection connection) {
            threads.add(Thread.currentThread().getName());
            opened.add(connection);
        }

        @Override
        public void onFrame(final Connection connection, final DirectBuffer buffer, final int offset, final int length) {
            threads.add(Thread.currentThread().getName());
            frames.add(new long[] {buffer.getByte(offset), buffer.getLong(offset + 1, ByteOrder.BIG_ENDIAN)});
        }

        @Override
        public void onClose(final Connection connection) {
            closed.add(connection);
        }

        @Override
        public void onWritabilityChanged(final Connection connection, final boolean writable) {
            writability.add(writable);
        }

        @Override
        public void onConnectFailed(final long connectionId, final InetSocketAddress address, final IOException cause) {
            threads.add(Thread.currentThread().getName());
            failures.add(cause);
        }
    }

    private static UnsafeBuffer ping(final long nonce) {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[Protocol.HEADER + 8]);
        FrameEncoder.ping(b, 0, nonce);
        return b;
    }

    private static <T> T next(final BlockingQueue<T> queue, final String what) throws InterruptedException {
        final T value = queue.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(value).as(what).isNotNull();
        return value;
    }

    private static long aliveIoThreads() {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.isAlive() && t.getName().startsWith("iris-io-")).count();
    }

    @Test
    void twoListenersAndOutboundConnectionsShareTheFixedLoops() throws Exception {
        final long before = aliveIoThreads();
        final NioTransport t = transport(2);
        final RecordingHandler clients = new RecordingHandler();
        final Listener first = t.listener(LOCAL.withName("first"), clients);
        t.start();
        final Listener second = t.listener(LOCAL.withName("second"), clients); // after start: bound at once
        assertThat(t.ioThreads()).hasSize(2);
        assertThat(aliveIoThreads() - before).as("threads added by the transport").isEqualTo(2);

        final LinkHandler links = new LinkHandler();
        final List<Long> ids = new ArrayList<>();
        try (TestClient a = new TestClient(first.port()); TestClient b = new TestClient(second.port())) {
            a.ping(1);
            a.expectPong(1);
            b.ping(2);
            b.expectPong(2);
            ids.add(next(clients.opened, "first accepted").id());
            ids.add(next(clients.opened, "second accepted").id());
            for (int i = 0; i < 3; i++) {
                final Listener target = i % 2 == 0 ? first : second;
                final long id = t.connect(new InetSocketAddress("127.0.0.1", target.port()), ConnectOptions.defaults(),
                    links);
                assertThat(next(links.opened, "outbound opened").id()).isEqualTo(id);
                ids.add(id);
                ids.add(next(clients.opened, "accepted its peer").id());
            }
        }
        assertThat(aliveIoThreads() - before).as("listeners and connections add no thread").isEqualTo(2);
        final Set<String> loopNames = Set.of(t.ioThreads()[0].getName(), t.ioThreads()[1].getName());
        assertThat(loopNames).containsExactlyInAnyOrder("iris-io-0", "iris-io-1");
        assertThat(links.threads).isSubsetOf(loopNames);
        assertThat(ids).doesNotHaveDuplicates().allMatch(id -> id > 0);
        assertThat(first.connectionCount() + second.connectionCount()).isGreaterThanOrEqualTo(3);
        assertThat(t.counters().value("iris_transport_connections_opened_total", "listener", "outbound")).isEqualTo(3);
        assertThat(t.counters().value("iris_transport_connections_opened_total", "listener", "first")).isEqualTo(3);
    }

    @Test
    void outboundConnectionCarriesFramesBothWaysInPlaintext() throws Exception {
        framesBothWays(null, ConnectOptions.defaults());
    }

    @Test
    void outboundConnectionCarriesFramesBothWaysOverTls(@TempDir final Path dir) throws Exception {
        final TlsFixture tls = new TlsFixture(dir);
        framesBothWays(tls, ConnectOptions.defaults().withTls(tls.client, "localhost"));
    }

    private void framesBothWays(final TlsFixture tls, final ConnectOptions options) throws Exception {
        final NioTransport t = transport(2);
        final RecordingHandler server = new RecordingHandler();
        final Listener listener = t.listener(tls == null ? LOCAL : LOCAL.withTls(tls.server), server);
        t.start();
        final LinkHandler link = new LinkHandler();
        final long id = t.connect(new InetSocketAddress("127.0.0.1", listener.port()), options, link);
        final Connection outbound = next(link.opened, "outbound opened");
        assertThat(outbound.id()).isEqualTo(id);
        final Connection accepted = next(server.opened, "accepted");
        assertThat(accepted.id()).isNotEqualTo(id);

        final UnsafeBuffer ping = ping(41);
        assertThat(t.offer(id, ping, 0, ping.capacity())).isTrue();
        final long[] pong = next(link.frames, "PONG from the listener's handler");
        assertThat(pong[0]).isEqualTo(Protocol.PONG);
        assertThat(pong[1]).isEqualTo(41);

        final UnsafeBuffer toLink = ping(42);
        assertThat(t.offer(accepted.id(), toLink, 0, toLink.capacity())).isTrue();
        final long[] got = next(link.frames, "PING from the accepted side");
        assertThat(got[0]).isEqualTo(Protocol.PING);
        assertThat(got[1]).isEqualTo(42);
        Await.until(() -> t.borrowedBuffers() == 0, WAIT_SECONDS, "idle connections (both ends) hold no buffers");

        assertThat(t.offerClose(id, ErrorCode.INTERNAL, "bye")).isTrue();
        next(link.closed, "outbound closed");
        next(server.closed, "accepted side closed");
    }

    @Test
    void waterMarksFlipWritabilityAndTheClientPolicyStillClosesSlowConsumers() throws Exception {
        final IrisCounters registry = new IrisCounters();
        final NioTransport t = new NioTransport(NioTransportConfig.defaults().withIoThreads(1).withCounters(registry));
        resources.add(t);
        final LinkHandler links = new LinkHandler();
        final Listener nodes = t.listener(LOCAL.withName("nodes").withSocketSendBuffer(8 * 1024)
            .withWritePolicy(WritePolicy.waterMarks(64 * 1024, 256 * 1024, 64 * 1024 * 1024)), links);
        final RecordingHandler clientHandler = new RecordingHandler();
        final Listener clients = t.listener(LOCAL.withName("clients").withSocketSendBuffer(8 * 1024)
            .withOutboundHighWaterMark(64 * 1024), clientHandler);
        t.start();

        final UnsafeBuffer chunk = new UnsafeBuffer(new byte[16 * 1024]);
        try (TestClient peer = new TestClient(nodes.port(), 4 * 1024)) {
            final Connection link = next(links.opened, "node link accepted");
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            long offered = 0;
            while (links.writability.isEmpty()) {
                assertThat(System.nanoTime() - deadline).as("unwritable in time").isNegative();
                if (offered < 16 * 1024 * 1024 && t.offer(link.id(), chunk, 0, chunk.capacity())) {
                    offered += chunk.capacity();
                } else {
                    Thread.sleep(1);
                }
            }
            assertThat(links.writability.take()).as("above high: not writable").isFalse();
            assertThat(link.isOpen()).as("a link is not closed at the high mark").isTrue();
            assertThat(offered).isGreaterThan(256 * 1024);
            assertThat(links.writability.poll(200, TimeUnit.MILLISECONDS)).as("stays unwritable while the peer does not read")
                .isNull();

            final InputStream in = peer.socket.getInputStream();
            final byte[] sink = new byte[64 * 1024];
            long read = 0;
            while (links.writability.isEmpty()) {
                assertThat(System.nanoTime() - deadline).as("writable again in time").isNegative();
                final int n = in.read(sink);
                assertThat(n).as("the peer reads").isPositive();
                read += n;
            }
            assertThat(links.writability.take()).as("below low: writable again").isTrue();
            assertThat(read).as("writable again only once the peer read").isPositive();
            assertThat(link.isWritable()).isTrue();
            assertThat(links.closed).as("the link stayed open").isEmpty();
        }

        try (TestClient slow = new TestClient(clients.port(), 4 * 1024)) {
            final long slowId = next(clientHandler.opened, "client accepted").id();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (clientHandler.closeCounts.get(slowId) == null) {
                assertThat(System.nanoTime() - deadline).as("slow client closed in time").isNegative();
                if (!t.offer(slowId, chunk, 0, chunk.capacity())) {
                    Thread.sleep(1);
                }
            }
            slow.expectClosed();
        }
        assertThat(registry.value("iris_transport_slow_consumer_closes_total", "listener", "clients")).isEqualTo(1);
        assertThat(registry.value("iris_transport_slow_consumer_closes_total", "listener", "nodes")).isZero();
        assertThat(registry.value("iris_transport_written_bytes_total")).isPositive();
    }

    @Test
    void connectFailuresAndTimeoutsAreReportedToTheHandler() throws Exception {
        final NioTransport t = transport(1);
        t.start();
        final LinkHandler link = new LinkHandler();
        final int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            closedPort = s.getLocalPort();
        }
        t.connect(new InetSocketAddress("127.0.0.1", closedPort), ConnectOptions.defaults(), link);
        assertThat(next(link.failures, "refused connect reported")).isInstanceOf(IOException.class);

        // A listener whose backlog is full never completes the handshake of a further connect: it times out.
        try (ServerSocket full = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            IOException failure = null;
            while (failure == null && System.nanoTime() < deadline) {
                t.connect(new InetSocketAddress("127.0.0.1", full.getLocalPort()),
                    ConnectOptions.defaults().withConnectTimeoutMillis(300), link);
                final Connection opened = link.opened.poll(1, TimeUnit.SECONDS);
                if (opened == null) {
                    failure = next(link.failures, "timed-out connect reported");
                }
            }
            assertThat(failure).as("a connect timed out").isInstanceOf(SocketTimeoutException.class);
        }
        assertThat(link.threads).allMatch(name -> name.startsWith("iris-io-"));
    }

    @Test
    void onLoopIterationIsCalledEveryCycleAndPendingWorkShortensTheWaitWithoutSpinning() throws Exception {
        final java.util.concurrent.atomic.AtomicInteger idleCalls = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger busyCalls = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicBoolean pending = new java.util.concurrent.atomic.AtomicBoolean();
        final Set<String> threads = ConcurrentHashMap.newKeySet();
        final RecordingHandler base = new RecordingHandler();
        final ConnectionHandler handler = new ConnectionHandler() {
            @Override
            public void onOpen(final Connection connection) {
                base.onOpen(connection);
            }

            @Override
            public void onFrame(final Connection connection, final DirectBuffer buffer, final int offset, final int length) {
                base.onFrame(connection, buffer, offset, length);
            }

            @Override
            public void onClose(final Connection connection) {
                base.onClose(connection);
            }

            @Override
            public boolean onLoopIteration() {
                threads.add(Thread.currentThread().getName());
                (pending.get() ? busyCalls : idleCalls).incrementAndGet();
                return pending.get();
            }
        };
        final NioTransport t = transport(2);
        t.listener(LOCAL, handler);
        t.start();
        Await.until(() -> threads.size() == 2, WAIT_SECONDS, "both loops ran an iteration");
        // upper bounds only: a loaded machine can only make the counts smaller, never larger
        final int idleBefore = idleCalls.get();
        final long idleStart = System.nanoTime();
        Thread.sleep(500); // an observation window, not a wait for a condition
        final long idleMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - idleStart);
        assertThat(idleCalls.get() - idleBefore).as("idle loops block in select (a sweep every ~100 ms each), they"
            + " do not spin").isLessThanOrEqualTo((int) (2 * (idleMillis / 100 + 2) * 2));
        final long busyStart = System.nanoTime();
        pending.set(true);
        Await.until(() -> busyCalls.get() > 30, WAIT_SECONDS, "pending work: the loops come back within ~1 ms");
        pending.set(false);
        final long busyMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - busyStart);
        assertThat(busyCalls.get()).as("with work pending the loops poll, ~1 ms apart, but do not spin")
            .isLessThan((int) (2 * (busyMillis + 1) * 20));
        assertThat(threads).containsExactlyInAnyOrder("iris-io-0", "iris-io-1");
    }
}
