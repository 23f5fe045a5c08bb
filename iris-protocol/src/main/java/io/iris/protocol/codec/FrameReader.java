package io.iris.protocol.codec;

import io.iris.protocol.Protocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * Reassembles frames from a blocking stream for one connection at a time. The length prefix is checked
 * against the current limit before any room is made for the frame, so a hostile or broken peer cannot
 * make the client allocate more than {@code limit + 4} bytes. Not thread-safe: one reader thread owns it.
 */
public final class FrameReader {
    /** A frame that breaks the protocol: bad length or a body {@link ByteBufferFrameDecoder} refuses. */
    public static final class FrameException extends IOException {
        private static final long serialVersionUID = 1L;

        /** @param message what is wrong with the frame. */
        public FrameException(final String message) {
            super(message);
        }
    }

    private final int initialCapacity;
    private ByteBuffer buffer;
    private byte[] bytes;
    private int start;
    private int end;
    private int limit;

    /** @param initialCapacity the reassembly buffer's size until a larger frame needs more. */
    public FrameReader(final int initialCapacity) {
        this.initialCapacity = initialCapacity;
        this.bytes = new byte[initialCapacity];
        this.buffer = ByteBuffer.wrap(bytes);
    }

    /**
     * Forgets any bytes of a previous connection.
     *
     * @param limit the largest frame length (type + body) accepted.
     */
    public void reset(final int limit) {
        start = 0;
        end = 0;
        this.limit = limit;
        if (bytes.length > initialCapacity) {
            bytes = new byte[initialCapacity];
            buffer = ByteBuffer.wrap(bytes);
        }
    }

    /** @param limit the largest frame length (type + body) accepted from now on. */
    public void limit(final int limit) {
        this.limit = limit;
    }

    /** @return the size of the reassembly buffer now: never above the limit plus the length prefix once it grew. */
    public int capacity() {
        return bytes.length;
    }

    /**
     * Reads what the stream has (blocking until at least one byte, EOF or the socket timeout).
     *
     * @param in the connection's stream.
     * @return bytes read, or -1 at end of stream.
     * @throws IOException as the stream does, including {@link java.net.SocketTimeoutException}.
     */
    public int fill(final InputStream in) throws IOException {
        if (start == end) {
            start = 0;
            end = 0;
        } else if (end == bytes.length) {
            compact();
        }
        final int n = in.read(bytes, end, bytes.length - end);
        if (n > 0) {
            end += n;
        }
        return n;
    }

    /**
     * Wraps the decoder around the next complete frame, if there is one. The decoder's view stays valid
     * until the next call to {@link #poll} or {@link #fill}.
     *
     * @param decoder wrapped around the frame on success.
     * @return true if a frame was decoded, false if more bytes are needed.
     * @throws FrameException if the next frame's length is out of range or the frame is malformed.
     */
    public boolean poll(final ByteBufferFrameDecoder decoder) throws FrameException {
        final int available = end - start;
        if (available < Protocol.LENGTH_FIELD) {
            return false;
        }
        final long length = buffer.getInt(start) & 0xFFFF_FFFFL;
        if (length < 1) {
            throw new FrameException("frame with length 0");
        }
        if (length > limit) {
            throw new FrameException("frame of " + length + " bytes over the limit of " + limit);
        }
        final int total = Protocol.LENGTH_FIELD + (int) length;
        if (available < total) {
            makeRoom(total);
            return false;
        }
        final boolean ok = decoder.wrap(buffer, start + Protocol.LENGTH_FIELD, (int) length);
        start += total;
        if (!ok) {
            throw new FrameException("malformed " + Protocol.typeName(decoder.type()) + " frame: " + decoder.error());
        }
        return true;
    }

    private void makeRoom(final int total) {
        if (bytes.length - start >= total) {
            return;
        }
        if (bytes.length >= total) {
            compact();
            return;
        }
        final int capacity = (int) Math.max(total, Math.min(2L * bytes.length, (long) limit + Protocol.LENGTH_FIELD));
        final byte[] grown = new byte[capacity];
        System.arraycopy(bytes, start, grown, 0, end - start);
        end -= start;
        start = 0;
        bytes = grown;
        buffer = ByteBuffer.wrap(grown);
    }

    private void compact() {
        System.arraycopy(bytes, start, bytes, 0, end - start);
        end -= start;
        start = 0;
    }
}
