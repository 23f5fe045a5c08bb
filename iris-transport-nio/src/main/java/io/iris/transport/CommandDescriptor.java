package io.iris.transport;

/**
 * Layout of the records other threads put on an event loop's command queue (an Agrona
 * {@code ManyToOneRingBuffer}); the record's message type id says what to do.
 *
 * <pre>
 *  0                   8
 *  +-------------------+----------------------------------------+
 *  | connectionId (i64)| bytes: complete frames, length prefixed |
 *  +-------------------+----------------------------------------+
 * </pre>
 *
 * The id is written in native byte order (it never leaves the process).
 */
final class CommandDescriptor {
    /** Append the bytes to the connection's output. */
    static final int SEND = 1;
    /** Append the bytes (one ERROR frame) to the connection's output, flush what can be, close. */
    static final int SEND_AND_CLOSE = 2;

    /** Offset of the connection id. */
    static final int CONNECTION_ID_OFFSET = 0;
    /** Offset of the frame bytes. */
    static final int BYTES_OFFSET = 8;

    private CommandDescriptor() {
    }
}
