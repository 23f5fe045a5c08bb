package io.iris.transport.framing;

import io.iris.protocol.ErrorCode;
import io.iris.protocol.Protocol;
import org.agrona.DirectBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Iris's own framing (docs/protocol.md): every frame starts with its length as a 4-byte big-endian unsigned
 * integer, counting the type byte and the body. Outbound frames already carry their prefix, so {@link #encode}
 * passes bytes through.
 *
 * <p>Inbound, complete frames are delivered in place from the buffer the layer below filled (no copy). Only a
 * frame cut by the end of a read costs a buffer: the up to three bytes of a cut prefix are kept in an
 * {@code int}, and a frame whose prefix is known borrows a pool buffer of exactly its size until it completes,
 * so an idle connection holds none. A length of 0 closes with {@code MALFORMED_FRAME}; a length over
 * {@link FramedConnection#maxInboundFrame()} (or above 2^31 - 1) closes with {@code FRAME_TOO_LARGE}, checked
 * before anything is borrowed.
 */
public final class LengthPrefixFraming implements Framing {
    /** Makes a {@link LengthPrefixFraming} per connection. */
    public static final Factory FACTORY = LengthPrefixFraming::new;

    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;

    /** A partial frame, prefix included (limit = its full size, position = bytes received), else null. */
    private ByteBuffer partial;
    /** Up to three bytes of a length prefix received so far, big-endian in the high bytes. */
    private int header;
    private byte headerLength;

    @Override
    public void decode(final FramedConnection c, final DirectBuffer buffer, final int offset, final int length) {
        int pos = offset;
        final int end = offset + length;
        while (pos < end && c.isReading()) {
            final ByteBuffer in = partial;
            if (in != null) {
                final int n = Math.min(in.remaining(), end - pos);
                buffer.getBytes(pos, in, in.position(), n);
                in.position(in.position() + n);
                pos += n;
                if (!in.hasRemaining()) {
                    partial = null; // detached first: a close from the handler must not release it under the handler
                    try {
                        c.deliver(c.view(in), Protocol.LENGTH_FIELD, in.limit() - Protocol.LENGTH_FIELD);
                    } finally {
                        c.release(in);
                    }
                }
                continue;
            }
            if (headerLength > 0) {
                while (headerLength < Protocol.LENGTH_FIELD && pos < end) {
                    header |= (buffer.getByte(pos++) & 0xFF) << (24 - 8 * headerLength);
                    headerLength++;
                }
                if (headerLength < Protocol.LENGTH_FIELD) {
                    return;
                }
                final int frameLength = header;
                header = 0;
                headerLength = 0;
                if (!checked(c, frameLength)) {
                    return;
                }
                startPartial(c, frameLength);
                continue;
            }
            if (end - pos < Protocol.LENGTH_FIELD) {
                while (pos < end) {
                    header |= (buffer.getByte(pos++) & 0xFF) << (24 - 8 * headerLength);
                    headerLength++;
                }
                return;
            }
            final int frameLength = buffer.getInt(pos, BE);
            if (!checked(c, frameLength)) {
                return;
            }
            if (end - pos - Protocol.LENGTH_FIELD >= frameLength) {
                c.deliver(buffer, pos + Protocol.LENGTH_FIELD, frameLength);
                pos += Protocol.LENGTH_FIELD + frameLength;
                continue;
            }
            final ByteBuffer started = startPartial(c, frameLength);
            final int n = end - pos - Protocol.LENGTH_FIELD;
            buffer.getBytes(pos + Protocol.LENGTH_FIELD, started, Protocol.LENGTH_FIELD, n);
            started.position(Protocol.LENGTH_FIELD + n);
            return;
        }
    }

    /** Borrows the buffer of a frame whose prefix arrived and writes the prefix into it. */
    private ByteBuffer startPartial(final FramedConnection c, final int frameLength) {
        final int frameSize = Protocol.LENGTH_FIELD + frameLength;
        final ByteBuffer in = c.borrow(frameSize);
        in.limit(frameSize);
        in.order(BE).putInt(0, frameLength);
        in.position(Protocol.LENGTH_FIELD);
        partial = in;
        return in;
    }

    private static boolean checked(final FramedConnection c, final int frameLength) {
        if (frameLength == 0) {
            c.protocolError(ErrorCode.MALFORMED_FRAME, "frame length 0");
            return false;
        }
        final int max = c.maxInboundFrame();
        if (frameLength < 0 || frameLength > max) {
            c.protocolError(ErrorCode.FRAME_TOO_LARGE, "frame length " + Integer.toUnsignedString(frameLength)
                + " over the limit of " + max);
            return false;
        }
        return true;
    }

    @Override
    public void encode(final FramedConnection c, final DirectBuffer buffer, final int offset, final int length) {
        c.writeBelow(buffer, offset, length);
    }

    @Override
    public void release(final FramedConnection c) {
        final ByteBuffer in = partial;
        if (in != null) {
            partial = null;
            c.release(in);
        }
        header = 0;
        headerLength = 0;
    }
}
