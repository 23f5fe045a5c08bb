package io.iris.protocol;

/**
 * Constants of the Iris wire protocol, versions 1 and 2. {@code docs/protocol.md} is the normative text;
 * this class mirrors it, and the {@link io.iris.protocol.frame} descriptors give every frame's layout.
 *
 * <pre>
 * frame := u32 length | u8 type | body      (length counts type + body, big-endian)
 * </pre>
 */
public final class Protocol {
    /** The oldest protocol version this code speaks. */
    public static final int MIN_VERSION = 1;
    /**
     * The newest protocol version this code speaks. Version 2 adds one field: an ERROR may end with a typed
     * {@code u32 retryAfterMillis} (see {@link io.iris.protocol.frame.ErrorFrame}); everything else is as in 1.
     */
    public static final int VERSION = 2;
    /** The first version in which an ERROR may carry {@code retryAfterMillis}. */
    public static final int VERSION_ERROR_RETRY_AFTER = 2;

    /** Size of the length prefix. */
    public static final int LENGTH_FIELD = 4;
    /** Size of the type byte. */
    public static final int TYPE_FIELD = 1;
    /** Length prefix plus type byte. */
    public static final int HEADER = LENGTH_FIELD + TYPE_FIELD;

    /** Largest frame (type + body) a server accepts before LOGIN_OK. */
    public static final int MAX_FRAME_BEFORE_LOGIN = 8192;
    /** Room for the non-payload fields of a SEND or DELIVER frame above maxPayload. */
    public static final int FRAME_OVERHEAD = 1024;
    /** Default maximum payload of one message. */
    public static final int DEFAULT_MAX_PAYLOAD = 64 * 1024;

    /** Longest user or device id, in UTF-8 bytes. */
    public static final int MAX_ID_LENGTH = 64;
    /** Longest token in a LOGIN frame, in bytes. */
    public static final int MAX_TOKEN_LENGTH = 4096;
    /** Longest text of an ERROR or GOAWAY frame, in UTF-8 bytes. */
    public static final int MAX_TEXT_LENGTH = 1024;

    /** LOGIN, client to server. */
    public static final byte LOGIN = 0x01;
    /** LOGIN_OK, server to client. */
    public static final byte LOGIN_OK = 0x02;
    /** SEND, client to server. */
    public static final byte SEND = 0x03;
    /** SEND_ACK, server to client. */
    public static final byte SEND_ACK = 0x04;
    /** DELIVER, server to client. */
    public static final byte DELIVER = 0x05;
    /** DELIVER_ACK, client to server. */
    public static final byte DELIVER_ACK = 0x06;
    /** PRESENCE_QUERY, client to server. */
    public static final byte PRESENCE_QUERY = 0x07;
    /** PRESENCE, server to client. */
    public static final byte PRESENCE = 0x08;
    /** PING, either way. */
    public static final byte PING = 0x09;
    /** PONG, either way. */
    public static final byte PONG = 0x0A;
    /** ERROR, server to client; the connection closes after it. */
    public static final byte ERROR = 0x0B;
    /** GOAWAY, server to client; the server is draining. */
    public static final byte GOAWAY = 0x0C;

    /** Highest defined frame type. */
    public static final byte MAX_TYPE = GOAWAY;

    private Protocol() {
    }

    /**
     * The version negotiation of LOGIN: the highest version this code speaks within the client's range.
     *
     * @param minVersion the lowest version the client speaks.
     * @param maxVersion the highest version the client speaks.
     * @return the version to use, or -1 if the ranges do not meet.
     */
    public static int negotiate(final int minVersion, final int maxVersion) {
        final int chosen = Math.min(maxVersion, VERSION);
        return chosen >= Math.max(minVersion, MIN_VERSION) ? chosen : -1;
    }

    /**
     * @param maxPayload the negotiated maximum payload.
     * @return the largest client frame (type + body) the server accepts after login.
     */
    public static int maxFrameAfterLogin(final int maxPayload) {
        return maxPayload + FRAME_OVERHEAD;
    }

    /**
     * @param type a frame type byte.
     * @return its name, for logs and errors.
     */
    public static String typeName(final int type) {
        switch (type) {
            case LOGIN: return "LOGIN";
            case LOGIN_OK: return "LOGIN_OK";
            case SEND: return "SEND";
            case SEND_ACK: return "SEND_ACK";
            case DELIVER: return "DELIVER";
            case DELIVER_ACK: return "DELIVER_ACK";
            case PRESENCE_QUERY: return "PRESENCE_QUERY";
            case PRESENCE: return "PRESENCE";
            case PING: return "PING";
            case PONG: return "PONG";
            case ERROR: return "ERROR";
            case GOAWAY: return "GOAWAY";
            default: return "UNKNOWN(" + type + ")";
        }
    }
}
