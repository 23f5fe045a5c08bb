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
 * frame cut by the end of a read costs a buffer: the up to three bytes of a cut length prefix are kept in the
 * connection's framing word ({@link FramedConnection#framingWord}: the bytes in its high bytes, their count in
 * the low byte), and a frame whose prefix is known borrows a pool buffer of its size, parked on the connection
 * ({@link FramedConnection#park}; limit = the frame's size with its prefix, position = the bytes received)
 * until it completes, so an idle connection holds none. A length of 0 closes with {@code MALFORMED_FRAME}; a length over
 * {@link FramedConnection#maxInboundFrame()} (or above 2^31 - 1) closes with {@code FRAME_TOO_LARGE}, checked
 * before a frame's buffer is borrowed.
 *
 * <p>Why stateless: all of a connection's framing state lives in that word and that parked buffer, so one instance
 * serves every connection and an idle connection pays no framing object (the transport keeps tens of
 * thousands of idle connections; see docs/benchmarks.md).
 */
public final class LengthPrefixFraming implements Framing {
    /** The one instance: it keeps no state of its own. */
    public static final LengthPrefixFraming INSTANCE = new LengthPrefixFraming();
    /** Hands every connection {@link #INSTANCE}. */
    public static final Factory FACTORY = () -> INSTANCE;

    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;

    private LengthPrefixFraming() {
    }

    @Override
    public void decode(final FramedConnection c, final DirectBuffer buffer, final int offset, final int length) {
        int pos = offset;
        final int end = offset + length;
        while (pos < end && c.isReading()) {
            final int word = c.framingWord();
            if (word != 0) {
                // the rest of a cut length prefix: the bytes so far in the word's high bytes, their count in the low one
                int prefix = word & ~0xFF;
                int count = word & 0xFF;
                while (count < Protocol.LENGTH_FIELD - 1 && pos < end) {
                    prefix |= (buffer.getByte(pos++) & 0xFF) << (24 - 8 * count);
                    count++;
                }
                if (pos == end) {
                    c.framingWord(prefix | count);
                    return;
                }
                final int frameLength = prefix | (buffer.getByte(pos++) & 0xFF);
                c.framingWord(0);
                if (!checked(c, frameLength)) {
                    return;
                }
                startPartial(c, frameLength);
                continue;
            }
            final ByteBuffer in = c.parked();
            if (in != null) {
                final int n = Math.min(in.remaining(), end - pos);
                buffer.getBytes(pos, in, in.position(), n);
                in.position(in.position() + n);
                pos += n;
                if (!in.hasRemaining()) {
                    c.park(null); // unparked first: a close from the handler must not release it under the handler
                    try {
                        c.deliver(c.view(in), Protocol.LENGTH_FIELD, in.limit() - Protocol.LENGTH_FIELD);
                    } finally {
                        c.release(in);
                    }
                }
                continue;
            }
            if (end - pos < Protocol.LENGTH_FIELD) {
                int cut = 0;
                int count = 0;
                while (pos < end) {
                    cut |= (buffer.getByte(pos++) & 0xFF) << (24 - 8 * count++);
                }
                c.framingWord(cut | count);
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

    /** Borrows the buffer of a frame whose prefix arrived, writes the prefix into it and parks it. */
    private static ByteBuffer startPartial(final FramedConnection c, final int frameLength) {
        final int frameSize = Protocol.LENGTH_FIELD + frameLength;
        final ByteBuffer in = c.borrow(frameSize);
        in.limit(frameSize);
        in.order(BE).putInt(0, frameLength);
        in.position(Protocol.LENGTH_FIELD);
        c.park(in);
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
        c.framingWord(0);
        final ByteBuffer in = c.parked();
        if (in != null) {
            c.park(null);
            c.release(in);
        }
    }
}
