package io.iris.protocol.frame;

import static io.iris.protocol.frame.FrameHeader.I64_SIZE;
import static io.iris.protocol.frame.FrameHeader.U32_SIZE;
import static io.iris.protocol.frame.FrameHeader.U8_SIZE;

/**
 * SEND_ACK (0x04, server to client): {@code i64 clientMsgId, u8 status, i64 seq, i64 serverTime,
 * u32 retryAfterMillis}. Fixed size. Body offsets.
 */
public final class SendAckFrame {
    /** {@code i64} echoed from the SEND. */
    public static final int CLIENT_MSG_ID_OFFSET = 0;
    /** {@code u8} a {@link io.iris.protocol.SendStatus} code. */
    public static final int STATUS_OFFSET = CLIENT_MSG_ID_OFFSET + I64_SIZE;
    /** {@code i64} the inbox seq, 0 if not stored. */
    public static final int SEQ_OFFSET = STATUS_OFFSET + U8_SIZE;
    /** {@code i64} the server's clock. */
    public static final int SERVER_TIME_OFFSET = SEQ_OFFSET + I64_SIZE;
    /** {@code u32} the advised delay for retryable statuses, else 0. */
    public static final int RETRY_AFTER_OFFSET = SERVER_TIME_OFFSET + I64_SIZE;
    /** The body's length. */
    public static final int BODY_LENGTH = RETRY_AFTER_OFFSET + U32_SIZE;

    private SendAckFrame() {
    }
}
