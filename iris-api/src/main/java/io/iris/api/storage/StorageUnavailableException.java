package io.iris.api.storage;

/**
 * The storage provider cannot accept or confirm a write right now (disk full, backend down). The
 * engine answers senders with the retryable {@code STORAGE_UNAVAILABLE} status.
 */
public class StorageUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed.
     * @param cause   the underlying failure, may be null.
     */
    public StorageUnavailableException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
