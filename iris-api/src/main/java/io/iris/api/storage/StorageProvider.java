package io.iris.api.storage;

import io.iris.api.spi.NamedProvider;

/**
 * Creates an {@link InboxStore}; registered in
 * {@code META-INF/services/io.iris.api.storage.StorageProvider} and chosen by the {@code storage}
 * configuration key.
 */
public interface StorageProvider extends NamedProvider<InboxStore> {
    /**
     * Configuration key: how many of the most recent appends of the store the dedup window must cover
     * at least (see {@link InboxStore}). Every provider reads it.
     */
    String DEDUP_WINDOW = "dedup.window";

    /** Default of {@link #DEDUP_WINDOW}. */
    int DEFAULT_DEDUP_WINDOW = 262_144;

    /**
     * Configuration key: seconds after its append at which a record may be trimmed even though not
     * every device acknowledged it (the retention of {@link InboxStore}); 0 disables retention.
     */
    String RETENTION_SECONDS = "storage.retentionSeconds";

    /** Default of {@link #RETENTION_SECONDS}: 30 days. */
    long DEFAULT_RETENTION_SECONDS = 2_592_000L;
}
