package io.iris.protocol.frame;

import static io.iris.protocol.frame.FrameHeader.U16_SIZE;
import static io.iris.protocol.frame.FrameHeader.U32_SIZE;

/**
 * ERROR (0x0B, server to client): {@code u16 code, str16 text}, and from protocol version 2, optionally,
 * {@code u32 retryAfterMillis} after the text: present when the server advises how long to wait before
 * trying again (a frame that ends after the text carries no advice). A server appends it only to a client
 * that offered version 2 in its LOGIN; ERRORs sent before the LOGIN was read (at accept, or for a malformed
 * first frame) always have the version-1 layout. Body offsets.
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

    /** @param textLength the text's length. @return the body's length without the retry advice. */
    public static int bodyLength(final int textLength) {
        return TEXT_OFFSET + textLength;
    }

    /** @param textLength the text's length. @return offset of the optional {@code u32} retry-after (version 2). */
    public static int retryAfterOffset(final int textLength) {
        return TEXT_OFFSET + textLength;
    }

    /** @param textLength the text's length. @return the body's length with the retry advice (version 2). */
    public static int bodyLengthWithRetryAfter(final int textLength) {
        return retryAfterOffset(textLength) + U32_SIZE;
    }
}
