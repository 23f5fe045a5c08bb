package io.iris.engine.flow;

import java.util.concurrent.TimeUnit;

/**
 * Group-commit latency of one shard, for the {@link Signal#COMMIT_LATENCY} signal. The shard thread (the single
 * writer) brackets each storage sync with {@link #syncStarted} and {@link #syncEnded}: three volatile writes
 * per batch, no allocation. The sampler reads {@link #latencyNanos}: the running sync's age if one is in
 * progress (so a stuck store shows at once, not when its sync finally returns), otherwise the last sync's
 * duration if it ended within {@link #RECENT_NANOS}, otherwise 0 (an idle shard is not under pressure).
 * The fields are read without a lock, so one sample may mix two syncs; the next sample is consistent.
 */
public final class CommitLatencyProbe {
    /** How long a finished sync's duration still counts as the current latency. */
    public static final long RECENT_NANOS = TimeUnit.SECONDS.toNanos(1);

    private volatile boolean syncing;
    private volatile long syncStartNanos;
    private volatile long lastSyncNanos;
    private volatile long lastSyncEndNanos;

    /**
     * Shard thread: a sync starts.
     *
     * @param nowNanos {@link System#nanoTime()}.
     */
    public void syncStarted(final long nowNanos) {
        syncStartNanos = nowNanos;
        syncing = true;
    }

    /**
     * Shard thread: the sync started last has returned (successfully or not).
     *
     * @param nowNanos {@link System#nanoTime()}.
     */
    public void syncEnded(final long nowNanos) {
        lastSyncNanos = nowNanos - syncStartNanos;
        lastSyncEndNanos = nowNanos;
        syncing = false;
    }

    /**
     * Any thread.
     *
     * @param nowNanos {@link System#nanoTime()}.
     * @return the current group-commit latency (see the class comment), in nanoseconds.
     */
    public long latencyNanos(final long nowNanos) {
        if (syncing) {
            return Math.max(0, nowNanos - syncStartNanos);
        }
        final long end = lastSyncEndNanos;
        return nowNanos - end <= RECENT_NANOS ? lastSyncNanos : 0;
    }
}
