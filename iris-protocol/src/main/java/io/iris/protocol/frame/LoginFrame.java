package io.iris.protocol.frame;

import static io.iris.protocol.frame.FrameHeader.I64_SIZE;
import static io.iris.protocol.frame.FrameHeader.U16_SIZE;
import static io.iris.protocol.frame.FrameHeader.U8_SIZE;

/**
 * LOGIN (0x01, client to server):
 * {@code u16 minVersion, u16 maxVersion, str16 token, id8 deviceId, i64 resumeCursor}. Body offsets.
 */
public final class LoginFrame {
    /** {@code u16} lowest protocol version the client speaks. */
    public static final int MIN_VERSION_OFFSET = 0;
    /** {@code u16} highest protocol version the client speaks. */
    public static final int MAX_VERSION_OFFSET = MIN_VERSION_OFFSET + U16_SIZE;
    /** {@code u16} length of the token. */
    public static final int TOKEN_LENGTH_OFFSET = MAX_VERSION_OFFSET + U16_SIZE;
    /** The token's bytes. */
    public static final int TOKEN_OFFSET = TOKEN_LENGTH_OFFSET + U16_SIZE;

    private LoginFrame() {
    }

    /** @param tokenLength the token's length. @return offset of the {@code u8} length of the device id. */
    public static int deviceIdLengthOffset(final int tokenLength) {
        return TOKEN_OFFSET + tokenLength;
    }

    /** @param tokenLength the token's length. @return offset of the device id's bytes. */
    public static int deviceIdOffset(final int tokenLength) {
        return deviceIdLengthOffset(tokenLength) + U8_SIZE;
    }

    /**
     * @param tokenLength    the token's length.
     * @param deviceIdLength the device id's length.
     * @return offset of the {@code i64} resume cursor.
     */
    public static int resumeCursorOffset(final int tokenLength, final int deviceIdLength) {
        return deviceIdOffset(tokenLength) + deviceIdLength;
    }

    /**
     * @param tokenLength    the token's length.
     * @param deviceIdLength the device id's length.
     * @return the body's length.
     */
    public static int bodyLength(final int tokenLength, final int deviceIdLength) {
        return resumeCursorOffset(tokenLength, deviceIdLength) + I64_SIZE;
    }
}
