package io.iris.protocol.frame;

import static io.iris.protocol.frame.FrameHeader.I64_SIZE;
import static io.iris.protocol.frame.FrameHeader.U32_SIZE;
import static io.iris.protocol.frame.FrameHeader.U8_SIZE;

/** SEND (0x03, client to server): {@code i64 clientMsgId, id8 recipient, bytes32 payload}. Body offsets. */
public final class SendFrame {
    /** {@code i64} the client's id of the message. */
    public static final int CLIENT_MSG_ID_OFFSET = 0;
    /** {@code u8} length of the recipient's id. */
    public static final int RECIPIENT_LENGTH_OFFSET = CLIENT_MSG_ID_OFFSET + I64_SIZE;
    /** The recipient id's bytes. */
    public static final int RECIPIENT_OFFSET = RECIPIENT_LENGTH_OFFSET + U8_SIZE;

    private SendFrame() {
    }

    /** @param recipientLength the recipient id's length. @return offset of the {@code u32} payload length. */
    public static int payloadLengthOffset(final int recipientLength) {
        return RECIPIENT_OFFSET + recipientLength;
    }

    /** @param recipientLength the recipient id's length. @return offset of the payload's bytes. */
    public static int payloadOffset(final int recipientLength) {
        return payloadLengthOffset(recipientLength) + U32_SIZE;
    }

    /**
     * @param recipientLength the recipient id's length.
     * @param payloadLength   the payload's length.
     * @return the body's length.
     */
    public static int bodyLength(final int recipientLength, final int payloadLength) {
        return payloadOffset(recipientLength) + payloadLength;
    }
}
