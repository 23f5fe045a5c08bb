package io.iris.storage.memory;

import io.iris.api.storage.InboxStore;
import io.iris.storage.tck.InboxStoreContract;
import io.iris.storage.tck.StoreOptions;

/**
 * The storage TCK against the memory provider. Not durable, so the restart tests are skipped; it does
 * not honour {@code storage.retentionSeconds} (nothing outlives the process anyway), so the retention
 * tests are skipped too.
 */
class MemoryInboxStoreContractTest extends InboxStoreContract {
    @Override
    protected InboxStore newStore(final StoreOptions options) {
        return new MemoryInboxStore(options.dedupWindow());
    }

    @Override
    protected boolean honoursRetention() {
        return false;
    }
}
