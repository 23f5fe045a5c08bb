package io.iris.protocol.frame;

import static io.iris.protocol.frame.FrameHeader.I64_SIZE;

/** PING (0x09) and PONG (0x0A), either way: {@code i64 nonce}. Fixed size. Body offsets. */
public final class PingFrame {
    /** {@code i64} the nonce; a PONG echoes the PING's. */
    public static final int NONCE_OFFSET = 0;
    /** The body's length. */
    public static final int BODY_LENGTH = NONCE_OFFSET + I64_SIZE;

    private PingFrame() {
    }
}
