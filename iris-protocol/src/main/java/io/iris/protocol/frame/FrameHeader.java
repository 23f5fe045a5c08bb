package io.iris.protocol.frame;

/**
 * The header every frame starts with: {@code u32 length | u8 type}, where {@code length} counts the type
 * byte and the body but not itself. Offsets count from the frame's first byte.
 */
public final class FrameHeader {
    /** Offset of the {@code u32} length prefix. */
    public static final int LENGTH_OFFSET = 0;
    /** Size of the length prefix. */
    public static final int LENGTH_SIZE = 4;
    /** Offset of the {@code u8} type. */
    public static final int TYPE_OFFSET = LENGTH_OFFSET + LENGTH_SIZE;
    /** Size of the type byte. */
    public static final int TYPE_SIZE = 1;
    /** Offset of the body, where every body offset of the frame descriptors counts from. */
    public static final int BODY_OFFSET = TYPE_OFFSET + TYPE_SIZE;

    /** Size of an {@code i64} field. */
    public static final int I64_SIZE = 8;
    /** Size of a {@code u32} field, and of the length of a {@code bytes32}. */
    public static final int U32_SIZE = 4;
    /** Size of a {@code u16} field, and of the length of a {@code str16}. */
    public static final int U16_SIZE = 2;
    /** Size of a {@code u8} field, and of the length of an {@code id8}. */
    public static final int U8_SIZE = 1;

    private FrameHeader() {
    }

    /**
     * @param bodyLength the body's length.
     * @return the value of the length prefix of a frame with that body (type byte plus body).
     */
    public static int lengthField(final int bodyLength) {
        return TYPE_SIZE + bodyLength;
    }

    /**
     * @param bodyLength the body's length.
     * @return the whole frame's size, length prefix included.
     */
    public static int frameLength(final int bodyLength) {
        return BODY_OFFSET + bodyLength;
    }
}
