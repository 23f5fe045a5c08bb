package io.iris.client;

import io.iris.protocol.ErrorCode;

/**
 * Why an {@link IrisClient} operation failed for a reason other than a bad argument or a full queue:
 * the server refused the login, the client was closed, or it stopped after losing its connection
 * with reconnection disabled.
 *
 * <p>{@link #code()} is the {@link ErrorCode} the server sent in its ERROR frame, or {@code null} when
 * the failure was local (closed by the application, I/O error, protocol violation by the server).
 */
public final class IrisClientException extends RuntimeException {
    /** The server's error code, or null for a local failure. */
    private final ErrorCode code;

    /**
     * @param message what happened.
     * @param code    the server's error code, or null for a local failure.
     * @param cause   the underlying exception, or null.
     */
    public IrisClientException(final String message, final ErrorCode code, final Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /**
     * @param message what happened.
     * @param code    the server's error code, or null for a local failure.
     */
    public IrisClientException(final String message, final ErrorCode code) {
        this(message, code, null);
    }

    /** @return the server's error code, or {@code null} when the failure was local. */
    public ErrorCode code() {
        return code;
    }
}
