package io.iris.storage.redis;

import io.iris.api.IrisConfig;
import io.iris.storage.tck.StoreOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Opens {@link RedisInboxStore}s for tests: fresh key prefixes, one set of Lettuce event loops. */
final class TestStores implements AutoCloseable {
    private static final AtomicInteger PREFIXES = new AtomicInteger();

    private final String uri;
    private final ClientResources resources = DefaultClientResources.builder()
        .ioThreadPoolSize(2).computationThreadPoolSize(2).build();

    /**
     * @param uri the server or cluster.
     */
    TestStores(final String uri) {
        this.uri = uri;
    }

    /** @return a key prefix no other store of this JVM uses: an empty store. */
    static String freshPrefix() {
        return "t" + ProcessHandle.current().pid() + "-" + PREFIXES.incrementAndGet();
    }

    /**
     * @param options the TCK options (dedup window, retention, clock).
     * @param prefix  the key prefix: the same one reopens the same inboxes.
     * @param extra   more configuration.
     * @return an open store.
     */
    RedisInboxStore open(final StoreOptions options, final String prefix, final Map<String, String> extra) {
        IrisConfig config = options.toConfig().with(RedisStoreConfig.URI, uri).with(RedisStoreConfig.KEY_PREFIX, prefix);
        for (final Map.Entry<String, String> e : extra.entrySet()) {
            config = config.with(e.getKey(), e.getValue());
        }
        return new RedisInboxStore(RedisStoreConfig.from(config), options.clock(), resources);
    }

    /**
     * @param extra configuration beyond the defaults.
     * @return a store with a fresh prefix and the system clock.
     */
    RedisInboxStore open(final Map<String, String> extra) {
        return open(new StoreOptions(262_144, 2_592_000L, clock()), freshPrefix(), extra);
    }

    private static EpochClock clock() {
        return SystemEpochClock.INSTANCE;
    }

    @Override
    public void close() {
        resources.shutdown();
    }
}
