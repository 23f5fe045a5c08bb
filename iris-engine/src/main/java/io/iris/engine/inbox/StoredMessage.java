package io.iris.engine.inbox;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Layout of one message record as the engine stores it in an inbox (little-endian):
 *
 * <pre>
 *   0  i64 storedAtMillis   server time when the shard accepted it
 *   8  i64 clientMsgId      the sender's id for it (with the sender: the dedup key)
 *  16  u8  senderLength     1..64
 *  17  sender bytes         UTF-8
 *  17+s i32 payloadLength
 *  21+s payload bytes
 * </pre>
 *
 * Static accessors only: the record is read where it lies (storage buffer, batch buffer).
 */
public final class StoredMessage {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final int STORED_AT = 0;
    private static final int CLIENT_MSG_ID = 8;
    private static final int SENDER_LENGTH = 16;
    private static final int SENDER = 17;

    private StoredMessage() {
    }

    /**
     * @param senderLength  sender id length.
     * @param payloadLength payload length.
     * @return the record length.
     */
    public static int length(final int senderLength, final int payloadLength) {
        return SENDER + senderLength + 4 + payloadLength;
    }

    /**
     * Writes a record.
     *
     * @param dst           destination.
     * @param at            where the record starts.
     * @param storedAt      server time.
     * @param clientMsgId   the sender's message id.
     * @param sender        holds the sender id.
     * @param senderOffset  where it starts.
     * @param senderLength  its length.
     * @param payload       holds the payload.
     * @param payloadOffset where it starts.
     * @param payloadLength its length.
     * @return the record length.
     */
    public static int write(final MutableDirectBuffer dst, final int at, final long storedAt, final long clientMsgId,
                            final DirectBuffer sender, final int senderOffset, final int senderLength,
                            final DirectBuffer payload, final int payloadOffset, final int payloadLength) {
        dst.putLong(at + STORED_AT, storedAt, LE);
        dst.putLong(at + CLIENT_MSG_ID, clientMsgId, LE);
        dst.putByte(at + SENDER_LENGTH, (byte) senderLength);
        dst.putBytes(at + SENDER, sender, senderOffset, senderLength);
        final int p = at + SENDER + senderLength;
        dst.putInt(p, payloadLength, LE);
        dst.putBytes(p + 4, payload, payloadOffset, payloadLength);
        return p + 4 + payloadLength - at;
    }

    /**
     * @param b  buffer.
     * @param at record start.
     * @return server time when stored.
     */
    public static long storedAt(final DirectBuffer b, final int at) {
        return b.getLong(at + STORED_AT, LE);
    }

    /**
     * @param b  buffer.
     * @param at record start.
     * @return the sender's message id.
     */
    public static long clientMsgId(final DirectBuffer b, final int at) {
        return b.getLong(at + CLIENT_MSG_ID, LE);
    }

    /**
     * @param at record start.
     * @return offset of the sender id bytes.
     */
    public static int senderOffset(final int at) {
        return at + SENDER;
    }

    /**
     * @param b  buffer.
     * @param at record start.
     * @return sender id length.
     */
    public static int senderLength(final DirectBuffer b, final int at) {
        return b.getByte(at + SENDER_LENGTH) & 0xFF;
    }

    /**
     * @param b  buffer.
     * @param at record start.
     * @return offset of the payload bytes.
     */
    public static int payloadOffset(final DirectBuffer b, final int at) {
        return at + SENDER + senderLength(b, at) + 4;
    }

    /**
     * @param b  buffer.
     * @param at record start.
     * @return payload length.
     */
    public static int payloadLength(final DirectBuffer b, final int at) {
        return b.getInt(at + SENDER + senderLength(b, at), LE);
    }

    /**
     * @param b  buffer.
     * @param at record start.
     * @return the sender id (allocates: for application callbacks, not the hot path).
     */
    public static String sender(final DirectBuffer b, final int at) {
        return b.getStringWithoutLengthUtf8(senderOffset(at), senderLength(b, at));
    }
}
