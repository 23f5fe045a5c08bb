package io.iris.protocol;

/**
 * Outcome of one SEND, as carried in the {@code status} byte of a SEND_ACK frame and in a
 * {@link SendReceipt}.
 *
 * <p>Only {@link #STORED} and {@link #DUPLICATE} mean the message is in the recipient's inbox and
 * will be delivered. Every other status means nothing was stored; {@link #isRetryable() retryable}
 * ones may be sent again, with the same client message id, after the advised delay.
 */
public enum SendStatus {
    /** Durably appended to the recipient's inbox under the configured durability mode. */
    STORED(0, false),
    /** A retry of a message already stored: the receipt carries the original seq. */
    DUPLICATE(1, false),
    /** The sender's token bucket is empty; retry after the advised delay. */
    RATE_LIMITED(2, true),
    /** The engine is shedding load; retry after the advised delay. */
    OVERLOADED(3, true),
    /** The storage provider refused or failed the write; retry after the advised delay. */
    STORAGE_UNAVAILABLE(4, true),
    /**
     * The recipient is not a valid user id ({@link UserIds}: empty, over 64 bytes, not UTF-8, or with a control
     * character), or the embedding application's {@link RecipientValidator} says it does not exist. Nothing was
     * stored; retrying does not help.
     */
    INVALID_RECIPIENT(5, false),
    /** The payload is larger than the server's configured maximum. */
    PAYLOAD_TOO_LARGE(6, false);

    private static final SendStatus[] BY_CODE = values();

    private final int code;
    private final boolean retryable;

    SendStatus(final int code, final boolean retryable) {
        this.code = code;
        this.retryable = retryable;
    }

    /** @return the wire value of this status (the SEND_ACK {@code status} byte). */
    public int code() {
        return code;
    }

    /** @return true when sending the same message again later may succeed. */
    public boolean isRetryable() {
        return retryable;
    }

    /** @return true when the message is in the recipient's inbox. */
    public boolean isStored() {
        return this == STORED || this == DUPLICATE;
    }

    /**
     * @param code a wire value.
     * @return the status with that wire value.
     * @throws IllegalArgumentException if no status has that value.
     */
    public static SendStatus fromCode(final int code) {
        if (code < 0 || code >= BY_CODE.length) {
            throw new IllegalArgumentException("unknown send status code " + code);
        }
        return BY_CODE[code];
    }
}
