package io.iris.protocol.frame;

import static io.iris.protocol.frame.FrameHeader.U8_SIZE;

/** PRESENCE_QUERY (0x07, client to server): {@code id8 userId}. Body offsets. */
public final class PresenceQueryFrame {
    /** {@code u8} length of the user id. */
    public static final int USER_ID_LENGTH_OFFSET = 0;
    /** The user id's bytes. */
    public static final int USER_ID_OFFSET = USER_ID_LENGTH_OFFSET + U8_SIZE;

    private PresenceQueryFrame() {
    }

    /** @param userIdLength the user id's length. @return the body's length. */
    public static int bodyLength(final int userIdLength) {
        return USER_ID_OFFSET + userIdLength;
    }
}
