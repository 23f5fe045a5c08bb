package io.iris.protocol.frame;

import static io.iris.protocol.frame.FrameHeader.U16_SIZE;

/**
 * ERROR (0x0B, server to client): {@code u16 code, str16 text}. Body offsets.
 */
public final class ErrorFrame {
    /** {@code u16} an {@link io.iris.protocol.ErrorCode} wire value. */
    public static final int CODE_OFFSET = 0;
    /** {@code u16} length of the text. */
    public static final int TEXT_LENGTH_OFFSET = CODE_OFFSET + U16_SIZE;
    /** The text's bytes (UTF-8). */
    public static final int TEXT_OFFSET = TEXT_LENGTH_OFFSET + U16_SIZE;

    private ErrorFrame() {
    }

    /** @param textLength the text's length. @return the body's length. */
    public static int bodyLength(final int textLength) {
        return TEXT_OFFSET + textLength;
    }
}
