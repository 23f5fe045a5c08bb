package io.iris.transport;

import io.iris.testsupport.Await;
import io.iris.protocol.ErrorCode;
import io.iris.transport.protocol.FrameDecoder;
import io.iris.transport.protocol.FrameEncoder;
import io.iris.protocol.Protocol;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NioServerTest {
    private static final NioServerConfig LOCAL = NioServerConfig.defaults().withHost("127.0.0.1");

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private TestServer start(final NioServerConfig config, final RecordingHandler handler) throws IOException {
        return start(NioTransportConfig.defaults(), config, handler);
    }

    private TestServer start(final NioTransportConfig transport, final NioServerConfig config,
                             final RecordingHandler handler) throws IOException {
        final TestServer server = new TestServer(transport, config, handler);
        resources.add(server);
        server.start();
        return server;
    }

    private TestClient connect(final TestServer server) throws IOException {
        final TestClient client = new TestClient(server.port());
        resources.add(client);
        return client;
    }

    private static Connection nextOpened(final RecordingHandler handler) throws InterruptedException {
        final Connection c = handler.opened.poll(10, TimeUnit.SECONDS);
        assertThat(c).as("a connection was opened").isNotNull();
        return c;
    }

    // ------------------------------------------------------------------------------------------
    // Framing
    // ------------------------------------------------------------------------------------------

    @Test
    void answersPingWithPong() throws Exception {
        final TestServer server = start(LOCAL, new RecordingHandler());
        final TestClient client = connect(server);
        client.ping(42);
        client.expectPong(42);
        assertThat(server.connectionCount()).isEqualTo(1);
    }

    @Test
    void reassemblesFramesWrittenOneByteAtATime() throws Exception {
        final TestServer server = start(LOCAL, new RecordingHandler());
        final TestClient client = connect(server);
        final byte[] body = new byte[300];
        new Random(1).nextBytes(body);
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(TestClient.pingFrame(7));
        bytes.writeBytes(TestClient.frame(Protocol.SEND, body));
        bytes.writeBytes(TestClient.pingFrame(8));
        final byte[] all = bytes.toByteArray();
        for (int i = 0; i < all.length; i++) {
            client.send(all, i, 1);
        }
        client.expectPong(7);
        client.expectPong(TestClient.digest(Protocol.SEND, body));
        client.expectPong(8);
    }

    @Test
    void reassemblesFramesAcrossArbitrarySplits() throws Exception {
        final TestServer server = start(LOCAL, new RecordingHandler());
        for (long seed = 1; seed <= 5; seed++) {
            final Random random = new Random(seed);
            final TestClient client = connect(server);
            final ByteArrayOutputStream stream = new ByteArrayOutputStream();
            final List<Long> expected = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                if (random.nextInt(4) == 0) {
                    final long nonce = random.nextLong();
                    stream.writeBytes(TestClient.pingFrame(nonce));
                    expected.add(nonce);
                } else {
                    final byte[] body = new byte[random.nextInt(Protocol.MAX_FRAME_BEFORE_LOGIN)];
                    random.nextBytes(body);
                    stream.writeBytes(TestClient.frame(Protocol.SEND, body));
                    expected.add(TestClient.digest(Protocol.SEND, body));
                }
            }
            final byte[] all = stream.toByteArray();
            for (int at = 0; at < all.length; ) {
                final int n = Math.min(all.length - at, 1 + random.nextInt(random.nextBoolean() ? 7 : 20_000));
                client.send(all, at, n);
                at += n;
            }
            for (final long nonce : expected) {
                client.expectPong(nonce);
            }
        }
    }

    @Test
    void reassemblesAFrameLargerThanTheReadBuffer() throws Exception {
        final RecordingHandler handler = new RecordingHandler();
        handler.onLogin = c -> c.maxInboundFrame(300_000);
        final TestServer server = start(LOCAL, handler);
        final TestClient client = connect(server);
        client.send(TestClient.frame(Protocol.LOGIN, new byte[10]));
        client.expectPong(-1);
        final Random random = new Random(3);
        final byte[] body = new byte[200_000];
        random.nextBytes(body);
        final byte[] frame = TestClient.frame(Protocol.SEND, body);
        for (int at = 0; at < frame.length; ) {
            final int n = Math.min(frame.length - at, 1 + random.nextInt(30_000));
            client.send(frame, at, n);
            at += n;
        }
        client.ping(5);
        client.expectPong(TestClient.digest(Protocol.SEND, body));
        client.expectPong(5);
    }

    @Test
    void handlesManyFramesInOneWrite() throws Exception {
        final TestServer server = start(LOCAL, new RecordingHandler());
        final TestClient client = connect(server);
        final ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (int i = 0; i < 1000; i++) {
            stream.writeBytes(TestClient.pingFrame(i));
        }
        client.send(stream.toByteArray());
        for (int i = 0; i < 1000; i++) {
            client.expectPong(i);
        }
    }

    @Test
    void frameTooLargeClosesOnlyThatConnection() throws Exception {
        final RecordingHandler handler = new RecordingHandler();
        final TestServer server = start(LOCAL, handler);
        final TestClient good = connect(server);
        good.ping(1);
        good.expectPong(1);
        final TestClient bad = connect(server);
        bad.send(new byte[] {0, 0, 0x20, 0x01, Protocol.SEND, 1, 2, 3}); // 8193 > 8192 before login
        bad.expectError(ErrorCode.FRAME_TOO_LARGE);
        bad.expectClosed();
        good.ping(2);
        good.expectPong(2);
        Await.until(() -> handler.closed.size() == 1, "onClose of the bad connection");
        assertThat(server.connectionCount()).isEqualTo(1);
    }

    @Test
    void lengthAboveTwoGigabytesIsTooLarge() throws Exception {
        final TestServer server = start(LOCAL, new RecordingHandler());
        final TestClient client = connect(server);
        client.send(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
        client.expectError(ErrorCode.FRAME_TOO_LARGE);
        client.expectClosed();
    }

    @Test
    void zeroLengthIsMalformed() throws Exception {
        final TestServer server = start(LOCAL, new RecordingHandler());
        final TestClient client = connect(server);
        client.ping(1);
        client.expectPong(1);
        client.send(new byte[] {0, 0, 0, 0});
        client.expectError(ErrorCode.MALFORMED_FRAME);
        client.expectClosed();
    }

    // ------------------------------------------------------------------------------------------
    // Timeouts and limits
    // ------------------------------------------------------------------------------------------

    @Test
    void loginTimeoutFires() throws Exception {
        final RecordingHandler handler = new RecordingHandler();
        final TestServer server = start(LOCAL.withLoginTimeoutMillis(200), handler);
        final TestClient client = connect(server);
        client.expectError(ErrorCode.LOGIN_TIMEOUT);
        client.expectClosed();
        Await.until(() -> handler.closed.size() == 1, "onClose");
        assertThat(server.connectionCount()).isZero();
    }

    @Test
    void pingsBeforeLoginDoNotPushTheLoginDeadlineBack() throws Exception {
        // found by HostileInputIntegrationTest: a client that only PINGed was never closed
        final RecordingHandler handler = new RecordingHandler();
        final TestServer server = start(LOCAL.withLoginTimeoutMillis(300), handler);
        final TestClient client = connect(server);
        FrameDecoder error = null;
        int pings = 0;
        // a PING every ~50 ms, well inside the 300 ms timeout, for at most 20 s: the deadline must end it first
        for (; error == null && pings < 400; pings++) {
            client.ping(pings);
            final TestClient.Frame f = client.readFrame();
            if (f.type() == Protocol.ERROR) {
                error = f.decode();
            } else {
                assertThat(f.type()).isEqualTo(Protocol.PONG);
                Thread.sleep(50);
            }
        }
        assertThat(error).as("closed at the login deadline while still pinging (%d PINGs sent)", pings).isNotNull();
        assertThat(ErrorCode.fromCode(error.code())).isEqualTo(ErrorCode.LOGIN_TIMEOUT);
        client.expectClosed();
        Await.until(() -> handler.closed.size() == 1, "onClose");
    }

    @Test
    void readTimeoutSetByTheHandlerFiresWithItsCode() throws Exception {
        final RecordingHandler handler = new RecordingHandler();
        handler.onLogin = c -> c.readTimeout(200, ErrorCode.IDLE_TIMEOUT);
        final TestServer server = start(LOCAL, handler); // login deadline 10 s: only the new timeout can fire
        final TestClient client = connect(server);
        client.send(TestClient.frame(Protocol.LOGIN, new byte[3]));
        client.expectPong(-1);
        client.expectError(ErrorCode.IDLE_TIMEOUT);
        client.expectClosed();
    }

    @Test
    void deadlineFiresWithItsCodeAndTextEvenWhileFramesKeepArriving() throws Exception {
        final RecordingHandler handler = new RecordingHandler();
        handler.onLogin = c -> c.closeAfter(300, ErrorCode.TOKEN_EXPIRED, "token expired (test)");
        final TestServer server = start(LOCAL, handler);
        final TestClient client = connect(server);
        client.send(TestClient.frame(Protocol.LOGIN, new byte[3]));
        client.expectPong(-1);
        // Traffic does not push a deadline back (it would push back a read timeout): keep pinging until the
        // ERROR arrives instead of a PONG.
        FrameDecoder error = null;
        for (long nonce = 1; error == null; nonce++) {
            client.ping(nonce);
            final TestClient.Frame f = client.readFrame();
            if (f.type() == Protocol.ERROR) {
                error = f.decode();
            } else {
                assertThat(f.type()).isEqualTo(Protocol.PONG);
            }
        }
        assertThat(ErrorCode.fromCode(error.code())).isEqualTo(ErrorCode.TOKEN_EXPIRED);
        assertThat(error.text()).isEqualTo("token expired (test)");
        client.expectClosed();
        Await.until(() -> handler.closed.size() == 1, "onClose");
    }

    @Test
    void deadlineCanBeReplacedAndRemoved() throws Exception {
        final RecordingHandler handler = new RecordingHandler();
        handler.onLogin = c -> {
            c.closeAfter(0, ErrorCode.TOKEN_EXPIRED, "would fire at the next sweep");
            c.closeAfter(Long.MAX_VALUE, ErrorCode.TOKEN_EXPIRED, "removed");
        };
        final TestServer server = start(LOCAL, handler);
        final TestClient removed = connect(server);
        removed.send(TestClient.frame(Protocol.LOGIN, new byte[3]));
        removed.expectPong(-1);

        final RecordingHandler other = new RecordingHandler();
        other.onLogin = c -> {
            c.closeAfter(Long.MAX_VALUE - 1, ErrorCode.INTERNAL, "far future");
            c.closeAfter(0, ErrorCode.TOKEN_EXPIRED, "replaced");
        };
        final TestServer second = start(LOCAL, other);
        final TestClient replaced = connect(second);
        replaced.send(TestClient.frame(Protocol.LOGIN, new byte[3]));
        replaced.expectPong(-1);
        final FrameDecoder error = replaced.readError();
        assertThat(ErrorCode.fromCode(error.code())).isEqualTo(ErrorCode.TOKEN_EXPIRED);
        assertThat(error.text()).isEqualTo("replaced");
        replaced.expectClosed();

        // The removed deadline never fired: the first connection, logged in before, is still served.
        removed.ping(5);
        removed.expectPong(5);
        assertThat(server.connectionCount()).isEqualTo(1);
    }

    @Test
    void deadlineRefusesNegativeDelays() throws Exception {
        final RecordingHandler handler = new RecordingHandler();
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        handler.onLogin = c -> {
            try {
                c.closeAfter(-1, ErrorCode.TOKEN_EXPIRED, "x");
            } catch (final Throwable t) {
                thrown.set(t);
            }
        };
        final TestServer server = start(LOCAL, handler);
        final TestClient client = connect(server);
        client.send(TestClient.frame(Protocol.LOGIN, new byte[3]));
        client.expectPong(-1);
        assertThat(thrown.get()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    }

    @Test
    void refusesConnectionsOverTheLimitWithServerFull() throws Exception {
        final RecordingHandler handler = new RecordingHandler();
        final TestServer server = start(LOCAL.withMaxConnections(2), handler);
        assertThat(server.maxConnections()).isEqualTo(2);
        final TestClient a = connect(server);
        final TestClient b = connect(server);
        nextOpened(handler);
        nextOpened(handler);
        final TestClient c = connect(server);
        c.expectError(ErrorCode.SERVER_FULL);
        c.expectClosed();
        assertThat(server.connectionCount()).isEqualTo(2);
        a.ping(1);
        a.expectPong(1);

        b.close();
        Await.until(() -> server.connectionCount() == 1, "the server to see the close");
        final TestClient d = connect(server);
        d.ping(2);
        d.expectPong(2);
        assertThat(handler.openedIds).hasSize(3);
    }

    @Test
    void limitsConnectionsToTheFileDescriptorLimit() {
        assertThat(Listener.effectiveMaxConnections(10_000, 1024)).isEqualTo(1024 - 64);
        assertThat(Listener.effectiveMaxConnections(100, 1024)).isEqualTo(100);
        assertThat(Listener.effectiveMaxConnections(100, -1)).isEqualTo(100);
        assertThat(Listener.effectiveMaxConnections(100, 10)).isEqualTo(1);
        final long fds = Listener.processFileDescriptorLimit();
        final TestServer server = new TestServer(NioServerConfig.defaults().withMaxConnections(Integer.MAX_VALUE),
            new RecordingHandler());
        if (fds > 0) {
            assertThat(server.maxConnections()).isEqualTo((int) Math.min(Integer.MAX_VALUE, fds - 64));
        }
        server.close();
    }

    // ------------------------------------------------------------------------------------------
    // Output from other threads
    // ------------------------------------------------------------------------------------------

    @Test
    void offersFromTwoThreadsArriveInOrderPerThread() throws Exception {
        final RecordingHandler handler = new RecordingHandler();
        final TestServer server = start(NioTransportConfig.defaults().withIoThreads(2).withCommandQueueBytes(64 * 1024), LOCAL, handler);
        final TestClient client = connect(server);
        final long id = nextOpened(handler).id();
        final int perThread = 5_000;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread[] producers = new Thread[2];
        for (int p = 0; p < producers.length; p++) {
            final int producer = p;
            producers[p] = new Thread(() -> {
                final UnsafeBuffer frame = new UnsafeBuffer(new byte[Protocol.HEADER + 8]);
                try {
                    for (int i = 0; i < perThread; i++) {
                        final int n = FrameEncoder.pong(frame, 0, ((long) producer << 32) | i);
                        while (!server.offer(id, frame, 0, n)) {
                            Thread.onSpinWait(); // queue full: retry
                        }
                    }
                } catch (final Throwable t) {
                    failure.set(t);
                }
            }, "producer-" + p);
            producers[p].start();
        }
        final int[] next = new int[producers.length];
        for (int i = 0; i < perThread * producers.length; i++) {
            final long nonce = client.readPong();
            final int producer = (int) (nonce >>> 32);
            assertThat((int) nonce).as("frame from producer %d", producer).isEqualTo(next[producer]);
            next[producer]++;
        }
        for (final Thread t : producers) {
            t.join(10_000);
        }
        assertThat(failure.get()).isNull();
        assertThat(next).containsExactly(perThread, perThread);
        assertThat(server.awaitFlushed(10_000)).isTrue();
    }

    @Test
    void offerReturnsFalseWhenTheCommandQueueIsFull() throws Exception {
        final RecordingHandler handler = new RecordingHandler();
        final TestServer server = start(NioTransportConfig.defaults().withCommandQueueBytes(4096), LOCAL, handler);
        final TestClient client = connect(server);
        final long id = nextOpened(handler).id();
        client.send(TestClient.frame(RecordingHandler.BLOCK, new byte[0]));
        assertThat(handler.blocked.await(10, TimeUnit.SECONDS)).isTrue(); // the I/O thread is now stuck
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[Protocol.HEADER + 8]);
        int accepted = 0;
        while (true) {
            final int n = FrameEncoder.pong(frame, 0, accepted);
            if (!server.offer(id, frame, 0, n)) {
                break;
            }
            accepted++;
            assertThat(accepted).as("the queue must fill").isLessThan(4096);
        }
        assertThat(accepted).isGreaterThan(0);
        assertThat(server.awaitFlushed(50)).isFalse();
        handler.unblock.countDown();
        for (int i = 0; i < accepted; i++) {
            client.expectPong(i);
        }
        assertThatThrownBy(() -> server.offer(id, frame, 0, 4096))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offer length");
    }

    @Test
    void offerCloseSendsTheErrorAfterEverythingOfferedBefore() throws Exception {
        final RecordingHandler handler = new RecordingHandler();
        final TestServer server = start(LOCAL, handler);
        final TestClient client = connect(server);
        final long id = nextOpened(handler).id();
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[Protocol.HEADER + 8]);
        for (int i = 0; i < 3; i++) {
            assertThat(server.offer(id, frame, 0, FrameEncoder.pong(frame, 0, i))).isTrue();
        }
        assertThat(server.offerClose(id, ErrorCode.DEVICE_REPLACED, "replaced")).isTrue();
        for (int i = 0; i < 3; i++) {
            client.expectPong(i);
        }
        final FrameDecoder error = client.readError();
        assertThat(error.code()).isEqualTo(ErrorCode.DEVICE_REPLACED.code());
        assertThat(error.text()).isEqualTo("replaced");
        client.expectClosed();
        Await.until(() -> handler.closed.size() == 1, "onClose");
        // offers to a closed id, and to ids no thread owns, are accepted and dropped
        assertThat(server.offer(id, frame, 0, 13)).isTrue();
        assertThat(server.offer((99L << 8) | 200, frame, 0, 13)).isTrue();
        assertThat(server.offerClose(id, ErrorCode.INTERNAL, "x")).isTrue();
    }

    @Test
    void slowConsumerIsClosedAtTheHighWaterMarkWhileOthersAreUnaffected() throws Exception {
        final RecordingHandler handler = new RecordingHandler();
        final TestServer server = start(LOCAL.withOutboundHighWaterMark(64 * 1024).withSocketSendBuffer(8 * 1024),
            handler);
        final TestClient slow = new TestClient(server.port(), 4 * 1024);
        resources.add(slow);
        final long slowId = nextOpened(handler).id();
        final TestClient other = connect(server);
        nextOpened(handler);

        final UnsafeBuffer frame = new UnsafeBuffer(new byte[1024]);
        final int n = FrameEncoder.deliver(frame, 0, 1, new UnsafeBuffer("sender".getBytes()), 0, 6, 0,
            new UnsafeBuffer(new byte[900]), 0, 900);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long offered = 0;
        while (handler.closeCounts.get(slowId) == null) {
            assertThat(System.nanoTime() - deadline).as("slow consumer closed in time").isNegative();
            if (server.offer(slowId, frame, 0, n)) {
                offered += n;
            }
            if (offered % (64 * n) == 0) {
                other.ping(offered);
                other.expectPong(offered);
            }
        }
        assertThat(offered).isGreaterThan(64 * 1024);
        other.ping(-5);
        other.expectPong(-5);
        assertThat(server.connectionCount()).isEqualTo(1);
        slow.expectClosed();
        Await.until(() -> server.borrowedBuffers() == 0, "buffers of the slow consumer returned");
    }

    @Test
    void refusesNewConnectionsWhileAskedAndKeepsTheOpenOnes() throws Exception {
        final RecordingHandler handler = new RecordingHandler();
        final TestServer server = start(LOCAL, handler);
        final TestClient open = connect(server);
        nextOpened(handler);

        server.refuseNewConnections(true);
        assertThat(server.isRefusingNewConnections()).isTrue();
        final TestClient refused = connect(server);
        final FrameDecoder error = refused.readError();
        assertThat(ErrorCode.fromCode(error.code())).isEqualTo(ErrorCode.SERVER_FULL);
        assertThat(error.text()).contains("overloaded");
        refused.expectClosed();
        open.ping(3);
        open.expectPong(3);

        server.refuseNewConnections(false);
        final TestClient again = connect(server);
        again.ping(4);
        again.expectPong(4);
        assertThat(handler.openedIds).hasSize(2);
    }

    @Test
    void unsentBytesCountsTheBacklogOfAClientThatIsNotReadingAndDropsWhenItReads() throws Exception {
        final RecordingHandler handler = new RecordingHandler();
        final TestServer server = start(LOCAL.withSocketSendBuffer(8 * 1024), handler);
        assertThat(server.unsentBytes()).isZero();
        final TestClient client = new TestClient(server.port(), 4 * 1024);
        resources.add(client);
        final long id = nextOpened(handler).id();
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[Protocol.HEADER + 8]);
        final int total = 100_000; // 1.3 MB: more than both socket buffers hold
        for (int i = 0; i < total; i++) {
            final int n = FrameEncoder.pong(frame, 0, i);
            while (!server.offer(id, frame, 0, n)) {
                Thread.onSpinWait();
            }
        }
        // at most both socket buffers (a few hundred KiB at most on loopback) left the server
        Await.until(() -> server.unsentBytes() > 512 * 1024, "a backlog of unsent bytes");
        assertThat(server.unsentBytes()).isLessThanOrEqualTo((long) total * (Protocol.HEADER + 8));
        for (int i = 0; i < total; i++) {
            client.expectPong(i);
        }
        Await.until(() -> server.unsentBytes() == 0, "the backlog to drain once the client reads");
    }

    @Test
    void awaitFlushedWaitsForAClientThatIsNotReading() throws Exception {
        final RecordingHandler handler = new RecordingHandler();
        final TestServer server = start(LOCAL.withSocketSendBuffer(8 * 1024), handler);
        final TestClient client = new TestClient(server.port(), 4 * 1024);
        resources.add(client);
        final long id = nextOpened(handler).id();
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[Protocol.HEADER + 8]);
        final int total = 100_000; // 1.3 MB: more than both socket buffers hold
        for (int i = 0; i < total; i++) {
            final int n = FrameEncoder.pong(frame, 0, i);
            while (!server.offer(id, frame, 0, n)) {
                Thread.onSpinWait();
            }
        }
        assertThat(server.awaitFlushed(100)).isFalse();
        for (int i = 0; i < total; i++) {
            client.expectPong(i);
        }
        assertThat(server.awaitFlushed(10_000)).isTrue();
        Await.until(() -> server.borrowedBuffers() == 0, "buffers returned");
    }

    // ------------------------------------------------------------------------------------------
    // Lifecycle
    // ------------------------------------------------------------------------------------------

    @Test
    void drainSendsGoawayToEveryConnectionAndStopsAccepting() throws Exception {
        final RecordingHandler handler = new RecordingHandler();
        final TestServer server = start(NioTransportConfig.defaults().withIoThreads(2), LOCAL.withGoawayReconnectMillis(1234), handler);
        final List<TestClient> clients = new ArrayList<>();
        final List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clients.add(connect(server));
            ids.add(nextOpened(handler).id());
        }
        server.drain();
        for (final TestClient client : clients) {
            final TestClient.Frame goaway = client.readFrame();
            assertThat(goaway.type()).isEqualTo(Protocol.GOAWAY);
            final FrameDecoder d = goaway.decode();
            assertThat(d.retryAfterMillis()).isEqualTo(1234);
            assertThat(d.text()).isEqualTo("server draining");
        }
        // still writing: offers reach the clients after GOAWAY
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[Protocol.HEADER + 8]);
        for (int i = 0; i < ids.size(); i++) {
            assertThat(server.offer(ids.get(i), frame, 0, FrameEncoder.pong(frame, 0, i))).isTrue();
        }
        for (int i = 0; i < clients.size(); i++) {
            clients.get(i).expectPong(i);
        }
        assertThat(server.awaitFlushed(10_000)).isTrue();
        // no longer accepting
        Await.until(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", server.port()), 1000);
                return false;
            } catch (final ConnectException e) {
                return true;
            } catch (final IOException e) {
                return false;
            }
        }, "the listening socket to close");
        assertThat(handler.openedIds).hasSize(3);
        server.close();
        for (final TestClient client : clients) {
            client.expectClosed();
        }
    }

    @Test
    void closeCallsOnCloseExactlyOncePerConnection() throws Exception {
        final RecordingHandler handler = new RecordingHandler();
        final TestServer server = start(NioTransportConfig.defaults().withIoThreads(2), LOCAL, handler);
        final List<TestClient> clients = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            final TestClient client = connect(server);
            client.ping(i);
            client.expectPong(i);
            clients.add(client);
        }
        clients.get(0).close(); // one closed by the client before the server closes
        Await.until(() -> handler.closed.size() == 1, "the client close");
        server.close();
        server.close(); // idempotent
        for (int i = 1; i < clients.size(); i++) {
            clients.get(i).expectClosed();
        }
        assertThat(handler.closeCounts.keySet()).isEqualTo(handler.openedIds);
        assertThat(handler.closeCounts.values()).allSatisfy(count -> assertThat(count.get()).isEqualTo(1));
        assertThat(server.connectionCount()).isZero();
        for (final Thread t : server.ioThreads()) {
            assertThat(t.isAlive()).isFalse();
        }
        assertThat(server.awaitFlushed(0)).isTrue();
    }

    @Test
    void connectionIdsAreUniqueAndCarryTheIoThreadIndex() throws Exception {
        final RecordingHandler handler = new RecordingHandler();
        final TestServer server = start(NioTransportConfig.defaults().withIoThreads(3), LOCAL, handler);
        final Set<Long> ids = new HashSet<>();
        final int[] perThread = new int[3];
        for (int i = 0; i < 9; i++) {
            connect(server);
            final long id = nextOpened(handler).id();
            assertThat(ids.add(id)).isTrue();
            perThread[(int) (id & 0xFF)]++;
        }
        assertThat(perThread).containsExactly(3, 3, 3);
        for (final Thread t : server.ioThreads()) {
            assertThat(t.getName()).startsWith("iris-io-");
            assertThat(t.isDaemon()).isFalse();
        }
    }

    @Test
    void handlerExceptionClosesOnlyThatConnectionWithInternal() throws Exception {
        final RecordingHandler handler = new RecordingHandler();
        final TestServer server = start(LOCAL, handler);
        final TestClient good = connect(server);
        final TestClient bad = connect(server);
        bad.send(TestClient.frame(RecordingHandler.THROW, new byte[0]));
        bad.expectError(ErrorCode.INTERNAL);
        bad.expectClosed();
        good.ping(3);
        good.expectPong(3);
        Await.until(() -> handler.closed.size() == 1, "onClose");
    }

    @Test
    void writeAfterCloseReturnsFalseAndOnCloseComesAfterTheCallback() throws Exception {
        final RecordingHandler handler = new RecordingHandler();
        final TestServer server = start(LOCAL, handler);
        final TestClient client = connect(server);
        client.send(TestClient.frame(RecordingHandler.CLOSE_THEN_WRITE, new byte[0]));
        client.expectClosed();
        Await.until(() -> handler.closed.size() == 1, "onClose");
        assertThat(handler.openAfterClose).isFalse();
        assertThat(handler.writeAfterClose).isFalse();
        assertThat(server.connectionCount()).isZero();
    }

    @Test
    void onOpenExceptionClosesWithInternal() throws Exception {
        final RecordingHandler handler = new RecordingHandler();
        handler.throwOnOpen = true;
        final TestServer server = start(LOCAL, handler);
        final TestClient client = connect(server);
        client.expectError(ErrorCode.INTERNAL);
        client.expectClosed();
        Await.until(() -> handler.closed.size() == 1, "onClose");
    }

    @Test
    void survivesOffersRacingWithClosesFromBothSides() throws Exception {
        final RecordingHandler handler = new RecordingHandler();
        final TestServer server = start(NioTransportConfig.defaults().withIoThreads(2), LOCAL.withOutboundHighWaterMark(64 * 1024), handler);
        final List<TestClient> clients = new ArrayList<>();
        final List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            clients.add(connect(server));
            ids.add(nextOpened(handler).id());
        }
        final List<Long> targets = ids.subList(0, 20); // 0..9 closed by the client, 10..19 by offerClose
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        final Thread[] producers = new Thread[3];
        for (int p = 0; p < producers.length; p++) {
            final Random random = new Random(p);
            producers[p] = new Thread(() -> {
                final UnsafeBuffer frame = new UnsafeBuffer(new byte[Protocol.HEADER + 8]);
                try {
                    while (!stop.get()) {
                        final long id = random.nextInt(10) == 0 ? random.nextLong() : targets.get(random.nextInt(20));
                        server.offer(id, frame, 0, FrameEncoder.pong(frame, 0, id));
                    }
                } catch (final Throwable t) {
                    failure.set(t);
                }
            });
            producers[p].start();
        }
        for (int i = 0; i < 10; i++) {
            clients.get(i).close();
            assertThat(server.offerClose(ids.get(10 + i), ErrorCode.DEVICE_REPLACED, "replaced")).isTrue();
        }
        Await.until(() -> handler.closed.size() == 20, "20 connections closed");
        stop.set(true);
        for (final Thread t : producers) {
            t.join(10_000);
        }
        assertThat(failure.get()).isNull();
        for (int i = 20; i < 30; i++) {
            clients.get(i).ping(i);
            clients.get(i).expectPong(i);
        }
        assertThat(server.awaitFlushed(10_000)).isTrue();
        assertThat(server.connectionCount()).isEqualTo(10);
        assertThat(handler.closeCounts.values()).allSatisfy(count -> assertThat(count.get()).isEqualTo(1));
        assertThat(handler.closeCounts.keySet()).containsExactlyInAnyOrderElementsOf(targets);
        Await.until(() -> server.borrowedBuffers() == 0, "no borrowed buffers");
    }

    @Test
    void idleConnectionsBorrowNoBuffers() throws Exception {
        final RecordingHandler handler = new RecordingHandler();
        final TestServer server = start(LOCAL, handler);
        final List<TestClient> clients = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            final TestClient client = connect(server);
            client.send(TestClient.frame(Protocol.SEND, new byte[5000]));
            client.ping(i);
            clients.add(client);
        }
        for (int i = 0; i < clients.size(); i++) {
            clients.get(i).readPong();
            clients.get(i).expectPong(i);
        }
        Await.until(() -> server.borrowedBuffers() == 0, "no borrowed buffers once idle");

        // One I/O thread: once another connection's PING is answered, the loop has also handled
        // the bytes sent earlier on the partial connection (same or earlier select).
        final TestClient partial = clients.get(0);
        final TestClient probe = clients.get(1);
        final byte[] body = new byte[100];
        new Random(9).nextBytes(body);
        final byte[] frame = TestClient.frame(Protocol.SEND, body);

        partial.send(frame, 0, 3); // part of the length prefix: kept in the connection, no buffer
        probe.ping(100);
        probe.expectPong(100);
        // awaited, not read once: the probe's own PONG borrows a chunk until its flush returns it
        Await.until(() -> server.borrowedBuffers() == 0, "a partial length prefix holds no buffer");

        partial.send(frame, 3, 10); // prefix known, body partial: one buffer sized for the frame
        probe.ping(101);
        probe.expectPong(101);
        Await.until(() -> server.borrowedBuffers() == 1, "a partial body holds exactly one buffer");

        partial.send(frame, 13, frame.length - 13);
        partial.expectPong(TestClient.digest(Protocol.SEND, body));
        Await.until(() -> server.borrowedBuffers() == 0, "the partial frame's buffer returned");
    }
}
