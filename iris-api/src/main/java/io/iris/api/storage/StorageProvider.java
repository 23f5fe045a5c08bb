package io.iris.api.storage;

import io.iris.api.spi.NamedProvider;

/**
 * Creates an {@link InboxStore}; registered in
 * {@code META-INF/services/io.iris.api.storage.StorageProvider} and chosen by the {@code storage}
 * configuration key.
 */
public interface StorageProvider extends NamedProvider<InboxStore> {
}
