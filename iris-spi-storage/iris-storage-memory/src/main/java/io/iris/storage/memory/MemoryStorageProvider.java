package io.iris.storage.memory;

import io.iris.api.IrisConfig;
import io.iris.api.storage.InboxStore;
import io.iris.api.storage.StorageProvider;

/**
 * Provides {@link MemoryInboxStore} under the name {@code memory}. Reads {@code dedup.window}: how many
 * recent appends' dedup keys are remembered (default 262,144).
 */
public final class MemoryStorageProvider implements StorageProvider {
    @Override
    public String name() {
        return "memory";
    }

    @Override
    public InboxStore create(final IrisConfig config) {
        return new MemoryInboxStore(config.getInt("dedup.window", MemoryInboxStore.DEFAULT_DEDUP_WINDOW, 1, 1 << 26));
    }
}
