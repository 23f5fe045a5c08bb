package io.iris.protocol.frame;

import static io.iris.protocol.frame.FrameHeader.I64_SIZE;
import static io.iris.protocol.frame.FrameHeader.U16_SIZE;
import static io.iris.protocol.frame.FrameHeader.U32_SIZE;
import static io.iris.protocol.frame.FrameHeader.U8_SIZE;

/**
 * LOGIN_OK (0x02, server to client): {@code u16 version, id8 userId, i64 serverTime, u32 maxPayload,
 * u32 heartbeatMillis, i64 cursor, i64 lastSeq}. Body offsets.
 */
public final class LoginOkFrame {
    /** {@code u16} the protocol version the server chose. */
    public static final int VERSION_OFFSET = 0;
    /** {@code u8} length of the user id. */
    public static final int USER_ID_LENGTH_OFFSET = VERSION_OFFSET + U16_SIZE;
    /** The user id's bytes. */
    public static final int USER_ID_OFFSET = USER_ID_LENGTH_OFFSET + U8_SIZE;

    private LoginOkFrame() {
    }

    /** @param userIdLength the user id's length. @return offset of the {@code i64} server time. */
    public static int serverTimeOffset(final int userIdLength) {
        return USER_ID_OFFSET + userIdLength;
    }

    /** @param userIdLength the user id's length. @return offset of the {@code u32} max payload. */
    public static int maxPayloadOffset(final int userIdLength) {
        return serverTimeOffset(userIdLength) + I64_SIZE;
    }

    /** @param userIdLength the user id's length. @return offset of the {@code u32} heartbeat interval. */
    public static int heartbeatOffset(final int userIdLength) {
        return maxPayloadOffset(userIdLength) + U32_SIZE;
    }

    /** @param userIdLength the user id's length. @return offset of the {@code i64} cursor. */
    public static int cursorOffset(final int userIdLength) {
        return heartbeatOffset(userIdLength) + U32_SIZE;
    }

    /** @param userIdLength the user id's length. @return offset of the {@code i64} last seq. */
    public static int lastSeqOffset(final int userIdLength) {
        return cursorOffset(userIdLength) + I64_SIZE;
    }

    /** @param userIdLength the user id's length. @return the body's length. */
    public static int bodyLength(final int userIdLength) {
        return lastSeqOffset(userIdLength) + I64_SIZE;
    }
}
