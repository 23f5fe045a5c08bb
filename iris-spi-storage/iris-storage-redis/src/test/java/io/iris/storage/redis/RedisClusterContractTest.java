package io.iris.storage.redis;

import io.iris.api.storage.InboxStore;
import io.iris.storage.tck.InboxStoreContract;
import io.iris.storage.tck.StoreOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.Map;

/**
 * The storage TCK against a three-master Redis Cluster started for this class (every user's keys on one slot). Each store gets
 * its own key prefix, so it starts empty; a "restart" closes the store (its Lettuce client) and opens
 * a new one over the same keys.
 */
class RedisClusterContractTest extends InboxStoreContract {
    /** Two connections per node here (one in the standalone run), so both lane set-ups pass the TCK. */
    private static final Map<String, String> TWO_LANES = Map.of(RedisStoreConfig.CONNECTIONS, "2");
    private static RedisCluster server;
    private static TestStores stores;

    @BeforeAll
    static void startRedis() {
        server = RedisCluster.start(3);
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
        return stores.open(options, TestStores.freshPrefix(), TWO_LANES);
    }

    @Override
    protected boolean survivesRestart() {
        return true;
    }

    @Override
    protected InboxStore reopen(final InboxStore store, final StoreOptions options) {
        final String prefix = ((RedisInboxStore) store).config().keyPrefix();
        store.close();
        return stores.open(options, prefix, TWO_LANES);
    }
}
