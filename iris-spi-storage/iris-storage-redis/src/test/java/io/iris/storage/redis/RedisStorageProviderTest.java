package io.iris.storage.redis;

import io.iris.api.IrisConfig;
import io.iris.api.spi.Providers;
import io.iris.api.storage.InboxStore;
import io.iris.api.storage.StorageProvider;
import io.iris.api.storage.StorageUnavailableException;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisStorageProviderTest {
    @Test
    void storageRedisIsFoundByNameAndConfiguredFromKeys() {
        try (RedisServer server = RedisServer.start()) {
            final StorageProvider provider = Providers.load(StorageProvider.class, "redis",
                RedisStorageProviderTest.class.getClassLoader());
            assertThat(provider).isInstanceOf(RedisStorageProvider.class);
            try (InboxStore store = provider.create(IrisConfig.of(Map.of(RedisStoreConfig.URI, server.uri(),
                RedisStoreConfig.KEY_PREFIX, TestStores.freshPrefix())))) {
                final UnsafeBuffer r = new UnsafeBuffer(new byte[]{1, 2, 3});
                assertThat(store.append("alice", "bob", 1, r, 0, 3)).isEqualTo(1);
                store.sync();
                assertThat(store.lastSeq("alice")).isEqualTo(1);
            }
        }
    }

    @Test
    void anUnreachableServerFailsAtStartWithItsAddress() {
        final int port = RedisServer.freePort(false);
        assertThatThrownBy(() -> new RedisStorageProvider().create(IrisConfig.of(Map.of(
            RedisStoreConfig.URI, "redis://127.0.0.1:" + port, RedisStoreConfig.TIMEOUT_MILLIS, "500"))))
            .isInstanceOf(StorageUnavailableException.class).hasMessageContaining("127.0.0.1:" + port);
    }
}
