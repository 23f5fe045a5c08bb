package io.iris.protocol.codec;

import io.iris.protocol.Protocol;
import io.iris.protocol.frame.DeliverAckFrame;
import io.iris.protocol.frame.DeliverFrame;
import io.iris.protocol.frame.ErrorFrame;
import io.iris.protocol.frame.FrameHeader;
import io.iris.protocol.frame.GoAwayFrame;
import io.iris.protocol.frame.LoginFrame;
import io.iris.protocol.frame.LoginOkFrame;
import io.iris.protocol.frame.PingFrame;
import io.iris.protocol.frame.PresenceFrame;
import io.iris.protocol.frame.PresenceQueryFrame;
import io.iris.protocol.frame.SendAckFrame;
import io.iris.protocol.frame.SendFrame;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static io.iris.protocol.frame.FrameHeader.BODY_OFFSET;
import static io.iris.protocol.frame.FrameHeader.LENGTH_OFFSET;
import static io.iris.protocol.frame.FrameHeader.TYPE_OFFSET;
import static io.iris.protocol.frame.FrameHeader.U16_SIZE;
import static io.iris.protocol.frame.FrameHeader.U8_SIZE;

/**
 * Writes complete frames (length prefix included) into a {@link ByteBuffer}, at the named offsets of the
 * {@link io.iris.protocol.frame} descriptors: the JDK-only twin of the server's
 * {@code io.iris.transport.protocol.FrameEncoder}, writing the same bytes. Indices are absolute (the
 * buffer's position and limit are ignored and untouched); the buffer must be big-endian (the default of
 * {@link ByteBuffer#allocate} and {@link ByteBuffer#wrap}). Each method returns the number of bytes
 * written; the caller makes sure the buffer has room (the {@code frameLength} methods of the descriptors
 * and {@link io.iris.protocol.frame.FrameHeader#frameLength} size it).
 */
public final class ByteBufferFrameEncoder {
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;

    private ByteBufferFrameEncoder() {
    }

    /**
     * @param buffer       destination.
     * @param offset       where the frame starts.
     * @param minVersion   lowest protocol version the client speaks.
     * @param maxVersion   highest protocol version the client speaks.
     * @param token        the token bytes (at most {@link Protocol#MAX_TOKEN_LENGTH}).
     * @param deviceId     the device id's UTF-8 bytes.
     * @param resumeCursor highest seq the device has, or -1.
     * @return bytes written.
     */
    public static int login(final ByteBuffer buffer, final int offset, final int minVersion,
                            final int maxVersion, final byte[] token, final byte[] deviceId, final long resumeCursor) {
        final int body = offset + BODY_OFFSET;
        buffer.putShort(body + LoginFrame.MIN_VERSION_OFFSET, (short) minVersion);
        buffer.putShort(body + LoginFrame.MAX_VERSION_OFFSET, (short) maxVersion);
        buffer.putShort(body + LoginFrame.TOKEN_LENGTH_OFFSET, (short) token.length);
        buffer.put(body + LoginFrame.TOKEN_OFFSET, token);
        putId8(buffer, body + LoginFrame.deviceIdLengthOffset(token.length), deviceId);
        buffer.putLong(body + LoginFrame.resumeCursorOffset(token.length, deviceId.length), resumeCursor);
        return finish(buffer, offset, Protocol.LOGIN, LoginFrame.bodyLength(token.length, deviceId.length));
    }

    /**
     * @param buffer          destination.
     * @param offset          where the frame starts.
     * @param version         the chosen protocol version.
     * @param userId          the authenticated user's id bytes.
     * @param serverTime      the server clock.
     * @param maxPayload      the largest SEND payload accepted.
     * @param heartbeatMillis the PING interval the client should keep.
     * @param cursor          delivery resumes after this seq.
     * @param lastSeq         the newest seq in the inbox.
     * @return bytes written.
     */
    public static int loginOk(final ByteBuffer buffer, final int offset, final int version,
                              final byte[] userId, final long serverTime, final int maxPayload,
                              final int heartbeatMillis, final long cursor, final long lastSeq) {
        final int body = offset + BODY_OFFSET;
        final int user = userId.length;
        buffer.putShort(body + LoginOkFrame.VERSION_OFFSET, (short) version);
        putId8(buffer, body + LoginOkFrame.USER_ID_LENGTH_OFFSET, userId);
        buffer.putLong(body + LoginOkFrame.serverTimeOffset(user), serverTime);
        buffer.putInt(body + LoginOkFrame.maxPayloadOffset(user), maxPayload);
        buffer.putInt(body + LoginOkFrame.heartbeatOffset(user), heartbeatMillis);
        buffer.putLong(body + LoginOkFrame.cursorOffset(user), cursor);
        buffer.putLong(body + LoginOkFrame.lastSeqOffset(user), lastSeq);
        return finish(buffer, offset, Protocol.LOGIN_OK, LoginOkFrame.bodyLength(user));
    }

    /**
     * @param buffer        destination.
     * @param offset        where the frame starts.
     * @param clientMsgId   the client's id for this message.
     * @param recipient     the recipient's id bytes.
     * @param payload       holds the payload.
     * @param payloadOffset where the payload starts.
     * @param payloadLength payload length.
     * @return bytes written.
     */
    public static int send(final ByteBuffer buffer, final int offset, final long clientMsgId,
                           final byte[] recipient, final byte[] payload, final int payloadOffset,
                           final int payloadLength) {
        final int body = offset + BODY_OFFSET;
        buffer.putLong(body + SendFrame.CLIENT_MSG_ID_OFFSET, clientMsgId);
        putId8(buffer, body + SendFrame.RECIPIENT_LENGTH_OFFSET, recipient);
        buffer.putInt(body + SendFrame.payloadLengthOffset(recipient.length), payloadLength);
        buffer.put(body + SendFrame.payloadOffset(recipient.length), payload, payloadOffset, payloadLength);
        return finish(buffer, offset, Protocol.SEND, SendFrame.bodyLength(recipient.length, payloadLength));
    }

    /**
     * @param buffer           destination.
     * @param offset           where the frame starts.
     * @param clientMsgId      echoed from the SEND.
     * @param status           a {@link io.iris.protocol.SendStatus} code.
     * @param seq              the inbox seq, 0 if not stored.
     * @param serverTime       the server clock.
     * @param retryAfterMillis advised delay for retryable statuses, else 0; clamped into the {@code u32} field
     *                         as 0..{@link Integer#MAX_VALUE}.
     * @return bytes written.
     */
    public static int sendAck(final ByteBuffer buffer, final int offset, final long clientMsgId,
                              final int status, final long seq, final long serverTime, final long retryAfterMillis) {
        final int body = offset + BODY_OFFSET;
        buffer.putLong(body + SendAckFrame.CLIENT_MSG_ID_OFFSET, clientMsgId);
        buffer.put(body + SendAckFrame.STATUS_OFFSET, (byte) status);
        buffer.putLong(body + SendAckFrame.SEQ_OFFSET, seq);
        buffer.putLong(body + SendAckFrame.SERVER_TIME_OFFSET, serverTime);
        buffer.putInt(body + SendAckFrame.RETRY_AFTER_OFFSET, Fields.clampMillis(retryAfterMillis));
        return finish(buffer, offset, Protocol.SEND_ACK, SendAckFrame.BODY_LENGTH);
    }

    /**
     * @param buffer        destination.
     * @param offset        where the frame starts.
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
    public static int deliver(final ByteBuffer buffer, final int offset, final long seq,
                              final byte[] sender, final int senderOffset, final int senderLength,
                              final long serverTime,
                              final byte[] payload, final int payloadOffset, final int payloadLength) {
        final int body = offset + BODY_OFFSET;
        buffer.putLong(body + DeliverFrame.SEQ_OFFSET, seq);
        buffer.put(body + DeliverFrame.SENDER_LENGTH_OFFSET, (byte) senderLength);
        buffer.put(body + DeliverFrame.SENDER_OFFSET, sender, senderOffset, senderLength);
        buffer.putLong(body + DeliverFrame.serverTimeOffset(senderLength), serverTime);
        buffer.putInt(body + DeliverFrame.payloadLengthOffset(senderLength), payloadLength);
        buffer.put(body + DeliverFrame.payloadOffset(senderLength), payload, payloadOffset, payloadLength);
        return finish(buffer, offset, Protocol.DELIVER, DeliverFrame.bodyLength(senderLength, payloadLength));
    }

    /**
     * @param buffer  destination.
     * @param offset  where the frame starts.
     * @param upToSeq every message up to this seq was received.
     * @return bytes written.
     */
    public static int deliverAck(final ByteBuffer buffer, final int offset, final long upToSeq) {
        buffer.putLong(offset + BODY_OFFSET + DeliverAckFrame.UP_TO_SEQ_OFFSET, upToSeq);
        return finish(buffer, offset, Protocol.DELIVER_ACK, DeliverAckFrame.BODY_LENGTH);
    }

    /**
     * @param buffer destination.
     * @param offset where the frame starts.
     * @param userId the user asked about.
     * @return bytes written.
     */
    public static int presenceQuery(final ByteBuffer buffer, final int offset, final byte[] userId) {
        putId8(buffer, offset + BODY_OFFSET + PresenceQueryFrame.USER_ID_LENGTH_OFFSET, userId);
        return finish(buffer, offset, Protocol.PRESENCE_QUERY, PresenceQueryFrame.bodyLength(userId.length));
    }

    /**
     * @param buffer   destination.
     * @param offset   where the frame starts.
     * @param userId   the user asked about.
     * @param online   whether any device is online.
     * @param lastSeen epoch millis last seen, 0 if never.
     * @return bytes written.
     */
    public static int presence(final ByteBuffer buffer, final int offset, final byte[] userId,
                               final boolean online, final long lastSeen) {
        final int body = offset + BODY_OFFSET;
        putId8(buffer, body + PresenceFrame.USER_ID_LENGTH_OFFSET, userId);
        buffer.put(body + PresenceFrame.onlineOffset(userId.length), (byte) (online ? 1 : 0));
        buffer.putLong(body + PresenceFrame.lastSeenOffset(userId.length), lastSeen);
        return finish(buffer, offset, Protocol.PRESENCE, PresenceFrame.bodyLength(userId.length));
    }

    /**
     * @param buffer destination.
     * @param offset where the frame starts.
     * @param nonce  echoed by the PONG.
     * @return bytes written.
     */
    public static int ping(final ByteBuffer buffer, final int offset, final long nonce) {
        buffer.putLong(offset + BODY_OFFSET + PingFrame.NONCE_OFFSET, nonce);
        return finish(buffer, offset, Protocol.PING, PingFrame.BODY_LENGTH);
    }

    /**
     * @param buffer destination.
     * @param offset where the frame starts.
     * @param nonce  the nonce of the PING answered.
     * @return bytes written.
     */
    public static int pong(final ByteBuffer buffer, final int offset, final long nonce) {
        buffer.putLong(offset + BODY_OFFSET + PingFrame.NONCE_OFFSET, nonce);
        return finish(buffer, offset, Protocol.PONG, PingFrame.BODY_LENGTH);
    }

    /**
     * @param buffer destination.
     * @param offset where the frame starts.
     * @param code   an {@link io.iris.protocol.ErrorCode} wire value.
     * @param text   a short text; cut to {@link Protocol#MAX_TEXT_LENGTH} bytes at a character boundary.
     * @return bytes written, in the layout of every version (no retry advice).
     */
    public static int error(final ByteBuffer buffer, final int offset, final int code, final String text) {
        final int body = offset + BODY_OFFSET;
        buffer.putShort(body + ErrorFrame.CODE_OFFSET, (short) code);
        final int textLength = putText(buffer, body + ErrorFrame.TEXT_LENGTH_OFFSET, text);
        return finish(buffer, offset, Protocol.ERROR, ErrorFrame.bodyLength(textLength));
    }

    /**
     * An ERROR with retry advice, in the layout of protocol version 2: only for a client whose LOGIN offered
     * version 2 or later (a version-1 client would refuse the frame).
     *
     * @param buffer           destination.
     * @param offset           where the frame starts.
     * @param code             an {@link io.iris.protocol.ErrorCode} wire value.
     * @param text             a short text; cut to {@link Protocol#MAX_TEXT_LENGTH} bytes at a character boundary.
     * @param retryAfterMillis how long the client should wait before trying again; clamped into the
     *                         {@code u32} field as 0..{@link Integer#MAX_VALUE}.
     * @return bytes written.
     */
    public static int error(final ByteBuffer buffer, final int offset, final int code, final String text,
                            final long retryAfterMillis) {
        final int body = offset + BODY_OFFSET;
        buffer.putShort(body + ErrorFrame.CODE_OFFSET, (short) code);
        final int textLength = putText(buffer, body + ErrorFrame.TEXT_LENGTH_OFFSET, text);
        buffer.putInt(body + ErrorFrame.retryAfterOffset(textLength), Fields.clampMillis(retryAfterMillis));
        return finish(buffer, offset, Protocol.ERROR, ErrorFrame.bodyLengthWithRetryAfter(textLength));
    }

    /**
     * @param buffer               destination.
     * @param offset               where the frame starts.
     * @param reconnectAfterMillis when the client should reconnect.
     * @param text                 a short text; cut to {@link Protocol#MAX_TEXT_LENGTH} bytes at a character boundary.
     * @return bytes written.
     */
    public static int goaway(final ByteBuffer buffer, final int offset, final int reconnectAfterMillis,
                             final String text) {
        final int body = offset + BODY_OFFSET;
        buffer.putInt(body + GoAwayFrame.RECONNECT_AFTER_OFFSET, reconnectAfterMillis);
        final int textLength = putText(buffer, body + GoAwayFrame.TEXT_LENGTH_OFFSET, text);
        return finish(buffer, offset, Protocol.GOAWAY, GoAwayFrame.bodyLength(textLength));
    }

    /**
     * Checks the byte order once per buffer: every put above relies on big-endian.
     *
     * @param buffer a destination.
     * @return the buffer.
     * @throws IllegalArgumentException if it is little-endian.
     */
    public static ByteBuffer requireBigEndian(final ByteBuffer buffer) {
        if (buffer.order() != BE) {
            throw new IllegalArgumentException("frames are big-endian; the buffer is " + buffer.order());
        }
        return buffer;
    }

    /**
     * The encoded size of a DELIVER frame.
     *
     * @param senderLength  sender id length.
     * @param payloadLength payload length.
     * @return the exact frame size including the length prefix.
     */
    public static int deliverLength(final int senderLength, final int payloadLength) {
        return FrameHeader.frameLength(DeliverFrame.bodyLength(senderLength, payloadLength));
    }

    /** Writes a {@code str16} text cut by {@link Fields#textLength}. @return the text's length on the wire. */
    private static int putText(final ByteBuffer buffer, final int lengthAt, final String text) {
        final byte[] bytes = Fields.textBytes(text);
        final int length = Fields.textLength(bytes);
        buffer.putShort(lengthAt, (short) length);
        buffer.put(lengthAt + U16_SIZE, bytes, 0, length);
        return length;
    }

    private static void putId8(final ByteBuffer buffer, final int lengthAt, final byte[] id) {
        buffer.put(lengthAt, (byte) id.length);
        buffer.put(lengthAt + U8_SIZE, id);
    }

    private static int finish(final ByteBuffer buffer, final int offset, final byte type,
                              final int bodyLength) {
        buffer.putInt(offset + LENGTH_OFFSET, FrameHeader.lengthField(bodyLength));
        buffer.put(offset + TYPE_OFFSET, type);
        return FrameHeader.frameLength(bodyLength);
    }
}
