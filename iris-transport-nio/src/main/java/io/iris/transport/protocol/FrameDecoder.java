package io.iris.transport.protocol;

import io.iris.protocol.Protocol;
import io.iris.api.Utf8;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Flyweight that validates one frame in place and exposes its fields, allocating nothing.
 *
 * <p>{@link #wrap} checks the whole frame against {@code docs/protocol.md}: a known type, every field
 * inside the frame, ids of 1–64 bytes of valid UTF-8, limits on tokens and texts, and no trailing
 * bytes. Only after it returns true are the accessors meaningful, and only those of the wrapped type;
 * variable-length fields are exposed as offsets into the wrapped buffer. Never throws on bad input.
 *
 * <p>Not thread-safe: one instance per thread, reused for every frame.
 */
public final class FrameDecoder {
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;

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

    // parse position while validating
    private int pos;
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
        this.pos = offset + 1;
        this.end = offset + length;
        final boolean ok;
        switch (type) {
            case Protocol.LOGIN:
                ok = readU16MinVersion() && readU16MaxVersion() && readToken() && readDevice() && readResumeCursor();
                break;
            case Protocol.LOGIN_OK:
                ok = readVersion() && readId() && readTime() && readMaxPayload() && readHeartbeat() && readCursorField() && readLastSeqField();
                break;
            case Protocol.SEND:
                ok = readClientMsgIdField() && readId() && readPayload();
                break;
            case Protocol.SEND_ACK:
                ok = readClientMsgIdField() && readStatusField() && readSeqField() && readTime() && readRetryAfter();
                break;
            case Protocol.DELIVER:
                ok = readSeqField() && readId() && readTime() && readPayload();
                break;
            case Protocol.DELIVER_ACK:
                ok = readSeqField();
                break;
            case Protocol.PRESENCE_QUERY:
                ok = readId();
                break;
            case Protocol.PRESENCE:
                ok = readId() && readOnlineField() && readTime();
                break;
            case Protocol.PING:
            case Protocol.PONG:
                ok = readNonceField();
                break;
            case Protocol.ERROR:
                ok = readCodeField() && readText();
                break;
            case Protocol.GOAWAY:
                ok = readRetryAfter() && readText();
                break;
            default:
                return fail("unknown frame type");
        }
        if (!ok) {
            return false;
        }
        if (pos != end) {
            return fail("trailing bytes");
        }
        return true;
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

    /** @return SEND_ACK: retry-after millis; GOAWAY: reconnect-after millis. */
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

    // ---- field parsers: each checks bounds, stores the field and advances pos ----

    private boolean fail(final String why) {
        error = why;
        return false;
    }

    private boolean need(final int n) {
        if (end - pos < n) {
            return fail("truncated frame");
        }
        return true;
    }

    private boolean readU16MinVersion() {
        if (!need(2)) {
            return false;
        }
        minVersion = buffer.getShort(pos, BE) & 0xFFFF;
        pos += 2;
        return true;
    }

    private boolean readU16MaxVersion() {
        if (!need(2)) {
            return false;
        }
        maxVersion = buffer.getShort(pos, BE) & 0xFFFF;
        pos += 2;
        if (maxVersion < minVersion) {
            return fail("maxVersion below minVersion");
        }
        return true;
    }

    private boolean readVersion() {
        if (!need(2)) {
            return false;
        }
        maxVersion = buffer.getShort(pos, BE) & 0xFFFF;
        minVersion = maxVersion;
        pos += 2;
        return true;
    }

    private boolean readToken() {
        if (!need(2)) {
            return false;
        }
        final int len = buffer.getShort(pos, BE) & 0xFFFF;
        pos += 2;
        if (len == 0 || len > Protocol.MAX_TOKEN_LENGTH) {
            return fail("token length out of range");
        }
        if (!need(len)) {
            return false;
        }
        tokenOffset = pos;
        tokenLength = len;
        pos += len;
        return true;
    }

    private boolean readDevice() {
        if (!readIdLike()) {
            return false;
        }
        deviceOffset = idOffset;
        deviceLength = idLength;
        return true;
    }

    private boolean readId() {
        return readIdLike();
    }

    private boolean readIdLike() {
        if (!need(1)) {
            return false;
        }
        final int len = buffer.getByte(pos) & 0xFF;
        pos += 1;
        if (len == 0 || len > Protocol.MAX_ID_LENGTH) {
            return fail("id length out of range");
        }
        if (!need(len)) {
            return false;
        }
        if (!Utf8.isValid(buffer, pos, len)) {
            return fail("id is not valid UTF-8");
        }
        idOffset = pos;
        idLength = len;
        pos += len;
        return true;
    }

    private boolean readPayload() {
        if (!need(4)) {
            return false;
        }
        final int len = buffer.getInt(pos, BE);
        pos += 4;
        if (len < 0 || len > end - pos) {
            return fail("payload length out of range");
        }
        payloadOffset = pos;
        payloadLength = len;
        pos += len;
        return true;
    }

    private boolean readText() {
        if (!need(2)) {
            return false;
        }
        final int len = buffer.getShort(pos, BE) & 0xFFFF;
        pos += 2;
        if (len > Protocol.MAX_TEXT_LENGTH) {
            return fail("text too long");
        }
        if (!need(len)) {
            return false;
        }
        if (!Utf8.isValid(buffer, pos, len)) {
            return fail("text is not valid UTF-8");
        }
        textOffset = pos;
        textLength = len;
        pos += len;
        return true;
    }

    private boolean readResumeCursor() {
        if (!need(8)) {
            return false;
        }
        seq = buffer.getLong(pos, BE);
        pos += 8;
        if (seq < -1) {
            return fail("resumeCursor below -1");
        }
        return true;
    }

    private boolean readClientMsgIdField() {
        if (!need(8)) {
            return false;
        }
        clientMsgId = buffer.getLong(pos, BE);
        pos += 8;
        return true;
    }

    private boolean readSeqField() {
        if (!need(8)) {
            return false;
        }
        seq = buffer.getLong(pos, BE);
        pos += 8;
        if (seq < 0) {
            return fail("negative seq");
        }
        return true;
    }

    private boolean readCursorField() {
        if (!need(8)) {
            return false;
        }
        cursor = buffer.getLong(pos, BE);
        pos += 8;
        return true;
    }

    private boolean readLastSeqField() {
        if (!need(8)) {
            return false;
        }
        lastSeq = buffer.getLong(pos, BE);
        pos += 8;
        return true;
    }

    private boolean readTime() {
        if (!need(8)) {
            return false;
        }
        time = buffer.getLong(pos, BE);
        pos += 8;
        return true;
    }

    private boolean readMaxPayload() {
        if (!need(4)) {
            return false;
        }
        maxPayload = buffer.getInt(pos, BE);
        pos += 4;
        return true;
    }

    private boolean readHeartbeat() {
        if (!need(4)) {
            return false;
        }
        heartbeatMillis = buffer.getInt(pos, BE);
        pos += 4;
        return true;
    }

    private boolean readStatusField() {
        if (!need(1)) {
            return false;
        }
        code = buffer.getByte(pos) & 0xFF;
        pos += 1;
        return true;
    }

    private boolean readCodeField() {
        if (!need(2)) {
            return false;
        }
        code = buffer.getShort(pos, BE) & 0xFFFF;
        pos += 2;
        return true;
    }

    private boolean readRetryAfter() {
        if (!need(4)) {
            return false;
        }
        retryAfterMillis = buffer.getInt(pos, BE) & 0xFFFFFFFFL;
        pos += 4;
        return true;
    }

    private boolean readOnlineField() {
        if (!need(1)) {
            return false;
        }
        final int v = buffer.getByte(pos);
        pos += 1;
        if (v != 0 && v != 1) {
            return fail("online flag not 0 or 1");
        }
        online = v == 1;
        return true;
    }

    private boolean readNonceField() {
        if (!need(8)) {
            return false;
        }
        nonce = buffer.getLong(pos, BE);
        pos += 8;
        return true;
    }
}
