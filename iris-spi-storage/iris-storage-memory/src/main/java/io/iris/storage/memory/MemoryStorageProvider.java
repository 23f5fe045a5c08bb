package io.iris.storage.memory;

import io.iris.api.IrisConfig;
import io.iris.api.storage.InboxStore;
import io.iris.api.storage.StorageProvider;

/** Provides {@link MemoryInboxStore} under the name {@code memory}. It reads no configuration keys. */
public final class MemoryStorageProvider implements StorageProvider {
    @Override
    public String name() {
        return "memory";
    }

    @Override
    public InboxStore create(final IrisConfig config) {
        return new MemoryInboxStore();
    }
}
