package io.iris.storage.chronicle;

import io.iris.api.storage.InboxStore;
import io.iris.storage.tck.InboxStoreContract;
import io.iris.storage.tck.StoreOptions;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The storage TCK against {@link ChronicleInboxStore}, restarts included (a restart closes the store
 * and replays its directory into a new one).
 */
class ChronicleInboxStoreContractTest extends InboxStoreContract {
    @TempDir
    Path temp;
    private int stores;

    @Override
    protected InboxStore newStore(final StoreOptions options) {
        return open(temp.resolve("store-" + (++stores)), options);
    }

    @Override
    protected boolean survivesRestart() {
        return true;
    }

    @Override
    protected InboxStore reopen(final InboxStore store, final StoreOptions options) {
        final Path dir = ((ChronicleInboxStore) store).directory();
        store.close();
        return open(dir, options);
    }

    private static ChronicleInboxStore open(final Path dir, final StoreOptions options) {
        return ChronicleInboxStore.builder(dir)
            .dedupWindow(options.dedupWindow())
            .ttl(Duration.ofSeconds(options.retentionSeconds()))
            .timeProvider(options.clock()::time)
            .blockSize(1 << 20)
            .minFreeBytes(16 << 20)
            .retentionInterval(Duration.ZERO)
            .open();
    }
}
