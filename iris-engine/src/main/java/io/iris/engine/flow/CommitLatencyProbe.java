package io.iris.engine.flow;

import java.util.concurrent.TimeUnit;

/**
 * Group-commit latency of one shard, for the {@link Signal#COMMIT_LATENCY} signal: <b>sustained</b> latency, not
 * the last outlier.
 *
 * <h2>Why</h2>
 * A disk that is fine most of the time still has an fsync that takes 100+ ms now and then (another process
 * flushing, a journal commit). If one such sync raised the level, a client on an idle server would see its
 * SENDs refused for the whole dwell time (seconds) because of a single hiccup that was already over. What
 * flow control must react to is a store that is slow <i>now and for a while</i>, or stuck.
 *
 * <h2>The value</h2>
 * {@link #latencyNanos} is the larger of:
 * <ul>
 *   <li><b>sustained</b>: the <i>shortest</i> of the last {@value #SUSTAINED_SYNCS} syncs, when all of them ended
 *       within the last {@link #SUSTAINED_WINDOW_NANOS} and the newest within {@link #RECENT_NANOS} (the shard is
 *       still committing). Every one of those syncs took at least that long, so one fast sync among them keeps
 *       the value low: isolated slow syncs count for nothing;</li>
 *   <li><b>stalled</b>: the age of the sync in progress once it has run for {@link #STALL_NANOS} (a store that
 *       stopped answering shows after that second, not only when its sync finally returns).</li>
 * </ul>
 * and 0 otherwise (an idle shard is not under pressure).
 *
 * <p>The shard thread (the single writer) brackets each storage sync with {@link #syncStarted} and
 * {@link #syncEnded}: a few array and volatile writes per batch, no allocation. The sampler reads without a
 * lock, so one sample may mix two syncs; the next sample is consistent.
 */
public final class CommitLatencyProbe {
    /** How many consecutive syncs must all be slow for the latency to count. */
    public static final int SUSTAINED_SYNCS = 4;
    /** Those syncs must all have ended within this long. */
    public static final long SUSTAINED_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** The newest of them must have ended within this long (otherwise the shard is idle: 0). */
    public static final long RECENT_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** A sync running for this long counts on its own, with its age. */
    public static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final long[] durations = new long[SUSTAINED_SYNCS];
    private final long[] ends = new long[SUSTAINED_SYNCS];
    private volatile boolean syncing;
    private volatile long syncStartNanos;
    private volatile long ended;

    /**
     * Shard thread: a sync starts.
     *
     * @param nowNanos the monotonic clock.
     */
    public void syncStarted(final long nowNanos) {
        syncStartNanos = nowNanos;
        syncing = true;
    }

    /**
     * Shard thread: the sync started last has returned (successfully or not).
     *
     * @param nowNanos the monotonic clock.
     */
    public void syncEnded(final long nowNanos) {
        final long n = ended;
        final int slot = (int) (n % SUSTAINED_SYNCS);
        durations[slot] = nowNanos - syncStartNanos;
        ends[slot] = nowNanos;
        ended = n + 1; // publishes the slot
        syncing = false;
    }

    /**
     * Any thread.
     *
     * @param nowNanos the monotonic clock.
     * @return the current group-commit latency (see the class comment), in nanoseconds.
     */
    public long latencyNanos(final long nowNanos) {
        long value = 0;
        if (syncing) {
            final long age = nowNanos - syncStartNanos;
            if (age >= STALL_NANOS) {
                value = age;
            }
        }
        final long n = ended;
        if (n < SUSTAINED_SYNCS) {
            return value;
        }
        final long newestEnd = ends[(int) ((n - 1) % SUSTAINED_SYNCS)];
        if (nowNanos - newestEnd > RECENT_NANOS) {
            return value;
        }
        long shortest = Long.MAX_VALUE;
        for (int i = 0; i < SUSTAINED_SYNCS; i++) {
            if (nowNanos - ends[i] > SUSTAINED_WINDOW_NANOS) {
                return value; // the syncs were spread out: not sustained
            }
            shortest = Math.min(shortest, durations[i]);
        }
        return Math.max(value, shortest);
    }
}
