package io.iris.storage.redis;

import io.iris.api.IrisConfig;
import io.iris.api.storage.InboxStore;
import io.iris.api.storage.StorageProvider;
import org.agrona.concurrent.SystemEpochClock;

/**
 * Provides {@link RedisInboxStore} under the name {@code redis}. Reads the {@code storage.redis.*}
 * keys of {@link RedisStoreConfig}, plus {@code dedup.window} (dedup keys kept per inbox) and
 * {@code storage.retentionSeconds}; see {@code docs/storage.md}. Fails at start-up if Redis cannot be
 * reached.
 */
public final class RedisStorageProvider implements StorageProvider {
    @Override
    public String name() {
        return "redis";
    }

    @Override
    public InboxStore create(final IrisConfig config) {
        return new RedisInboxStore(RedisStoreConfig.from(config), SystemEpochClock.INSTANCE);
    }
}
