package io.iris.client;

import io.iris.protocol.ErrorCode;
import io.iris.protocol.SendStatus;
import io.iris.protocol.codec.ByteBufferFrameDecoder;
import io.iris.protocol.codec.ByteBufferFrameEncoder;
import io.iris.protocol.Protocol;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Test double of an Iris server at the protocol level: accepts connections on 127.0.0.1 and lets the
 * test read the client's frames (decoded with {@link ByteBufferFrameDecoder}) and write server frames (encoded
 * with {@link ByteBufferFrameEncoder}) step by step. Not a server: it does only what the test script says.
 */
final class ScriptedServer implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(5);

    private final ServerSocket server;
    private final BlockingQueue<Peer> accepted = new LinkedBlockingQueue<>();
    private final Thread acceptor;

    ScriptedServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    accepted.add(new Peer(server.accept()));
                } catch (final IOException e) {
                    return;
                }
            }
        }, "scripted-server-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** @return the next connection, failing the test if none arrives within {@link #WAIT}. */
    Peer accept() throws InterruptedException {
        final Peer peer = accepted.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(peer).as("a client connection within " + WAIT).isNotNull();
        return peer;
    }

    /** @return a connection accepted within the window, or null. */
    Peer pollAccept(final Duration window) throws InterruptedException {
        return accepted.poll(window.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws IOException {
        server.close();
        Peer p;
        while ((p = accepted.poll()) != null) {
            p.close();
        }
    }

    /** One decoded client frame; only the fields of its type are set. */
    record Frame(byte type, int minVersion, int maxVersion, String token, String deviceId, long seq,
                 long clientMsgId, String id, byte[] payload, long nonce) {
        static Frame of(final ByteBufferFrameDecoder d) {
            switch (d.type()) {
                case Protocol.LOGIN:
                    return new Frame(d.type(), d.minVersion(), d.maxVersion(), d.token(), d.deviceId(), d.seq(),
                        0, null, null, 0);
                case Protocol.SEND:
                    return new Frame(d.type(), 0, 0, null, null, 0, d.clientMsgId(), d.id(), d.payload(), 0);
                case Protocol.DELIVER_ACK:
                    return new Frame(d.type(), 0, 0, null, null, d.seq(), 0, null, null, 0);
                case Protocol.PRESENCE_QUERY:
                    return new Frame(d.type(), 0, 0, null, null, 0, 0, d.id(), null, 0);
                case Protocol.PING:
                case Protocol.PONG:
                    return new Frame(d.type(), 0, 0, null, null, 0, 0, null, null, d.nonce());
                default:
                    throw new AssertionError("the client sent a " + Protocol.typeName(d.type()) + " frame");
            }
        }

        String payloadText() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    /** One accepted connection. */
    static final class Peer implements AutoCloseable {
        private final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;
        private final ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
        private final ByteBufferFrameDecoder decoder = new ByteBufferFrameDecoder();
        private int pending;

        Peer(final Socket socket) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        /** Reads the next frame, failing the test if none arrives within {@link #WAIT}. */
        Frame read() throws IOException {
            final Frame f = poll(WAIT);
            assertThat(f).as("a frame from the client within " + WAIT).isNotNull();
            return f;
        }

        /** Reads the next frame, skipping heartbeat PINGs, and checks its type. */
        Frame expect(final byte type) throws IOException {
            while (true) {
                final Frame f = read();
                if (f.type() == Protocol.PING && type != Protocol.PING) {
                    continue;
                }
                assertThat(Protocol.typeName(f.type())).isEqualTo(Protocol.typeName(type));
                return f;
            }
        }

        /** @return the next frame within the window, or null if none came (the stream is then unusable
         * only if a frame was cut in the middle, which the assertion would reveal). */
        Frame poll(final Duration window) throws IOException {
            socket.setSoTimeout((int) Math.max(1, window.toMillis()));
            final int length;
            try {
                length = in.readInt();
            } catch (final SocketTimeoutException e) {
                return null;
            }
            socket.setSoTimeout((int) WAIT.toMillis());
            assertThat(length).isBetween(1, 1 << 20);
            final byte[] frame = new byte[length];
            in.readFully(frame);
            final boolean ok = decoder.wrap(ByteBuffer.wrap(frame), 0, length);
            assertThat(ok).as("client frame is well-formed: %s", decoder.error()).isTrue();
            return Frame.of(decoder);
        }

        /** @return true if the client closed the connection within {@link #WAIT} (frames before EOF are skipped). */
        boolean awaitEof() throws IOException {
            socket.setSoTimeout((int) WAIT.toMillis());
            try {
                while (true) {
                    final int length = in.readInt();
                    in.skipNBytes(length);
                }
            } catch (final EOFException e) {
                return true;
            } catch (final SocketTimeoutException e) {
                return false;
            } catch (final IOException e) {
                return true; // reset by peer
            }
        }

        /** Sends a PING and waits for its PONG, failing if any other frame (but a heartbeat PING) comes first. */
        void barrier(final long nonce) throws IOException {
            ping(nonce).flush();
            final Frame f = expect(Protocol.PONG);
            assertThat(f.nonce()).isEqualTo(nonce);
        }

        Peer loginOk(final String userId, final int maxPayload, final int heartbeatMillis, final long cursor,
                     final long lastSeq) {
            pending += ByteBufferFrameEncoder.loginOk(buffer, pending, Protocol.VERSION, userId.getBytes(StandardCharsets.UTF_8),
                System.currentTimeMillis(), maxPayload, heartbeatMillis, cursor, lastSeq);
            return this;
        }

        Peer sendAck(final long clientMsgId, final SendStatus status, final long seq, final long time,
                     final long retryAfter) {
            pending += ByteBufferFrameEncoder.sendAck(buffer, pending, clientMsgId, status.code(), seq, time, retryAfter);
            return this;
        }

        Peer deliver(final long seq, final String sender, final String payload) {
            final byte[] s = sender.getBytes(StandardCharsets.UTF_8);
            final byte[] p = payload.getBytes(StandardCharsets.UTF_8);
            pending += ByteBufferFrameEncoder.deliver(buffer, pending, seq, s, 0, s.length, 1000 + seq,
                p, 0, p.length);
            return this;
        }

        Peer presence(final String userId, final boolean online, final long lastSeen) {
            pending += ByteBufferFrameEncoder.presence(buffer, pending, userId.getBytes(StandardCharsets.UTF_8), online, lastSeen);
            return this;
        }

        Peer ping(final long nonce) {
            pending += ByteBufferFrameEncoder.ping(buffer, pending, nonce);
            return this;
        }

        Peer error(final ErrorCode code, final String text) {
            pending += ByteBufferFrameEncoder.error(buffer, pending, code.code(), text);
            return this;
        }

        /** An ERROR with typed retry advice (protocol version 2). */
        Peer error(final ErrorCode code, final String text, final long retryAfterMillis) {
            pending += ByteBufferFrameEncoder.error(buffer, pending, code.code(), text, retryAfterMillis);
            return this;
        }

        Peer goAway(final int reconnectAfterMillis, final String text) {
            pending += ByteBufferFrameEncoder.goaway(buffer, pending, reconnectAfterMillis, text);
            return this;
        }

        Peer raw(final int... bytes) {
            for (final int b : bytes) {
                buffer.put(pending++, (byte) b);
            }
            return this;
        }

        /** Writes every frame queued since the last flush in one write (so they arrive together). */
        void flush() throws IOException {
            out.write(buffer.array(), 0, pending);
            out.flush();
            pending = 0;
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (final IOException ignored) {
                // test teardown
            }
        }
    }
}
