package io.iris.storage.chronicle;

import net.openhft.chronicle.bytes.Bytes;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * The layout of the write-ahead log: every Chronicle Queue document the store writes is one of these
 * records, little-endian, written with Chronicle {@link Bytes} primitives.
 *
 * <pre>
 * APPEND   type:u8 = 4 | seq:i64 | clientMsgId:i64 | appendedAt:i64 | user:utf8 | sender:utf8 | length:i32 | record:bytes[length] | check:i32
 * ACK      type:u8 = 2 | upToSeq:i64 | user:utf8 | device:utf8
 * SEEN     type:u8 = 3 | lastSeen:i64 | user:utf8
 * OPENED   type:u8 = 5 | openedAt:i64
 * APPEND   type:u8 = 1, the same without check: written before 2026-12, still read
 * </pre>
 *
 * {@code check} is {@link #checksum} of the record's bytes from its type to the end of {@code record}.
 * It finds a record torn by a power loss: Chronicle marks a document complete in its header, and the
 * header's page may reach the disk while a later page of the same document does not (only a record
 * whose sync had not returned can be torn: a sync forces whole files). Recovery treats the first torn
 * record and everything after it as never written, up to the next OPENED record, which the store
 * writes (and forces) when it started from such a log: nothing after a torn record was acknowledged,
 * since a sync that covered it would have covered the torn one too, and dropping them all keeps every
 * inbox gap-free.
 *
 * {@code appendedAt} is the store's clock (epoch millis) at the append: retention measures from it.
 * {@code utf8} is Chronicle's stop-bit encoded byte length followed by the UTF-8 bytes
 * ({@link Bytes#writeUtf8(CharSequence)}). An ACK is a device's cumulative cursor; trimming is not
 * logged: it is derived from the cursors (and from the TTL, from the time a record's cycle ended).
 * The type byte doubles as the format version: a new layout gets a new type.
 */
final class WalRecords {
    /** A record appended to a user's inbox, without a checksum (written before 2026-12). */
    static final byte APPEND_UNCHECKED = 1;
    /** A device's cumulative acknowledgement. */
    static final byte ACK = 2;
    /** When a user was last seen online (epoch millis): the latest record wins. */
    static final byte SEEN = 3;
    /** A record appended to a user's inbox, with a checksum. */
    static final byte APPEND = 4;
    /** The store started from a log whose tail was torn: records after this one are valid again. */
    static final byte OPENED = 5;

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
        final long start = out.writePosition();
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
        final int checked = (int) (out.writePosition() - start);
        scratch.wrap(out.addressForWrite(start), checked);
        out.writeInt(checksum(scratch, 0, checked));
    }

    /**
     * Writes an OPENED record; never allocates.
     *
     * @param out      the document's bytes.
     * @param openedAt the store's clock, epoch millis.
     */
    static void writeOpened(final Bytes<?> out, final long openedAt) {
        out.writeByte(OPENED);
        out.writeLong(openedAt);
    }

    /**
     * Reads an APPEND's check and compares it with the document's bytes; the document must hold one.
     *
     * @param in      the document's bytes, positioned just after the record bytes.
     * @param start   the document's start (its type byte).
     * @param scratch a view the method may re-point at the document's memory.
     * @return true if the record is whole.
     */
    static boolean checkAppend(final Bytes<?> in, final long start, final UnsafeBuffer scratch) {
        final int checked = (int) (in.readPosition() - start);
        if (in.readRemaining() < Integer.BYTES) {
            return false;
        }
        scratch.wrap(in.addressForRead(start), checked);
        return in.readInt() == checksum(scratch, 0, checked);
    }

    /**
     * A 32-bit hash of a byte range (a multiply-rotate mix over 8-byte words, then the tail, then a final
     * avalanche): cheap, allocation-free, and changed by any zeroed or missing range, which is what it
     * is for. Not a cryptographic or error-correcting code.
     *
     * @param buffer the bytes.
     * @param offset where they start.
     * @param length how many.
     * @return the hash.
     */
    static int checksum(final DirectBuffer buffer, final int offset, final int length) {
        long h = 0x9E3779B97F4A7C15L ^ length;
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES) {
            h = Long.rotateLeft((h ^ buffer.getLong(offset + i, ByteOrder.LITTLE_ENDIAN)) * 0xC2B2AE3D27D4EB4FL, 31);
        }
        for (; i < length; i++) {
            h = (h ^ buffer.getByte(offset + i)) * 0x100000001B3L;
        }
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        return (int) h;
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
