package io.iris.benchmarks.load;

import io.iris.transport.protocol.FrameDecoder;
import io.iris.transport.protocol.FrameEncoder;
import io.iris.protocol.Protocol;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A lean driver of the wire protocol: one thread and one selector for many connections, no objects
 * per message. It connects (at most {@code maxPendingLogins} connects and logins outstanding, from the
 * loopback source address each connection names), logs in, then hands every frame to the scenario
 * ({@link #onFrame}); the scenario writes frames into the connection's outbound buffer, which is
 * flushed once per loop iteration. A scenario may also act on every iteration ({@link #tick}) and say
 * how long the loop may block ({@link #waitNanos}): waits of a millisecond or more block in
 * {@code select}, shorter ones poll and park briefly.
 *
 * <p>With {@link #useTls} every connection speaks TLS 1.3: one client {@link SSLEngine} per connection,
 * driven on the loop thread (delegated tasks run inline), the server certificate checked against the
 * given trust and the server's address. The scenario still sees plaintext frames in
 * {@link WireConnection#in} and writes plaintext into {@link WireConnection#out}.
 */
abstract class WireLoop implements Runnable {
    private static final long MILLI = TimeUnit.MILLISECONDS.toNanos(1);

    final List<WireConnection> connections = new ArrayList<>();
    final FrameDecoder decoder = new FrameDecoder();
    final Selector selector;
    final Thread thread;
    private final InetSocketAddress server;
    private final int maxPendingLogins;
    private final ArrayDeque<WireConnection> toConnect = new ArrayDeque<>();
    private final java.util.concurrent.ConcurrentLinkedQueue<Runnable> tasks = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final Consumer<SelectionKey> onKey = this::onKey;
    private SSLContext tlsContext;
    private int pendingLogins;
    private volatile boolean stop;
    volatile int loggedIn;
    volatile int failed;
    /** Connections that logged in over a TLS 1.3 session (TLS only). */
    volatile int loggedInTls13;
    volatile Throwable failure;
    long nowNanos;

    WireLoop(final String name, final InetSocketAddress server, final int maxPendingLogins) throws IOException {
        this.server = server;
        this.maxPendingLogins = maxPendingLogins;
        this.selector = Selector.open();
        this.thread = new Thread(this, name);
        this.thread.setDaemon(true);
    }

    /**
     * Makes every connection of this loop speak TLS 1.3 (before {@link #start()}).
     *
     * @param context client context whose trust managers accept the server's certificate.
     */
    void useTls(final SSLContext context) {
        this.tlsContext = context;
    }

    /** Adds a connection to open once the loop runs. Before {@link #start()}. */
    void add(final WireConnection c) {
        c.loopIndex = connections.size();
        connections.add(c);
        toConnect.add(c);
    }

    void start() {
        thread.start();
    }

    void stop() {
        stop = true;
        selector.wakeup();
    }

    /** Runs a task on the loop thread at its next iteration. Any thread. */
    void post(final Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    void join(final long millis) throws InterruptedException {
        thread.join(millis);
    }

    /** Called on the loop thread when a connection got LOGIN_OK. */
    void onLoggedIn(final WireConnection c) {
    }

    /** Called on the loop thread for every frame after LOGIN_OK ({@link #decoder} holds it). */
    abstract void onFrame(WireConnection c, FrameDecoder d);

    /** Called on the loop thread once per iteration, before the flush. */
    void tick() {
    }

    /** @return how long the loop may wait for I/O now, in nanos (0: poll). */
    long waitNanos() {
        return 100 * MILLI;
    }

    @Override
    public void run() {
        try {
            while (!stop) {
                nowNanos = System.nanoTime();
                openMore();
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    task.run();
                }
                tick();
                flushAll();
                final long wait = waitNanos();
                if (wait >= MILLI) {
                    selector.select(onKey, wait / MILLI);
                } else if (selector.selectNow(onKey) == 0 && wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
        } catch (final Throwable t) {
            failure = t;
        } finally {
            for (final WireConnection c : connections) {
                closeQuietly(c);
            }
            try {
                selector.close();
            } catch (final IOException ignored) {
                // closing anyway
            }
        }
    }

    private void openMore() {
        while (pendingLogins < maxPendingLogins && !toConnect.isEmpty()) {
            final WireConnection c = toConnect.poll();
            try {
                final SocketChannel ch = SocketChannel.open();
                c.channel = ch;
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                if (c.bindAddress != null) {
                    ch.bind(new InetSocketAddress(c.bindAddress, 0));
                }
                pendingLogins++;
                if (ch.connect(server)) {
                    connected(c);
                } else {
                    c.key = ch.register(selector, SelectionKey.OP_CONNECT, c);
                }
            } catch (final IOException e) {
                fail(c, "connect: " + e);
            }
        }
    }

    private void connected(final WireConnection c) throws IOException {
        c.connected = true;
        if (tlsContext != null) {
            final SSLEngine engine = tlsContext.createSSLEngine(server.getHostString(), server.getPort());
            engine.setUseClientMode(true);
            engine.setEnabledProtocols(new String[] {"TLSv1.3"});
            final SSLParameters params = engine.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name 127.0.0.1
            engine.setSSLParameters(params);
            final int packet = engine.getSession().getPacketBufferSize();
            c.tls = engine;
            c.netIn = ByteBuffer.allocateDirect(packet);
            c.netOut = ByteBuffer.allocateDirect(packet);
            engine.beginHandshake();
        }
        if (c.key == null) {
            c.key = c.channel.register(selector, SelectionKey.OP_READ, c);
        } else {
            c.key.interestOps(SelectionKey.OP_READ);
        }
        c.out.put(c.loginFrame);
    }

    private void onKey(final SelectionKey key) {
        final WireConnection c = (WireConnection) key.attachment();
        if (!key.isValid() || c.closed) {
            return;
        }
        nowNanos = System.nanoTime();
        try {
            if (key.isConnectable()) {
                if (c.channel.finishConnect()) {
                    connected(c);
                }
                return;
            }
            if (key.isWritable()) {
                flush(c);
            }
            if (key.isReadable()) {
                read(c);
            }
        } catch (final IOException e) {
            fail(c, e.toString());
        }
    }

    private void read(final WireConnection c) throws IOException {
        if (c.tls != null) {
            readTls(c);
            return;
        }
        for (int reads = 0; reads < 4 && !c.closed; reads++) {
            final int n = c.channel.read(c.in);
            if (n < 0) {
                fail(c, "closed by the server");
                return;
            }
            if (n == 0) {
                return;
            }
            parse(c);
            if (c.in.hasRemaining()) {
                return;
            }
        }
    }

    /** Reads ciphertext, unwraps it into {@code c.in}, parses the frames, answers handshake messages. */
    private void readTls(final WireConnection c) throws IOException {
        final SSLEngine engine = c.tls;
        for (int reads = 0; reads < 4 && !c.closed; reads++) {
            final int n = c.channel.read(c.netIn);
            if (n < 0) {
                fail(c, "closed by the server");
                return;
            }
            if (n == 0) {
                return;
            }
            c.netIn.flip();
            try {
                for (int step = 0; step < 1_000 && !c.closed; step++) {
                    final SSLEngineResult r = engine.unwrap(c.netIn, c.in);
                    if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                        fail(c, "TLS closed by the server");
                        return;
                    }
                    if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                        break; // a partial record: wait for more bytes
                    }
                    if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                        final int room = c.in.remaining();
                        parse(c);
                        if (c.closed) {
                            return;
                        }
                        if (c.in.remaining() <= room) {
                            fail(c, "a TLS record does not fit the generator's " + c.in.capacity() + "-byte buffer");
                            return;
                        }
                        continue;
                    }
                    runTasks(engine, r.getHandshakeStatus());
                    if (engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                        flushTls(c);
                    }
                    if (!c.netIn.hasRemaining() || r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
                        break;
                    }
                }
            } finally {
                c.netIn.compact();
            }
            if (c.closed) {
                return;
            }
            parse(c);
            if (!c.closed) {
                flushTls(c); // handshake answers, and the LOGIN once the handshake is done
            }
            if (c.netIn.hasRemaining()) {
                return; // the read did not fill the buffer: the socket is drained
            }
        }
    }

    private static void runTasks(final SSLEngine engine, final SSLEngineResult.HandshakeStatus status) {
        if (status == SSLEngineResult.HandshakeStatus.NEED_TASK) {
            Runnable task;
            while ((task = engine.getDelegatedTask()) != null) {
                task.run();
            }
        }
    }

    /**
     * Wraps what the engine wants to send (handshake messages; after the handshake the plaintext in
     * {@code c.out}) into {@code c.netOut} and writes as much of it as the socket takes.
     */
    private void flushTls(final WireConnection c) throws IOException {
        final SSLEngine engine = c.tls;
        final ByteBuffer out = c.out;
        out.flip();
        try {
            for (int step = 0; step < 1_000; step++) {
                final SSLEngineResult.HandshakeStatus hs = engine.getHandshakeStatus();
                if (hs == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                    runTasks(engine, hs);
                    continue;
                }
                final boolean handshaking = hs != SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
                    && hs != SSLEngineResult.HandshakeStatus.FINISHED;
                if (handshaking ? hs != SSLEngineResult.HandshakeStatus.NEED_WRAP : !out.hasRemaining()) {
                    break; // waiting for the server, or nothing to send
                }
                final SSLEngineResult r = engine.wrap(out, c.netOut);
                if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                    throw new IOException("TLS engine closed");
                }
                if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                    writeNet(c);
                    if (c.netOut.position() > 0) {
                        break; // the socket is full: OP_WRITE resumes
                    }
                    continue;
                }
                if (r.bytesConsumed() == 0 && r.bytesProduced() == 0
                    && r.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NEED_TASK) {
                    break;
                }
            }
        } finally {
            out.compact();
        }
        writeNet(c);
        final int ops = SelectionKey.OP_READ | (c.netOut.position() > 0 ? SelectionKey.OP_WRITE : 0);
        if (c.key.interestOps() != ops) {
            c.key.interestOps(ops);
        }
    }

    private static void writeNet(final WireConnection c) throws IOException {
        if (c.netOut.position() == 0) {
            return;
        }
        c.netOut.flip();
        c.channel.write(c.netOut);
        c.netOut.compact();
    }

    private void parse(final WireConnection c) {
        final ByteBuffer in = c.in;
        final int limit = in.position();
        int pos = 0;
        while (limit - pos >= Protocol.LENGTH_FIELD) {
            final int length = c.inView.getInt(pos, ByteOrder.BIG_ENDIAN);
            if (length < 1 || length > in.capacity() - Protocol.LENGTH_FIELD) {
                fail(c, "frame length " + length + " does not fit the generator's buffer");
                return;
            }
            if (limit - pos - Protocol.LENGTH_FIELD < length) {
                break;
            }
            if (!decoder.wrap(c.inView, pos + Protocol.LENGTH_FIELD, length)) {
                fail(c, "malformed frame from the server: " + decoder.error());
                return;
            }
            pos += Protocol.LENGTH_FIELD + length;
            dispatch(c, decoder);
            if (c.closed) {
                return;
            }
        }
        if (pos > 0) {
            in.limit(limit).position(pos);
            in.compact();
        }
    }

    private void dispatch(final WireConnection c, final FrameDecoder d) {
        switch (d.type()) {
            case Protocol.LOGIN_OK:
                c.loggedIn = true;
                c.lastDeliveredSeq = d.cursor();
                c.ackedSeq = d.cursor();
                pendingLogins--;
                loggedIn++;
                if (c.tls != null && "TLSv1.3".equals(c.tls.getSession().getProtocol())) {
                    loggedInTls13++;
                }
                onLoggedIn(c);
                break;
            case Protocol.ERROR:
                fail(c, "ERROR " + d.code() + ": " + d.text());
                break;
            case Protocol.GOAWAY:
                fail(c, "GOAWAY: " + d.text());
                break;
            case Protocol.PING:
                if (reserve(c, 16)) {
                    c.out.position(c.out.position() + FrameEncoder.pong(c.outView, c.out.position(), d.nonce()));
                }
                break;
            case Protocol.PONG:
                c.pongs++;
                break;
            default:
                onFrame(c, d);
        }
    }

    /**
     * @param c     the connection.
     * @param bytes room needed in its outbound buffer.
     * @return true if the room is there (after flushing if need be).
     */
    boolean reserve(final WireConnection c, final int bytes) {
        if (c.out.remaining() >= bytes) {
            return true;
        }
        try {
            flush(c);
        } catch (final IOException e) {
            fail(c, e.toString());
            return false;
        }
        return c.out.remaining() >= bytes;
    }

    /** Sends a PING on every logged-in connection (liveness check). */
    void pingAll(final long nonce) {
        for (final WireConnection c : connections) {
            if (c.loggedIn && !c.closed && reserve(c, 16)) {
                c.out.position(c.out.position() + FrameEncoder.ping(c.outView, c.out.position(), nonce));
            }
        }
    }

    private void flushAll() {
        for (int i = 0; i < connections.size(); i++) {
            final WireConnection c = connections.get(i);
            if (c.out.position() > 0 && c.connected && !c.closed) {
                try {
                    flush(c);
                } catch (final IOException e) {
                    fail(c, e.toString());
                }
            }
        }
    }

    private void flush(final WireConnection c) throws IOException {
        if (c.tls != null) {
            flushTls(c);
            return;
        }
        final ByteBuffer out = c.out;
        out.flip();
        c.channel.write(out);
        out.compact();
        final boolean pending = out.position() > 0;
        final int ops = SelectionKey.OP_READ | (pending ? SelectionKey.OP_WRITE : 0);
        if (c.key.interestOps() != ops) {
            c.key.interestOps(ops);
        }
    }

    void fail(final WireConnection c, final String reason) {
        if (c.closed) {
            return;
        }
        if (!c.loggedIn) {
            pendingLogins--;
            failed++;
        }
        c.closed = true;
        c.closeReason = reason;
        onClosed(c);
        closeQuietly(c);
    }

    /** Called on the loop thread when a connection fails or is closed by the server. */
    void onClosed(final WireConnection c) {
    }

    private static void closeQuietly(final WireConnection c) {
        try {
            if (c.channel != null) {
                c.channel.close();
            }
        } catch (final IOException ignored) {
            // already failing
        }
    }
}
