package io.iris.api.auth;

import io.iris.protocol.ErrorCode;

/**
 * A refused token. {@link #code()} is {@link ErrorCode#TOKEN_EXPIRED} for an expired token and
 * {@link ErrorCode#AUTH_FAILED} for everything else; the message is a short reason safe to send to the
 * client (it never echoes the token).
 */
public class AuthenticationException extends Exception {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    /**
     * @param code    AUTH_FAILED or TOKEN_EXPIRED.
     * @param message a short reason for the client.
     */
    public AuthenticationException(final ErrorCode code, final String message) {
        super(message);
        this.code = code;
    }

    /** @return the error code sent to the client. */
    public ErrorCode code() {
        return code;
    }
}
