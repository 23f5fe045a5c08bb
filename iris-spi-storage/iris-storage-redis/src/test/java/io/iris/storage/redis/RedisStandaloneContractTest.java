package io.iris.storage.redis;

import io.iris.api.storage.InboxStore;
import io.iris.storage.tck.InboxStoreContract;
import io.iris.storage.tck.StoreOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.Map;

/**
 * The storage TCK against one standalone {@code redis-server} started for this class. Each store gets
 * its own key prefix, so it starts empty; a "restart" closes the store (its Lettuce client) and opens
 * a new one over the same keys.
 */
class RedisStandaloneContractTest extends InboxStoreContract {
    private static RedisServer server;
    private static TestStores stores;

    @BeforeAll
    static void startRedis() {
        server = RedisServer.start();
        stores = new TestStores(server.uri());
    }

    @AfterAll
    static void stopRedis() {
        if (stores != null) {
            stores.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected InboxStore newStore(final StoreOptions options) {
        return stores.open(options, TestStores.freshPrefix(), Map.of());
    }

    @Override
    protected boolean survivesRestart() {
        return true;
    }

    @Override
    protected InboxStore reopen(final InboxStore store, final StoreOptions options) {
        final String prefix = ((RedisInboxStore) store).config().keyPrefix();
        store.close();
        return stores.open(options, prefix, Map.of());
    }
}
