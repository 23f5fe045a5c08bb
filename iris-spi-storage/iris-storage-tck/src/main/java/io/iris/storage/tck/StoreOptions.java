package io.iris.storage.tck;

import io.iris.api.IrisConfig;
import io.iris.api.storage.StorageProvider;
import org.agrona.concurrent.EpochClock;

import java.util.Map;
import java.util.Objects;

/**
 * What the TCK asks of the store it opens: the dedup window, the retention and the clock. A provider
 * maps them onto its own configuration in {@link InboxStoreContract#newStore}; {@link #toConfig()}
 * gives them as the standard configuration keys ({@value StorageProvider#DEDUP_WINDOW},
 * {@value StorageProvider#RETENTION_SECONDS}). Immutable.
 */
public final class StoreOptions {
    private final int dedupWindow;
    private final long retentionSeconds;
    private final EpochClock clock;

    /**
     * @param dedupWindow      the most recent appends of the store whose dedup keys must be recognised, at least 1.
     * @param retentionSeconds seconds after which an unacknowledged record may be trimmed, 0 for none.
     * @param clock            the clock the store must measure retention with.
     */
    public StoreOptions(final int dedupWindow, final long retentionSeconds, final EpochClock clock) {
        if (dedupWindow < 1) {
            throw new IllegalArgumentException("dedup window must be at least 1: " + dedupWindow);
        }
        if (retentionSeconds < 0) {
            throw new IllegalArgumentException("retention must be at least 0: " + retentionSeconds);
        }
        this.dedupWindow = dedupWindow;
        this.retentionSeconds = retentionSeconds;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** @return the dedup window the store must cover, in appends. */
    public int dedupWindow() {
        return dedupWindow;
    }

    /** @return the retention in seconds; 0 means none. */
    public long retentionSeconds() {
        return retentionSeconds;
    }

    /** @return the clock the store must read the time from. */
    public EpochClock clock() {
        return clock;
    }

    /**
     * @param window the dedup window.
     * @return a copy with that dedup window.
     */
    public StoreOptions withDedupWindow(final int window) {
        return new StoreOptions(window, retentionSeconds, clock);
    }

    /**
     * @param seconds the retention.
     * @return a copy with that retention.
     */
    public StoreOptions withRetentionSeconds(final long seconds) {
        return new StoreOptions(dedupWindow, seconds, clock);
    }

    /** @return the dedup window and the retention as the standard storage configuration keys. */
    public IrisConfig toConfig() {
        return IrisConfig.of(Map.of(
            StorageProvider.DEDUP_WINDOW, Integer.toString(dedupWindow),
            StorageProvider.RETENTION_SECONDS, Long.toString(retentionSeconds)));
    }

    @Override
    public String toString() {
        return "StoreOptions{dedupWindow=" + dedupWindow + ", retentionSeconds=" + retentionSeconds + '}';
    }
}
