package io.iris.protocol;

/**
 * Typed error codes carried by ERROR frames (and by login failures). Wire values are stable: new
 * codes are only ever appended. See {@code docs/protocol.md} for what the server does after each.
 */
public enum ErrorCode {
    /** A frame could not be decoded: bad type, bad field length, trailing bytes. Connection closed. */
    MALFORMED_FRAME(1),
    /** A frame declared a length above the negotiated maximum. Connection closed before reading it. */
    FRAME_TOO_LARGE(2),
    /** No protocol version in the client's range is supported. Connection closed. */
    UNSUPPORTED_VERSION(3),
    /** The token was missing, malformed, badly signed, or its claims were refused. Connection closed. */
    AUTH_FAILED(4),
    /** The token has expired. Connection closed. */
    TOKEN_EXPIRED(5),
    /** A frame other than LOGIN (or PING) arrived before login succeeded. Connection closed. */
    NOT_AUTHENTICATED(6),
    /** LOGIN was not received within the login deadline. Connection closed. */
    LOGIN_TIMEOUT(7),
    /** No frame arrived within the idle timeout. Connection closed. */
    IDLE_TIMEOUT(8),
    /** The server is at its connection limit or overloaded (CRITICAL). Connection closed; try later or another node. */
    SERVER_FULL(9),
    /**
     * The connection's unsent output passed its high-water mark, or its delivery window stayed full with no
     * acknowledgement for the stall timeout. Undelivered messages stay in the inbox.
     */
    SLOW_CONSUMER(10),
    /** A second LOGIN on an authenticated connection. Connection closed. */
    ALREADY_AUTHENTICATED(11),
    /** The server failed internally while handling this connection. Connection closed. */
    INTERNAL(12),
    /** Another connection logged in with the same user and device id; this one is replaced. */
    DEVICE_REPLACED(13),
    /**
     * This port requires TLS and the client spoke plaintext. Sent once, unencrypted, instead of a TLS
     * handshake; the connection is then closed.
     */
    TLS_REQUIRED(14),
    /**
     * Refused at accept: the client's source address has too many open connections, or opened new ones
     * faster than its allowance. The text names the limit and ends with {@code "retry after <n> ms"}.
     * Connection closed; reconnect with backoff, no sooner than the hint.
     */
    TOO_MANY_CONNECTIONS(15),
    /**
     * LOGIN refused without checking the token: too many failed logins came from the client's source
     * address. The text ends with {@code "retry after <n> ms"}. Connection closed; log in again no sooner.
     */
    LOGIN_THROTTLED(16);

    /** Indexed by wire value; room for codes appended later (fromCode must never overflow). */
    private static final ErrorCode[] BY_CODE = new ErrorCode[64];

    static {
        for (final ErrorCode c : values()) {
            BY_CODE[c.code] = c;
        }
    }

    private final int code;

    ErrorCode(final int code) {
        this.code = code;
    }

    /** @return the wire value of this code. */
    public int code() {
        return code;
    }

    /**
     * @param code a wire value.
     * @return the error code with that value, or {@code null} if unknown (a newer server).
     */
    public static ErrorCode fromCode(final int code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
