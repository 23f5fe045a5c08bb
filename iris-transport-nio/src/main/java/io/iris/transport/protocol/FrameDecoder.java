package io.iris.transport.protocol;

import io.iris.protocol.Protocol;
import io.iris.api.Utf8;
import org.agrona.DirectBuffer;

import io.iris.protocol.frame.DeliverAckFrame;
import io.iris.protocol.frame.DeliverFrame;
import io.iris.protocol.frame.ErrorFrame;
import io.iris.protocol.frame.GoAwayFrame;
import io.iris.protocol.frame.LoginFrame;
import io.iris.protocol.frame.LoginOkFrame;
import io.iris.protocol.frame.PingFrame;
import io.iris.protocol.frame.PresenceFrame;
import io.iris.protocol.frame.PresenceQueryFrame;
import io.iris.protocol.frame.SendAckFrame;
import io.iris.protocol.frame.SendFrame;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static io.iris.protocol.frame.FrameHeader.I64_SIZE;
import static io.iris.protocol.frame.FrameHeader.U16_SIZE;
import static io.iris.protocol.frame.FrameHeader.U32_SIZE;
import static io.iris.protocol.frame.FrameHeader.U8_SIZE;

/**
 * Flyweight that validates one frame in place and exposes its fields, allocating nothing.
 *
 * <p>{@link #wrap} checks the whole frame against {@code docs/protocol.md}: a known type, every field
 * inside the frame, ids of 1–64 bytes of valid UTF-8, limits on tokens and texts, and no trailing
 * bytes. Only after it returns true are the accessors meaningful, and only those of the wrapped type;
 * variable-length fields are exposed as offsets into the wrapped buffer. Never throws on bad input.
 *
 * <p>Fields are read at the named offsets of the {@link io.iris.protocol.frame} descriptors, field by
 * field in wire order, each only after checking that the frame holds it, so the first problem in wire
 * order is the one reported. {@code io.iris.protocol.codec.ByteBufferFrameDecoder} is the same decoder
 * over JDK buffers for clients; a property test holds the two to identical results.
 *
 * <p>Not thread-safe: one instance per thread, reused for every frame.
 */
public final class FrameDecoder {
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;

    /** The protocol version the frames follow: decides the ERROR layout. */
    private int version = Protocol.MIN_VERSION;
    private DirectBuffer buffer;
    private byte type;
    private String error;

    private int minVersion;
    private int maxVersion;
    private int tokenOffset;
    private int tokenLength;
    private int deviceOffset;
    private int deviceLength;
    private int idOffset;
    private int idLength;
    private int payloadOffset;
    private int payloadLength;
    private int textOffset;
    private int textLength;
    private long clientMsgId;
    private long seq;
    private long cursor;
    private long lastSeq;
    private long time;
    private int code;
    private long retryAfterMillis;
    private int maxPayload;
    private int heartbeatMillis;
    private boolean online;
    private long nonce;

    // the wrapped frame's body (just after the type byte) and end, while validating
    private int body;
    private int end;

    /**
     * Validates a frame.
     *
     * @param buffer holds the frame.
     * @param offset position of the frame's type byte (just after the length prefix).
     * @param length the frame's length as in its prefix (type + body).
     * @return true if the frame is well-formed; otherwise {@link #error()} says why.
     */
    public boolean wrap(final DirectBuffer buffer, final int offset, final int length) {
        this.buffer = buffer;
        this.error = null;
        if (length < 1) {
            return fail("empty frame");
        }
        this.type = buffer.getByte(offset);
        this.body = offset + 1;
        this.end = offset + length;
        switch (type) {
            case Protocol.LOGIN:
                return login();
            case Protocol.LOGIN_OK:
                return loginOk();
            case Protocol.SEND:
                return send();
            case Protocol.SEND_ACK:
                return sendAck();
            case Protocol.DELIVER:
                return deliver();
            case Protocol.DELIVER_ACK:
                return (seq = seqAt(DeliverAckFrame.UP_TO_SEQ_OFFSET)) >= 0 && exact(DeliverAckFrame.BODY_LENGTH);
            case Protocol.PRESENCE_QUERY: {
                final int id = idAt(PresenceQueryFrame.USER_ID_LENGTH_OFFSET);
                return id >= 0 && exact(PresenceQueryFrame.bodyLength(id));
            }
            case Protocol.PRESENCE:
                return presence();
            case Protocol.PING:
            case Protocol.PONG:
                if (!need(PingFrame.NONCE_OFFSET, I64_SIZE)) {
                    return false;
                }
                nonce = i64(PingFrame.NONCE_OFFSET);
                return exact(PingFrame.BODY_LENGTH);
            case Protocol.ERROR: {
                if (!need(ErrorFrame.CODE_OFFSET, U16_SIZE)) {
                    return false;
                }
                code = u16(ErrorFrame.CODE_OFFSET);
                final int text = textAt(ErrorFrame.TEXT_LENGTH_OFFSET);
                if (text < 0) {
                    return false;
                }
                retryAfterMillis = -1;
                if (version < Protocol.VERSION_ERROR_RETRY_AFTER || body + ErrorFrame.bodyLength(text) == end) {
                    return exact(ErrorFrame.bodyLength(text));
                }
                if (!need(ErrorFrame.retryAfterOffset(text), U32_SIZE)) {
                    return false;
                }
                retryAfterMillis = u32(ErrorFrame.retryAfterOffset(text));
                return exact(ErrorFrame.bodyLengthWithRetryAfter(text));
            }
            case Protocol.GOAWAY: {
                if (!need(GoAwayFrame.RECONNECT_AFTER_OFFSET, U32_SIZE)) {
                    return false;
                }
                retryAfterMillis = u32(GoAwayFrame.RECONNECT_AFTER_OFFSET);
                final int text = textAt(GoAwayFrame.TEXT_LENGTH_OFFSET);
                return text >= 0 && exact(GoAwayFrame.bodyLength(text));
            }
            default:
                return fail("unknown frame type");
        }
    }

    /**
     * Sets the protocol version the next frames follow (it only changes how ERROR is read): in version 1 an
     * ERROR ends after its text; from version 2 it may carry a {@code u32 retryAfterMillis} after it
     * (read by {@link #retryAfterMillis()}, -1 when absent). Starts at 1. A client that offered version 2
     * reads with 2 until LOGIN_OK names the version: a version-1 server's ERROR simply has no advice.
     *
     * @param version a protocol version.
     * @return this.
     */
    public FrameDecoder version(final int version) {
        this.version = version;
        return this;
    }

    /** @return why the last {@link #wrap} failed, null if it succeeded. */
    public String error() {
        return error;
    }

    /** @return the frame type of the wrapped frame (see {@link Protocol}). */
    public byte type() {
        return type;
    }

    /** @return the buffer of the wrapped frame, for the offset accessors. */
    public DirectBuffer buffer() {
        return buffer;
    }

    /** @return LOGIN: lowest version offered. */
    public int minVersion() {
        return minVersion;
    }

    /** @return LOGIN: highest version offered; LOGIN_OK: the chosen version. */
    public int maxVersion() {
        return maxVersion;
    }

    /** @return LOGIN: offset of the token bytes. */
    public int tokenOffset() {
        return tokenOffset;
    }

    /** @return LOGIN: length of the token bytes. */
    public int tokenLength() {
        return tokenLength;
    }

    /** @return LOGIN: offset of the device id. */
    public int deviceOffset() {
        return deviceOffset;
    }

    /** @return LOGIN: length of the device id. */
    public int deviceLength() {
        return deviceLength;
    }

    /** @return offset of the user id field: LOGIN_OK user, SEND recipient, DELIVER sender, PRESENCE(_QUERY) user. */
    public int idOffset() {
        return idOffset;
    }

    /** @return length of the user id field (see {@link #idOffset()}). */
    public int idLength() {
        return idLength;
    }

    /** @return SEND, DELIVER: offset of the payload. */
    public int payloadOffset() {
        return payloadOffset;
    }

    /** @return SEND, DELIVER: length of the payload. */
    public int payloadLength() {
        return payloadLength;
    }

    /** @return SEND, SEND_ACK: the client message id. */
    public long clientMsgId() {
        return clientMsgId;
    }

    /** @return SEND_ACK, DELIVER: the inbox seq; DELIVER_ACK: up-to seq; LOGIN: resume cursor. */
    public long seq() {
        return seq;
    }

    /** @return LOGIN_OK: the seq after which delivery resumes. */
    public long cursor() {
        return cursor;
    }

    /** @return LOGIN_OK: the newest seq of the inbox. */
    public long lastSeq() {
        return lastSeq;
    }

    /** @return LOGIN_OK, SEND_ACK, DELIVER: server time; PRESENCE: last seen. */
    public long time() {
        return time;
    }

    /** @return SEND_ACK: the status code; ERROR: the error code. */
    public int code() {
        return code;
    }

    /**
     * @return SEND_ACK: retry-after millis; GOAWAY: reconnect-after millis; ERROR (version 2): the advised
     * retry-after millis, or -1 if the frame carries none.
     */
    public long retryAfterMillis() {
        return retryAfterMillis;
    }

    /** @return LOGIN_OK: the maximum payload. */
    public int maxPayload() {
        return maxPayload;
    }

    /** @return LOGIN_OK: the heartbeat interval. */
    public int heartbeatMillis() {
        return heartbeatMillis;
    }

    /** @return PRESENCE: online flag. */
    public boolean online() {
        return online;
    }

    /** @return PING, PONG: the nonce. */
    public long nonce() {
        return nonce;
    }

    /** @return ERROR, GOAWAY: the text, decoded (allocates; for clients and logs). */
    public String text() {
        return buffer.getStringWithoutLengthUtf8(textOffset, textLength);
    }

    /** @return the user id field as a String (allocates; for clients and login). */
    public String id() {
        return buffer.getStringWithoutLengthUtf8(idOffset, idLength);
    }

    /** @return LOGIN: the device id as a String (allocates; login only). */
    public String deviceId() {
        return buffer.getStringWithoutLengthUtf8(deviceOffset, deviceLength);
    }

    /** @return LOGIN: the token as a String (allocates; login only). */
    public String token() {
        final byte[] bytes = new byte[tokenLength];
        buffer.getBytes(tokenOffset, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** @return SEND, DELIVER: a copy of the payload (allocates; for clients). */
    public byte[] payload() {
        final byte[] bytes = new byte[payloadLength];
        buffer.getBytes(payloadOffset, bytes);
        return bytes;
    }

    // ---- one method per frame type, reading the descriptor's fields in wire order ----

    private boolean login() {
        if (!need(LoginFrame.MIN_VERSION_OFFSET, U16_SIZE)) {
            return false;
        }
        minVersion = u16(LoginFrame.MIN_VERSION_OFFSET);
        if (!need(LoginFrame.MAX_VERSION_OFFSET, U16_SIZE)) {
            return false;
        }
        maxVersion = u16(LoginFrame.MAX_VERSION_OFFSET);
        if (maxVersion < minVersion) {
            return fail("maxVersion below minVersion");
        }
        if (!need(LoginFrame.TOKEN_LENGTH_OFFSET, U16_SIZE)) {
            return false;
        }
        final int token = u16(LoginFrame.TOKEN_LENGTH_OFFSET);
        if (token == 0 || token > Protocol.MAX_TOKEN_LENGTH) {
            return fail("token length out of range");
        }
        if (!need(LoginFrame.TOKEN_OFFSET, token)) {
            return false;
        }
        tokenOffset = body + LoginFrame.TOKEN_OFFSET;
        tokenLength = token;
        final int device = idAt(LoginFrame.deviceIdLengthOffset(token));
        if (device < 0) {
            return false;
        }
        deviceOffset = idOffset;
        deviceLength = idLength;
        final int cursorAt = LoginFrame.resumeCursorOffset(token, device);
        if (!need(cursorAt, I64_SIZE)) {
            return false;
        }
        seq = i64(cursorAt);
        if (seq < -1) {
            return fail("resumeCursor below -1");
        }
        return exact(LoginFrame.bodyLength(token, device));
    }

    private boolean loginOk() {
        if (!need(LoginOkFrame.VERSION_OFFSET, U16_SIZE)) {
            return false;
        }
        maxVersion = u16(LoginOkFrame.VERSION_OFFSET);
        minVersion = maxVersion;
        final int user = idAt(LoginOkFrame.USER_ID_LENGTH_OFFSET);
        if (user < 0 || !need(LoginOkFrame.serverTimeOffset(user), I64_SIZE)) {
            return false;
        }
        time = i64(LoginOkFrame.serverTimeOffset(user));
        if (!need(LoginOkFrame.maxPayloadOffset(user), U32_SIZE)) {
            return false;
        }
        maxPayload = i32(LoginOkFrame.maxPayloadOffset(user));
        if (!need(LoginOkFrame.heartbeatOffset(user), U32_SIZE)) {
            return false;
        }
        heartbeatMillis = i32(LoginOkFrame.heartbeatOffset(user));
        if (!need(LoginOkFrame.cursorOffset(user), I64_SIZE)) {
            return false;
        }
        cursor = i64(LoginOkFrame.cursorOffset(user));
        if (!need(LoginOkFrame.lastSeqOffset(user), I64_SIZE)) {
            return false;
        }
        lastSeq = i64(LoginOkFrame.lastSeqOffset(user));
        return exact(LoginOkFrame.bodyLength(user));
    }

    private boolean send() {
        if (!need(SendFrame.CLIENT_MSG_ID_OFFSET, I64_SIZE)) {
            return false;
        }
        clientMsgId = i64(SendFrame.CLIENT_MSG_ID_OFFSET);
        final int recipient = idAt(SendFrame.RECIPIENT_LENGTH_OFFSET);
        return recipient >= 0 && payloadAt(SendFrame.payloadLengthOffset(recipient))
            && exact(SendFrame.bodyLength(recipient, payloadLength));
    }

    private boolean sendAck() {
        if (!need(SendAckFrame.CLIENT_MSG_ID_OFFSET, I64_SIZE)) {
            return false;
        }
        clientMsgId = i64(SendAckFrame.CLIENT_MSG_ID_OFFSET);
        if (!need(SendAckFrame.STATUS_OFFSET, U8_SIZE)) {
            return false;
        }
        code = u8(SendAckFrame.STATUS_OFFSET);
        if ((seq = seqAt(SendAckFrame.SEQ_OFFSET)) < 0 || !need(SendAckFrame.SERVER_TIME_OFFSET, I64_SIZE)) {
            return false;
        }
        time = i64(SendAckFrame.SERVER_TIME_OFFSET);
        if (!need(SendAckFrame.RETRY_AFTER_OFFSET, U32_SIZE)) {
            return false;
        }
        retryAfterMillis = u32(SendAckFrame.RETRY_AFTER_OFFSET);
        return exact(SendAckFrame.BODY_LENGTH);
    }

    private boolean deliver() {
        if ((seq = seqAt(DeliverFrame.SEQ_OFFSET)) < 0) {
            return false;
        }
        final int sender = idAt(DeliverFrame.SENDER_LENGTH_OFFSET);
        if (sender < 0 || !need(DeliverFrame.serverTimeOffset(sender), I64_SIZE)) {
            return false;
        }
        time = i64(DeliverFrame.serverTimeOffset(sender));
        return payloadAt(DeliverFrame.payloadLengthOffset(sender)) && exact(DeliverFrame.bodyLength(sender, payloadLength));
    }

    private boolean presence() {
        final int user = idAt(PresenceFrame.USER_ID_LENGTH_OFFSET);
        if (user < 0 || !need(PresenceFrame.onlineOffset(user), U8_SIZE)) {
            return false;
        }
        final int flag = u8(PresenceFrame.onlineOffset(user));
        if (flag != 0 && flag != 1) {
            return fail("online flag not 0 or 1");
        }
        online = flag == 1;
        if (!need(PresenceFrame.lastSeenOffset(user), I64_SIZE)) {
            return false;
        }
        time = i64(PresenceFrame.lastSeenOffset(user));
        return exact(PresenceFrame.bodyLength(user));
    }

    // ---- field readers: offsets count from the body; each checks the frame holds the field first ----

    private boolean fail(final String why) {
        error = why;
        return false;
    }

    /** @return true if the body holds {@code size} bytes at {@code at}; otherwise fails "truncated frame". */
    private boolean need(final int at, final int size) {
        if (end - body - at < size) {
            return fail("truncated frame");
        }
        return true;
    }

    /** @return true if the body ends exactly at {@code bodyLength} (it is known to hold that much). */
    private boolean exact(final int bodyLength) {
        if (body + bodyLength != end) {
            return fail("trailing bytes");
        }
        return true;
    }

    /** Reads an {@code i64} seq that may not be negative. @return it, or -1 after failing. */
    private long seqAt(final int at) {
        if (!need(at, I64_SIZE)) {
            return -1;
        }
        final long value = i64(at);
        if (value < 0) {
            fail("negative seq");
            return -1;
        }
        return value;
    }

    /** Reads an {@code id8} whose length byte is at {@code at} into idOffset/idLength. @return its length, or -1. */
    private int idAt(final int at) {
        if (!need(at, U8_SIZE)) {
            return -1;
        }
        final int length = u8(at);
        if (length == 0 || length > Protocol.MAX_ID_LENGTH) {
            fail("id length out of range");
            return -1;
        }
        if (!need(at + U8_SIZE, length)) {
            return -1;
        }
        if (!Utf8.isValid(buffer, body + at + U8_SIZE, length)) {
            fail("id is not valid UTF-8");
            return -1;
        }
        idOffset = body + at + U8_SIZE;
        idLength = length;
        return length;
    }

    /** Reads a {@code bytes32} whose length is at {@code at} into payloadOffset/payloadLength. */
    private boolean payloadAt(final int at) {
        if (!need(at, U32_SIZE)) {
            return false;
        }
        final int length = i32(at);
        if (length < 0 || length > end - body - at - U32_SIZE) {
            return fail("payload length out of range");
        }
        payloadOffset = body + at + U32_SIZE;
        payloadLength = length;
        return true;
    }

    /** Reads a {@code str16} text whose length is at {@code at} into textOffset/textLength. @return its length, or -1. */
    private int textAt(final int at) {
        if (!need(at, U16_SIZE)) {
            return -1;
        }
        final int length = u16(at);
        if (length > Protocol.MAX_TEXT_LENGTH) {
            fail("text too long");
            return -1;
        }
        if (!need(at + U16_SIZE, length)) {
            return -1;
        }
        if (!Utf8.isValid(buffer, body + at + U16_SIZE, length)) {
            fail("text is not valid UTF-8");
            return -1;
        }
        textOffset = body + at + U16_SIZE;
        textLength = length;
        return length;
    }

    private int u8(final int at) {
        return buffer.getByte(body + at) & 0xFF;
    }

    private int u16(final int at) {
        return buffer.getShort(body + at, BE) & 0xFFFF;
    }

    private int i32(final int at) {
        return buffer.getInt(body + at, BE);
    }

    private long u32(final int at) {
        return buffer.getInt(body + at, BE) & 0xFFFF_FFFFL;
    }

    private long i64(final int at) {
        return buffer.getLong(body + at, BE);
    }
}
