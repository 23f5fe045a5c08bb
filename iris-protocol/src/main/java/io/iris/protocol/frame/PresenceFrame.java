package io.iris.protocol.frame;

import static io.iris.protocol.frame.FrameHeader.I64_SIZE;
import static io.iris.protocol.frame.FrameHeader.U8_SIZE;

/** PRESENCE (0x08, server to client): {@code id8 userId, u8 online, i64 lastSeen}. Body offsets. */
public final class PresenceFrame {
    /** {@code u8} length of the user id. */
    public static final int USER_ID_LENGTH_OFFSET = 0;
    /** The user id's bytes. */
    public static final int USER_ID_OFFSET = USER_ID_LENGTH_OFFSET + U8_SIZE;

    private PresenceFrame() {
    }

    /** @param userIdLength the user id's length. @return offset of the {@code u8} online flag (0 or 1). */
    public static int onlineOffset(final int userIdLength) {
        return USER_ID_OFFSET + userIdLength;
    }

    /** @param userIdLength the user id's length. @return offset of the {@code i64} last-seen time. */
    public static int lastSeenOffset(final int userIdLength) {
        return onlineOffset(userIdLength) + U8_SIZE;
    }

    /** @param userIdLength the user id's length. @return the body's length. */
    public static int bodyLength(final int userIdLength) {
        return lastSeenOffset(userIdLength) + I64_SIZE;
    }
}
