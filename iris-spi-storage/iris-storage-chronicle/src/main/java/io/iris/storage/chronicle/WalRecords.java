package io.iris.storage.chronicle;

import net.openhft.chronicle.bytes.Bytes;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The layout of the write-ahead log: every Chronicle Queue document the store writes is one of these
 * records, little-endian, written with Chronicle {@link Bytes} primitives.
 *
 * <pre>
 * APPEND  type:u8 = 1 | seq:i64 | clientMsgId:i64 | appendedAt:i64 | user:utf8 | sender:utf8 | length:i32 | record:bytes[length]
 * ACK     type:u8 = 2 | upToSeq:i64 | user:utf8 | device:utf8
 * SEEN    type:u8 = 3 | lastSeen:i64 | user:utf8
 * </pre>
 *
 * {@code appendedAt} is the store's clock (epoch millis) at the append: retention measures from it.
 * {@code utf8} is Chronicle's stop-bit encoded byte length followed by the UTF-8 bytes
 * ({@link Bytes#writeUtf8(CharSequence)}). An ACK is a device's cumulative cursor; trimming is not
 * logged: it is derived from the cursors (and from the TTL, from the time a record's cycle ended).
 * The type byte doubles as the format version: a new layout gets a new type.
 */
final class WalRecords {
    /** A record appended to a user's inbox. */
    static final byte APPEND = 1;
    /** A device's cumulative acknowledgement. */
    static final byte ACK = 2;
    /** When a user was last seen online (epoch millis): the latest record wins. */
    static final byte SEEN = 3;

    private WalRecords() {
    }

    /**
     * Writes an APPEND record; never allocates.
     *
     * @param out         the document's bytes.
     * @param seq         the inbox seq assigned.
     * @param clientMsgId the dedup id.
     * @param appendedAt  the store's clock at the append, epoch millis.
     * @param userId      the inbox owner.
     * @param senderId    the sender.
     * @param record      the record.
     * @param offset      where it starts.
     * @param length      its length.
     * @param scratch     a view the method may re-point at the document's memory.
     */
    static void writeAppend(final Bytes<?> out, final long seq, final long clientMsgId, final long appendedAt,
                            final String userId,
                            final String senderId, final DirectBuffer record, final int offset, final int length,
                            final UnsafeBuffer scratch) {
        out.writeByte(APPEND);
        out.writeLong(seq);
        out.writeLong(clientMsgId);
        out.writeLong(appendedAt);
        out.writeUtf8(userId);
        out.writeUtf8(senderId);
        out.writeInt(length);
        // Chronicle's own bulk copy (StreamingDataOutput.unsafeWriteObject): reserve the bytes, then copy
        // straight into the mapped memory; a document never straddles two mappings
        out.writeSkip(length);
        scratch.wrap(out.addressForWrite(out.writePosition() - length), length);
        scratch.putBytes(0, record, offset, length);
    }

    /**
     * Writes an ACK record; never allocates.
     *
     * @param out      the document's bytes.
     * @param upToSeq  the device's new cursor.
     * @param userId   the inbox owner.
     * @param deviceId the device.
     */
    static void writeAck(final Bytes<?> out, final long upToSeq, final String userId, final String deviceId) {
        out.writeByte(ACK);
        out.writeLong(upToSeq);
        out.writeUtf8(userId);
        out.writeUtf8(deviceId);
    }

    /**
     * Writes a SEEN record; never allocates.
     *
     * @param out      the document's bytes.
     * @param lastSeen when the user was last seen, epoch millis.
     * @param userId   the user.
     */
    static void writeSeen(final Bytes<?> out, final long lastSeen, final String userId) {
        out.writeByte(SEEN);
        out.writeLong(lastSeen);
        out.writeUtf8(userId);
    }

    /**
     * Positions {@code in} (just after an APPEND's type byte and seq were read) on the record bytes.
     *
     * @param in the document's bytes, after {@code type} and {@code seq}.
     * @return the record length; the record starts at {@code in.readPosition()}.
     */
    static int skipToRecord(final Bytes<?> in) {
        in.readSkip(2 * Long.BYTES); // clientMsgId, appendedAt
        in.readSkip(in.readStopBit()); // user
        in.readSkip(in.readStopBit()); // sender
        return in.readInt();
    }
}
