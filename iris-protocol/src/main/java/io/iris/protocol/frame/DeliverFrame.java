package io.iris.protocol.frame;

import static io.iris.protocol.frame.FrameHeader.I64_SIZE;
import static io.iris.protocol.frame.FrameHeader.U32_SIZE;
import static io.iris.protocol.frame.FrameHeader.U8_SIZE;

/**
 * DELIVER (0x05, server to client): {@code i64 seq, id8 sender, i64 serverTime, bytes32 payload}. Body
 * offsets.
 */
public final class DeliverFrame {
    /** {@code i64} the message's inbox seq. */
    public static final int SEQ_OFFSET = 0;
    /** {@code u8} length of the sender's id. */
    public static final int SENDER_LENGTH_OFFSET = SEQ_OFFSET + I64_SIZE;
    /** The sender id's bytes. */
    public static final int SENDER_OFFSET = SENDER_LENGTH_OFFSET + U8_SIZE;

    private DeliverFrame() {
    }

    /** @param senderLength the sender id's length. @return offset of the {@code i64} server time. */
    public static int serverTimeOffset(final int senderLength) {
        return SENDER_OFFSET + senderLength;
    }

    /** @param senderLength the sender id's length. @return offset of the {@code u32} payload length. */
    public static int payloadLengthOffset(final int senderLength) {
        return serverTimeOffset(senderLength) + I64_SIZE;
    }

    /** @param senderLength the sender id's length. @return offset of the payload's bytes. */
    public static int payloadOffset(final int senderLength) {
        return payloadLengthOffset(senderLength) + U32_SIZE;
    }

    /**
     * @param senderLength  the sender id's length.
     * @param payloadLength the payload's length.
     * @return the body's length.
     */
    public static int bodyLength(final int senderLength, final int payloadLength) {
        return payloadOffset(senderLength) + payloadLength;
    }
}
