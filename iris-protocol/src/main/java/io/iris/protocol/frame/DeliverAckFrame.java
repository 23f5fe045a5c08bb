package io.iris.protocol.frame;

import static io.iris.protocol.frame.FrameHeader.I64_SIZE;

/** DELIVER_ACK (0x06, client to server): {@code i64 upToSeq}. Fixed size. Body offsets. */
public final class DeliverAckFrame {
    /** {@code i64} every message up to this seq was processed. */
    public static final int UP_TO_SEQ_OFFSET = 0;
    /** The body's length. */
    public static final int BODY_LENGTH = UP_TO_SEQ_OFFSET + I64_SIZE;

    private DeliverAckFrame() {
    }
}
