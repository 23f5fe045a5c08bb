package io.iris.transport;

import io.iris.protocol.ErrorCode;
import io.iris.transport.protocol.FrameDecoder;
import io.iris.transport.protocol.FrameEncoder;
import io.iris.protocol.Protocol;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A blocking test client on a plain {@link Socket}. Every read has a deadline (SO_TIMEOUT), so a test
 * waiting for the server fails instead of hanging.
 */
final class TestClient implements AutoCloseable {
    static final int READ_TIMEOUT_MILLIS = 10_000;

    /** A received frame. */
    record Frame(int type, byte[] body) {
        FrameDecoder decode() {
            final UnsafeBuffer b = new UnsafeBuffer(new byte[body.length + 1]);
            b.putByte(0, (byte) type);
            b.putBytes(1, body);
            final FrameDecoder d = new FrameDecoder();
            assertThat(d.wrap(b, 0, body.length + 1)).as("decodes: %s", d.error()).isTrue();
            return d;
        }
    }

    final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    TestClient(final int port) throws IOException {
        this(port, 0);
    }

    TestClient(final int port, final int receiveBuffer) throws IOException {
        this(port, receiveBuffer, null);
    }

    /**
     * @param localAddress a loopback address to connect from (e.g. {@code 127.0.0.2}), or null for any.
     */
    TestClient(final int port, final int receiveBuffer, final String localAddress) throws IOException {
        socket = new Socket();
        if (localAddress != null) {
            socket.bind(new InetSocketAddress(localAddress, 0));
        }
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.connect(new InetSocketAddress("127.0.0.1", port), READ_TIMEOUT_MILLIS);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Wraps an already connected socket (e.g. an {@code SSLSocket}); sets the read deadline. */
    TestClient(final Socket connected) throws IOException {
        socket = connected;
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    void send(final byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void send(final byte[] bytes, final int offset, final int length) throws IOException {
        out.write(bytes, offset, length);
        out.flush();
    }

    void ping(final long nonce) throws IOException {
        send(pingFrame(nonce));
    }

    Frame readFrame() throws IOException {
        final int length = in.readInt();
        assertThat(length).as("frame length").isBetween(1, 16 * 1024 * 1024);
        final int type = in.readUnsignedByte();
        final byte[] body = new byte[length - 1];
        in.readFully(body);
        return new Frame(type, body);
    }

    long readPong() throws IOException {
        final Frame f = readFrame();
        assertThat(f.type()).as("frame type %s", Protocol.typeName(f.type())).isEqualTo(Protocol.PONG);
        return f.decode().nonce();
    }

    void expectPong(final long nonce) throws IOException {
        assertThat(readPong()).isEqualTo(nonce);
    }

    /** Reads an ERROR frame and returns its decoded form. */
    FrameDecoder readError() throws IOException {
        final Frame f = readFrame();
        assertThat(f.type()).as("frame type %s", Protocol.typeName(f.type())).isEqualTo(Protocol.ERROR);
        return f.decode();
    }

    void expectError(final ErrorCode code) throws IOException {
        final FrameDecoder d = readError();
        assertThat(ErrorCode.fromCode(d.code())).as("error code, text: %s", d.text()).isEqualTo(code);
    }

    /** Reads until the server closes the connection (EOF or reset); fails if it does not within the deadline. */
    void expectClosed() throws IOException {
        final byte[] sink = new byte[8192];
        try {
            while (true) {
                if (socket.getInputStream().read(sink) < 0) {
                    return;
                }
            }
        } catch (final SocketTimeoutException e) {
            fail("server did not close the connection within " + READ_TIMEOUT_MILLIS + " ms");
        } catch (final SocketException | EOFException e) {
            // reset by the server: closed too
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    // ---- frame builders ----

    static byte[] pingFrame(final long nonce) {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[Protocol.HEADER + 8]);
        FrameEncoder.ping(b, 0, nonce);
        return b.byteArray();
    }

    /** A frame of any type with this body (length prefix included). */
    static byte[] frame(final int type, final byte[] body) {
        final ByteBuffer b = ByteBuffer.allocate(Protocol.HEADER + body.length);
        b.putInt(1 + body.length).put((byte) type).put(body);
        return b.array();
    }

    /** The nonce {@link RecordingHandler} answers a non-PING frame with. */
    static long digest(final int type, final byte[] body) {
        final CRC32 crc = new CRC32();
        crc.update(type);
        crc.update(body);
        return ((long) (body.length + 1) << 32) | crc.getValue();
    }
}
