package io.iris.examples;

import io.iris.transport.protocol.FrameDecoder;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;

/** A plain socket speaking (or abusing) the wire protocol directly, for hostile-input tests. */
final class RawConnection implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    final FrameDecoder decoder = new FrameDecoder();

    RawConnection(final int port, final int receiveBuffer) throws IOException {
        this(port, receiveBuffer, null);
    }

    /**
     * @param localAddress a loopback address to connect from (e.g. {@code 127.0.0.2}), or null for any.
     */
    RawConnection(final int port, final int receiveBuffer, final String localAddress) throws IOException {
        socket = new Socket();
        if (localAddress != null) {
            socket.bind(new InetSocketAddress(localAddress, 0));
        }
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(20_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    void write(final byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void write(final UnsafeBuffer buffer, final int length) throws IOException {
        final byte[] b = new byte[length];
        buffer.getBytes(0, b);
        write(b);
    }

    /**
     * @return the next frame, decoded (the decoder is valid until the next call), or null at EOF.
     * @throws IOException on timeout (20 s) or a malformed frame.
     */
    FrameDecoder readFrame() throws IOException {
        final int length;
        try {
            length = in.readInt();
        } catch (final EOFException e) {
            return null;
        }
        final byte[] frame = new byte[length];
        in.readFully(frame);
        if (!decoder.wrap(new UnsafeBuffer(frame), 0, length)) {
            throw new IOException("malformed frame from server: " + decoder.error());
        }
        return decoder;
    }

    /**
     * Reads and counts frames until the server closes the connection.
     *
     * @param type frame type to count.
     * @return how many frames of that type arrived before EOF.
     * @throws IOException if no EOF within 20 s of silence.
     */
    int countUntilClosed(final byte type) throws IOException {
        int n = 0;
        try {
            FrameDecoder d;
            while ((d = readFrame()) != null) {
                if (d.type() == type) {
                    n++;
                }
            }
        } catch (final SocketTimeoutException e) {
            throw new IOException("server did not close the connection", e);
        } catch (final java.net.SocketException e) {
            // connection reset: closed as well
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
