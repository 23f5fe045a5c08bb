package io.iris.transport;

import io.iris.protocol.ErrorCode;
import io.iris.transport.protocol.FrameEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * The TLS layer of one connection, server or client mode: its {@link SSLEngine} and, only while they hold
 * bytes, two buffers borrowed from the loop's {@link BufferPool}: ciphertext of a partial TLS record carried
 * between reads, and ciphertext produced but not yet taken by a full socket. The loop's shared
 * {@link LoopBuffers} do the rest of the work, so an idle TLS connection holds no buffer of its own.
 *
 * <p>Reads go into the loop's {@code netIn} buffer (after any carried ciphertext), are unwrapped record by
 * record into the loop's {@code plain} buffer, and that plaintext is fed to the connection's framing.
 * The connection's {@link OutboundQueue} keeps framed plaintext; a flush wraps it (gathering, several
 * records) into the loop's {@code netOut} buffer and writes. Handshake tasks run inline; handshake failures
 * let the engine send its alert, then close (logged at DEBUG). In server mode a first byte other than 0x16 (a
 * TLS handshake record) gets one plaintext {@code ERROR TLS_REQUIRED}. In client mode the handshake starts
 * when the connection opens. Owned by the connection's event-loop thread.
 */
final class TlsSocketLayer implements SocketLayer {
    /** TLS records wrapped into the shared {@code netOut} buffer per socket write. */
    static final int TLS_RECORDS_PER_WRITE = 4;
    /** Socket writes of TLS records per flush of one connection before yielding (fairness). */
    static final int MAX_TLS_WRITES_PER_FLUSH = 16;
    /** Bound on engine steps per read (a guard: each step consumes a record or makes handshake progress). */
    static final int MAX_TLS_STEPS_PER_READ = 100_000;
    /** First byte of a TLS handshake record. */
    static final byte TLS_HANDSHAKE_RECORD = 0x16;
    private static final ByteBuffer[] NO_DATA = {ByteBuffer.allocate(0)};

    private static final Logger LOG = LoggerFactory.getLogger(NioTransport.class);

    /** The buffers one event loop shares between its TLS connections; made with its first one. */
    static final class LoopBuffers {
        ByteBuffer netIn;
        ByteBuffer netOut;
        ByteBuffer plain;
        final UnsafeBuffer plainView = new UnsafeBuffer(0, 0);
        int packetSize;

        LoopBuffers(final SSLSession probe) {
            this.packetSize = probe.getPacketBufferSize();
            this.netIn = ByteBuffer.allocateDirect(EventLoop.READ_BUFFER_SIZE + packetSize);
            this.netOut = ByteBuffer.allocateDirect(TLS_RECORDS_PER_WRITE * packetSize);
            this.plain = ByteBuffer.allocateDirect(probe.getApplicationBufferSize());
        }
    }

    private final SSLEngine engine;
    private final boolean clientMode;
    private final LoopBuffers buffers;
    /** Ciphertext of a partial record (position 0, limit = its length) between reads, else null. */
    private ByteBuffer carry;
    /** Ciphertext the socket did not take yet (position = next byte to send), else null. */
    private ByteBuffer unsent;
    /** The first byte was seen and is a TLS handshake record (client mode: always true). */
    private boolean firstByteChecked;
    /** The handshake finished: application data flows. */
    private boolean handshakeDone;
    /** No close_notify is to be sent (the handshake failed, or one was sent already). */
    private boolean closeNotifyDone;

    TlsSocketLayer(final SSLEngine engine, final LoopBuffers buffers) {
        this.engine = engine;
        this.clientMode = engine.getUseClientMode();
        this.buffers = buffers;
        this.firstByteChecked = clientMode;
    }

    @Override
    public void onOpen(final EventLoop loop, final NioConnection c) {
        if (clientMode) {
            try {
                engine.beginHandshake();
            } catch (final SSLException e) {
                tlsFailed(loop, c, e);
                return;
            }
            loop.markDirty(c); // the flush sends the ClientHello
        }
    }

    @Override
    public boolean isReady() {
        return handshakeDone;
    }

    @Override
    public boolean hasCarriedInput() {
        return carry != null;
    }

    @Override
    public void failed(final NioConnection c) {
        closeNotifyDone = true;
    }

    // ---- input -----------------------------------------------------------------------------

    /**
     * Reads ciphertext (after any carried partial record), unwraps every complete record and feeds the
     * plaintext to the framing; carries a trailing partial record in a pool buffer.
     */
    @Override
    public boolean read(final EventLoop loop, final NioConnection c) throws IOException {
        final ByteBuffer in = buffers.netIn;
        in.clear();
        final ByteBuffer carried = carry;
        if (carried != null) {
            carry = null;
            in.put(carried);
            loop.pool.release(carried);
        }
        final int n = c.channel.read(in);
        if (n < 0) {
            closeNotifyDone = true; // the peer is gone without close_notify: nothing to answer
            loop.closeNow(c);
            return false;
        }
        if (n > 0) {
            loop.read(n);
        }
        if (in.position() == 0) {
            return false;
        }
        if (!firstByteChecked) {
            if (in.get(0) != TLS_HANDSHAKE_RECORD) {
                rejectPlaintext(loop, c);
                return false;
            }
            firstByteChecked = true;
        }
        final boolean filled = !in.hasRemaining();
        in.flip();
        unwrapAll(loop, c, in);
        if (c.state == NioConnection.OPEN && c.reading && in.hasRemaining()) {
            final ByteBuffer rest = loop.pool.acquire(in.remaining());
            rest.put(in).flip();
            carry = rest;
        }
        return filled && n > 0 && c.state == NioConnection.OPEN;
    }

    private void unwrapAll(final EventLoop loop, final NioConnection c, final ByteBuffer in) {
        for (int i = 0; i < MAX_TLS_STEPS_PER_READ; i++) {
            if (c.state != NioConnection.OPEN || !c.reading) {
                return;
            }
            final SSLEngineResult.HandshakeStatus hs = engine.getHandshakeStatus();
            if (hs == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                runTasks(engine);
                continue;
            }
            if (hs == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                loop.flush(c);
                if (c.state != NioConnection.OPEN || c.writeInterest
                    || engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                    return; // the socket is full: OP_WRITE resumes the handshake
                }
                continue;
            }
            if (!in.hasRemaining()) {
                return;
            }
            ByteBuffer plain = buffers.plain;
            plain.clear();
            final SSLEngineResult r;
            try {
                r = engine.unwrap(in, plain);
            } catch (final SSLException e) {
                tlsFailed(loop, c, e);
                return;
            }
            if (r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.FINISHED) {
                handshakeFinished(loop, c);
            }
            switch (r.getStatus()) {
                case BUFFER_UNDERFLOW:
                    return;
                case BUFFER_OVERFLOW:
                    final int wanted = engine.getSession().getApplicationBufferSize();
                    if (wanted <= plain.capacity()) {
                        tlsFailed(loop, c, new SSLException("record does not fit " + plain.capacity() + " bytes"));
                        return;
                    }
                    buffers.plain = ByteBuffer.allocateDirect(wanted);
                    continue;
                case CLOSED:
                    if (LOG.isDebugEnabled()) {
                        LOG.debug("close_notify from " + c);
                    }
                    loop.closeNow(c); // answers with our close_notify
                    return;
                default:
                    break;
            }
            if (plain.position() > 0) {
                buffers.plainView.wrap(plain, 0, plain.position());
                c.framing.decode(c, buffers.plainView, 0, plain.position());
            } else if (r.bytesConsumed() == 0 && r.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NEED_TASK
                && r.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                return;
            }
        }
    }

    private void handshakeFinished(final EventLoop loop, final NioConnection c) {
        handshakeDone = true;
        if (LOG.isDebugEnabled()) {
            final SSLSession session = engine.getSession();
            LOG.debug("TLS handshake done on " + c + ": " + session.getProtocol() + " " + session.getCipherSuite());
        }
        if (c.out != null && c.out.pending() > 0) {
            loop.markDirty(c); // output queued during the handshake can go now
        }
    }

    // ---- output ----------------------------------------------------------------------------

    @Override
    public boolean flush(final EventLoop loop, final NioConnection c) throws IOException {
        try {
            return writeTls(loop, c);
        } catch (final SSLException e) {
            tlsFailed(loop, c, e);
            return true;
        }
    }

    /**
     * Writes ciphertext left by a full socket, then wraps handshake messages and queued plaintext (once the
     * handshake is done) a few records at a time and writes them.
     *
     * @return true if nothing is left for the socket now (plaintext may still wait for the handshake).
     */
    private boolean writeTls(final EventLoop loop, final NioConnection c) throws IOException {
        final ByteBuffer left = unsent;
        if (left != null) {
            loop.wrote(c.channel.write(left));
            if (left.hasRemaining()) {
                return false;
            }
            unsent = null;
            loop.pool.release(left);
        }
        for (int w = 0; w < MAX_TLS_WRITES_PER_FLUSH; w++) {
            final ByteBuffer net = buffers.netOut;
            net.clear();
            boolean more = true;
            while (net.remaining() >= buffers.packetSize) {
                final SSLEngineResult.HandshakeStatus hs = engine.getHandshakeStatus();
                if (hs == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                    runTasks(engine);
                    continue;
                }
                final boolean data = handshakeDone && c.out != null && c.out.pending() > 0;
                if (!data && hs != SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                    more = false;
                    break;
                }
                final SSLEngineResult r = data ? c.out.wrapInto(engine, net, loop.pool) : engine.wrap(NO_DATA, net);
                if (data) {
                    loop.taken(r.bytesConsumed());
                }
                if (r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.FINISHED) {
                    handshakeFinished(loop, c);
                }
                if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                    if (net.position() == 0) {
                        buffers.packetSize = Math.max(buffers.packetSize, engine.getSession().getPacketBufferSize());
                        buffers.netOut = ByteBuffer.allocateDirect(TLS_RECORDS_PER_WRITE * buffers.packetSize);
                    }
                    break;
                }
                if (r.getStatus() == SSLEngineResult.Status.CLOSED
                    || (r.bytesConsumed() == 0 && r.bytesProduced() == 0)) {
                    more = false;
                    break;
                }
            }
            if (buffers.netOut != net) {
                continue; // grown: wrap again into the larger buffer
            }
            net.flip();
            if (net.hasRemaining()) {
                loop.wrote(c.channel.write(net));
                if (net.hasRemaining()) {
                    final ByteBuffer rest = loop.pool.acquire(net.remaining());
                    rest.put(net).flip();
                    unsent = rest;
                    return false;
                }
            }
            if (!more) {
                return true;
            }
        }
        return false; // more to wrap: OP_WRITE brings us back (fairness with other connections)
    }

    /** Writes what the socket takes of the queued output (the ERROR frame, if the handshake is done), discards input. */
    @Override
    public void flushBeforeClose(final EventLoop loop, final NioConnection c) {
        if (handshakeDone) {
            try {
                writeTls(loop, c);
            } catch (final IOException | RuntimeException e) {
                if (LOG.isDebugEnabled()) {
                    LOG.debug("could not send the error frame to " + c + ": " + e);
                }
                closeNotifyDone = true;
            }
        }
        try {
            EventLoop.discardInbound(c.channel, loop.discard);
        } catch (final IOException | RuntimeException e) {
            closeNotifyDone = true;
        }
    }

    /**
     * Sends close_notify (or, mid-handshake, the engine's closing alert) when the stream allows it, then
     * gives the connection's TLS buffers back.
     */
    @Override
    public void close(final EventLoop loop, final NioConnection c) {
        if (!closeNotifyDone && firstByteChecked && unsent == null) {
            closeNotifyDone = true;
            try {
                engine.closeOutbound();
                writeAlert(loop, c);
            } catch (final IOException | RuntimeException e) {
                if (LOG.isDebugEnabled()) {
                    LOG.debug("could not send close_notify to " + c + ": " + e);
                }
            }
        }
        final ByteBuffer carried = carry;
        if (carried != null) {
            carry = null;
            loop.pool.release(carried);
        }
        final ByteBuffer left = unsent;
        if (left != null) {
            unsent = null;
            loop.pool.release(left);
        }
    }

    /** Wraps what the engine has to say on its own (a closing alert, close_notify) and writes it once, without waiting. */
    private void writeAlert(final EventLoop loop, final NioConnection c) throws IOException {
        final ByteBuffer net = buffers.netOut;
        net.clear();
        for (int i = 0; i < 4 && net.remaining() >= buffers.packetSize; i++) {
            final SSLEngineResult r = engine.wrap(NO_DATA, net);
            if (r.bytesProduced() == 0) {
                break;
            }
        }
        net.flip();
        loop.wrote(c.channel.write(net));
    }

    /** A failed handshake or a bad record: sends the engine's alert (best effort), closes, logs at DEBUG. */
    private void tlsFailed(final EventLoop loop, final NioConnection c, final SSLException e) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("TLS failure on " + c + ": " + e.getMessage());
        }
        if (unsent == null) {
            try {
                writeAlert(loop, c);
                EventLoop.discardInbound(c.channel, loop.discard);
            } catch (final IOException | RuntimeException ignored) {
                // best effort: the peer may be gone already
            }
        }
        closeNotifyDone = true;
        loop.closeNow(c);
    }

    /** The first byte is not a TLS handshake record: answers one plaintext ERROR TLS_REQUIRED and closes. */
    private void rejectPlaintext(final EventLoop loop, final NioConnection c) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("closing " + c + ": plaintext on a TLS port");
        }
        final int length = FrameEncoder.error(loop.scratch, 0, ErrorCode.TLS_REQUIRED.code(), "this port requires TLS");
        final ByteBuffer frame = loop.scratch.byteBuffer().duplicate();
        frame.clear().limit(length);
        try {
            loop.wrote(c.channel.write(frame));
            EventLoop.discardInbound(c.channel, loop.discard);
        } catch (final IOException | RuntimeException e) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("could not send TLS_REQUIRED to " + c + ": " + e);
            }
        }
        closeNotifyDone = true;
        loop.closeNow(c);
    }

    private static void runTasks(final SSLEngine engine) {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }
}
