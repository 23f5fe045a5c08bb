package io.iris.transport.protocol;

import io.iris.protocol.Protocol;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static io.iris.protocol.Protocol.HEADER;
import static io.iris.protocol.Protocol.LENGTH_FIELD;

/**
 * Writes complete frames (length prefix included) into a buffer. Each method returns the number of
 * bytes written; the caller makes sure the buffer has room (an expandable buffer grows). The methods
 * that take {@link DirectBuffer} slices allocate nothing and serve the server's hot path; the ones
 * taking {@code byte[]} or {@code String} serve clients and rare frames.
 */
public final class FrameEncoder {
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;

    private FrameEncoder() {
    }

    /**
     * @param b             destination.
     * @param i             where the frame starts.
     * @param minVersion    lowest protocol version the client speaks.
     * @param maxVersion    highest protocol version the client speaks.
     * @param token         the token bytes (at most {@link Protocol#MAX_TOKEN_LENGTH}).
     * @param deviceId      the device id's UTF-8 bytes.
     * @param resumeCursor  highest seq the device has, or -1.
     * @return bytes written.
     */
    public static int login(final MutableDirectBuffer b, final int i, final int minVersion, final int maxVersion,
                            final byte[] token, final byte[] deviceId, final long resumeCursor) {
        int p = i + HEADER;
        b.putShort(p, (short) minVersion, BE);
        b.putShort(p + 2, (short) maxVersion, BE);
        p += 4;
        p = putStr16(b, p, token, 0, token.length);
        p = putId8(b, p, deviceId);
        b.putLong(p, resumeCursor, BE);
        p += 8;
        return finish(b, i, Protocol.LOGIN, p);
    }

    /**
     * @param b               destination.
     * @param i               where the frame starts.
     * @param version         the chosen protocol version.
     * @param userId          the authenticated user's id bytes.
     * @param serverTime      the server clock.
     * @param maxPayload      the largest SEND payload accepted.
     * @param heartbeatMillis the PING interval the client should keep.
     * @param cursor          delivery resumes after this seq.
     * @param lastSeq         the newest seq in the inbox.
     * @return bytes written.
     */
    public static int loginOk(final MutableDirectBuffer b, final int i, final int version, final byte[] userId,
                              final long serverTime, final int maxPayload, final int heartbeatMillis,
                              final long cursor, final long lastSeq) {
        int p = i + HEADER;
        b.putShort(p, (short) version, BE);
        p = putId8(b, p + 2, userId);
        b.putLong(p, serverTime, BE);
        b.putInt(p + 8, maxPayload, BE);
        b.putInt(p + 12, heartbeatMillis, BE);
        b.putLong(p + 16, cursor, BE);
        b.putLong(p + 24, lastSeq, BE);
        return finish(b, i, Protocol.LOGIN_OK, p + 32);
    }

    /**
     * @param b           destination.
     * @param i           where the frame starts.
     * @param clientMsgId the client's id for this message.
     * @param recipient   the recipient's id bytes.
     * @param payload     holds the payload.
     * @param offset      where the payload starts.
     * @param length      payload length.
     * @return bytes written.
     */
    public static int send(final MutableDirectBuffer b, final int i, final long clientMsgId, final byte[] recipient,
                           final byte[] payload, final int offset, final int length) {
        int p = i + HEADER;
        b.putLong(p, clientMsgId, BE);
        p = putId8(b, p + 8, recipient);
        b.putInt(p, length, BE);
        b.putBytes(p + 4, payload, offset, length);
        return finish(b, i, Protocol.SEND, p + 4 + length);
    }

    /**
     * @param b                destination.
     * @param i                where the frame starts.
     * @param clientMsgId      echoed from the SEND.
     * @param status           a {@link io.iris.protocol.SendStatus} code.
     * @param seq              the inbox seq, 0 if not stored.
     * @param serverTime       the server clock.
     * @param retryAfterMillis advised delay for retryable statuses, else 0.
     * @return bytes written.
     */
    public static int sendAck(final MutableDirectBuffer b, final int i, final long clientMsgId, final int status,
                              final long seq, final long serverTime, final long retryAfterMillis) {
        final int p = i + HEADER;
        b.putLong(p, clientMsgId, BE);
        b.putByte(p + 8, (byte) status);
        b.putLong(p + 9, seq, BE);
        b.putLong(p + 17, serverTime, BE);
        b.putInt(p + 25, (int) Math.min(Math.max(retryAfterMillis, 0), Integer.MAX_VALUE), BE);
        return finish(b, i, Protocol.SEND_ACK, p + 29);
    }

    /**
     * @param b             destination.
     * @param i             where the frame starts.
     * @param seq           the message's inbox seq.
     * @param sender        holds the sender's id bytes.
     * @param senderOffset  where they start.
     * @param senderLength  how many (1..64).
     * @param serverTime    when the message was stored.
     * @param payload       holds the payload.
     * @param payloadOffset where it starts.
     * @param payloadLength its length.
     * @return bytes written.
     */
    public static int deliver(final MutableDirectBuffer b, final int i, final long seq,
                              final DirectBuffer sender, final int senderOffset, final int senderLength,
                              final long serverTime,
                              final DirectBuffer payload, final int payloadOffset, final int payloadLength) {
        int p = i + HEADER;
        b.putLong(p, seq, BE);
        b.putByte(p + 8, (byte) senderLength);
        b.putBytes(p + 9, sender, senderOffset, senderLength);
        p += 9 + senderLength;
        b.putLong(p, serverTime, BE);
        b.putInt(p + 8, payloadLength, BE);
        b.putBytes(p + 12, payload, payloadOffset, payloadLength);
        return finish(b, i, Protocol.DELIVER, p + 12 + payloadLength);
    }

    /**
     * @param b       destination.
     * @param i       where the frame starts.
     * @param upToSeq every message up to this seq was received.
     * @return bytes written.
     */
    public static int deliverAck(final MutableDirectBuffer b, final int i, final long upToSeq) {
        b.putLong(i + HEADER, upToSeq, BE);
        return finish(b, i, Protocol.DELIVER_ACK, i + HEADER + 8);
    }

    /**
     * @param b      destination.
     * @param i      where the frame starts.
     * @param userId the user asked about.
     * @return bytes written.
     */
    public static int presenceQuery(final MutableDirectBuffer b, final int i, final byte[] userId) {
        return finish(b, i, Protocol.PRESENCE_QUERY, putId8(b, i + HEADER, userId));
    }

    /**
     * @param b        destination.
     * @param i        where the frame starts.
     * @param userId   the user asked about.
     * @param online   whether any device is online.
     * @param lastSeen epoch millis last seen, 0 if never.
     * @return bytes written.
     */
    public static int presence(final MutableDirectBuffer b, final int i, final byte[] userId, final boolean online,
                               final long lastSeen) {
        final int p = putId8(b, i + HEADER, userId);
        b.putByte(p, (byte) (online ? 1 : 0));
        b.putLong(p + 1, lastSeen, BE);
        return finish(b, i, Protocol.PRESENCE, p + 9);
    }

    /**
     * @param b     destination.
     * @param i     where the frame starts.
     * @param nonce echoed by the PONG.
     * @return bytes written.
     */
    public static int ping(final MutableDirectBuffer b, final int i, final long nonce) {
        b.putLong(i + HEADER, nonce, BE);
        return finish(b, i, Protocol.PING, i + HEADER + 8);
    }

    /**
     * @param b     destination.
     * @param i     where the frame starts.
     * @param nonce the nonce of the PING answered.
     * @return bytes written.
     */
    public static int pong(final MutableDirectBuffer b, final int i, final long nonce) {
        b.putLong(i + HEADER, nonce, BE);
        return finish(b, i, Protocol.PONG, i + HEADER + 8);
    }

    /**
     * @param b    destination.
     * @param i    where the frame starts.
     * @param code an {@link io.iris.protocol.ErrorCode} wire value.
     * @param text a short text; cut to {@link Protocol#MAX_TEXT_LENGTH} bytes.
     * @return bytes written.
     */
    public static int error(final MutableDirectBuffer b, final int i, final int code, final String text) {
        b.putShort(i + HEADER, (short) code, BE);
        return finish(b, i, Protocol.ERROR, putText(b, i + HEADER + 2, text));
    }

    /**
     * @param b                    destination.
     * @param i                    where the frame starts.
     * @param reconnectAfterMillis when the client should reconnect.
     * @param text                 a short text; cut to {@link Protocol#MAX_TEXT_LENGTH} bytes.
     * @return bytes written.
     */
    public static int goaway(final MutableDirectBuffer b, final int i, final int reconnectAfterMillis,
                             final String text) {
        b.putInt(i + HEADER, reconnectAfterMillis, BE);
        return finish(b, i, Protocol.GOAWAY, putText(b, i + HEADER + 4, text));
    }

    /**
     * Upper bound of the encoded size of a DELIVER frame.
     *
     * @param senderLength  sender id length.
     * @param payloadLength payload length.
     * @return the exact frame size including the length prefix.
     */
    public static int deliverLength(final int senderLength, final int payloadLength) {
        return HEADER + 8 + 1 + senderLength + 8 + 4 + payloadLength;
    }

    private static int putText(final MutableDirectBuffer b, final int p, final String text) {
        byte[] bytes = (text == null ? "" : text).getBytes(StandardCharsets.UTF_8);
        int len = Math.min(bytes.length, Protocol.MAX_TEXT_LENGTH);
        while (len > 0 && len < bytes.length && (bytes[len] & 0xC0) == 0x80) {
            len--; // do not cut inside a UTF-8 sequence
        }
        return putStr16(b, p, bytes, 0, len);
    }

    private static int putStr16(final MutableDirectBuffer b, final int p, final byte[] s, final int off, final int len) {
        b.putShort(p, (short) len, BE);
        b.putBytes(p + 2, s, off, len);
        return p + 2 + len;
    }

    private static int putId8(final MutableDirectBuffer b, final int p, final byte[] id) {
        b.putByte(p, (byte) id.length);
        b.putBytes(p + 1, id);
        return p + 1 + id.length;
    }

    private static int finish(final MutableDirectBuffer b, final int start, final byte type, final int end) {
        b.putInt(start, end - start - LENGTH_FIELD, BE);
        b.putByte(start + LENGTH_FIELD, type);
        return end - start;
    }
}
