package io.iris.protocol.frame;

import static io.iris.protocol.frame.FrameHeader.U16_SIZE;
import static io.iris.protocol.frame.FrameHeader.U32_SIZE;

/** GOAWAY (0x0C, server to client): {@code u32 reconnectAfterMillis, str16 text}. Body offsets. */
public final class GoAwayFrame {
    /** {@code u32} when the client should reconnect. */
    public static final int RECONNECT_AFTER_OFFSET = 0;
    /** {@code u16} length of the text. */
    public static final int TEXT_LENGTH_OFFSET = RECONNECT_AFTER_OFFSET + U32_SIZE;
    /** The text's bytes (UTF-8). */
    public static final int TEXT_OFFSET = TEXT_LENGTH_OFFSET + U16_SIZE;

    private GoAwayFrame() {
    }

    /** @param textLength the text's length. @return the body's length. */
    public static int bodyLength(final int textLength) {
        return TEXT_OFFSET + textLength;
    }
}
