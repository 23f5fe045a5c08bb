package io.iris.engine.durability;

import io.iris.api.counters.Histogram;
import io.iris.api.storage.InboxStore;
import io.iris.engine.flow.CommitLatencyProbe;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * {@link DurableBatcher} for one shard. Appends go straight to the store (which assigns the seq, or
 * recognises a repeated dedup key) and a copy of each new record is kept in a batch buffer; {@link #flush} calls {@link InboxStore#sync()} once
 * for the whole batch and only then reports every record durable, in order.
 *
 * <p>This is "smart batching": the shard flushes at the end of every drain of its queue, so under light
 * load a batch is one message and adds no delay, and under heavy load many messages share one sync.
 * {@code maxBatch} bounds the records between two syncs. Allocation-free after warm-up. Each sync is timed
 * into a {@link CommitLatencyProbe}, which flow control reads as the group-commit latency signal.
 */
public final class GroupCommitBatcher implements DurableBatcher {
    private final InboxStore store;
    private final CommitLatencyProbe latency;
    private final LongSupplier nanoClock;
    private final Histogram syncNanos;
    private final int maxBatch;
    private final String[] users;
    private final long[] seqs;
    private final long[] tokens;
    private final int[] offsets;
    private final int[] lengths;
    private final ExpandableDirectByteBuffer records = new ExpandableDirectByteBuffer(64 * 1024);
    private int count;
    private int position;
    private long syncs;
    /** Whether the last sync failed; read by other threads (readiness). Written only when it changes. */
    private volatile boolean lastSyncFailed;

    /**
     * @param store    the store to append to and sync.
     * @param maxBatch the most appends between two syncs, at least 1.
     */
    public GroupCommitBatcher(final InboxStore store, final int maxBatch) {
        this(store, maxBatch, new CommitLatencyProbe());
    }

    /**
     * @param store    the store to append to and sync.
     * @param maxBatch the most appends between two syncs, at least 1.
     * @param latency  told when each sync starts and ends.
     */
    public GroupCommitBatcher(final InboxStore store, final int maxBatch, final CommitLatencyProbe latency) {
        this(store, maxBatch, latency, System::nanoTime);
    }

    /**
     * @param store     the store to append to and sync.
     * @param maxBatch  the most appends between two syncs, at least 1.
     * @param latency   told when each sync starts and ends.
     * @param nanoClock the monotonic clock syncs are timed with (tests inject one).
     */
    public GroupCommitBatcher(final InboxStore store, final int maxBatch, final CommitLatencyProbe latency,
                              final LongSupplier nanoClock) {
        this(store, maxBatch, latency, nanoClock, null);
    }

    /**
     * @param store     the store to append to and sync.
     * @param maxBatch  the most appends between two syncs, at least 1.
     * @param latency   told when each sync starts and ends.
     * @param nanoClock the monotonic clock syncs are timed with (tests inject one).
     * @param syncNanos where each sync's duration is recorded, in nanoseconds; null = nowhere.
     */
    public GroupCommitBatcher(final InboxStore store, final int maxBatch, final CommitLatencyProbe latency,
                              final LongSupplier nanoClock, final Histogram syncNanos) {
        this.syncNanos = syncNanos;
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1: " + maxBatch);
        }
        this.store = store;
        this.latency = Objects.requireNonNull(latency, "latency");
        this.maxBatch = maxBatch;
        this.users = new String[maxBatch];
        this.seqs = new long[maxBatch];
        this.tokens = new long[maxBatch];
        this.offsets = new int[maxBatch];
        this.lengths = new int[maxBatch];
    }

    @Override
    public long append(final String userId, final String senderId, final long clientMsgId, final DirectBuffer record,
                       final int offset, final int length, final long token) {
        if (count == maxBatch) {
            throw new IllegalStateException("batch is full: flush first");
        }
        final long seq = store.append(userId, senderId, clientMsgId, record, offset, length);
        users[count] = userId;
        seqs[count] = seq;
        tokens[count] = token;
        offsets[count] = position;
        if (seq > 0) {
            records.putBytes(position, record, offset, length);
            lengths[count] = length;
            position += length;
        } else {
            lengths[count] = 0;
        }
        count++;
        return seq;
    }

    @Override
    public int pending() {
        return count;
    }

    @Override
    public boolean isFull() {
        return count == maxBatch;
    }

    @Override
    public int flush(final Completion completion) {
        final int n = count;
        if (n == 0) {
            return 0;
        }
        RuntimeException failure = null;
        final long started = nanoClock.getAsLong();
        latency.syncStarted(started);
        try {
            store.sync();
            syncs++;
        } catch (final RuntimeException e) {
            failure = e;
        } finally {
            final long ended = nanoClock.getAsLong();
            latency.syncEnded(ended);
            if (syncNanos != null) {
                syncNanos.record(ended - started);
            }
        }
        if (lastSyncFailed != (failure != null)) {
            lastSyncFailed = failure != null;
        }
        count = 0;
        position = 0;
        for (int i = 0; i < n; i++) {
            final String user = users[i];
            users[i] = null;
            final long seq = seqs[i];
            if (failure != null) {
                completion.onFailed(user, Math.abs(seq), tokens[i], failure);
            } else if (seq > 0) {
                completion.onDurable(user, seq, tokens[i], records, offsets[i], lengths[i]);
            } else {
                completion.onDuplicate(user, -seq, tokens[i]);
            }
        }
        return n;
    }

    /** @return whether the most recent sync failed (false before the first); safe from any thread. */
    public boolean lastSyncFailed() {
        return lastSyncFailed;
    }

    /** @return how many syncs succeeded; with the number of appends this gives the mean batch size. */
    public long syncs() {
        return syncs;
    }
}
