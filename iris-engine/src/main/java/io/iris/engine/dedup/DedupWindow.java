package io.iris.engine.dedup;

/**
 * The last {@code capacity} (sender, clientMsgId) keys a shard stored, each with the seq it was given
 * and the batch it was stored in. A SEND whose key is in the window is a retry: the original seq is
 * answered and nothing is stored again. When full, the oldest key is forgotten (FIFO), so the window
 * is exactly "the last N sends to this shard".
 *
 * <p>Open addressing with linear probing and backward-shift deletion over primitive arrays; a FIFO
 * ring of slot keys drives eviction. Allocation-free after construction. Single-threaded.
 */
public final class DedupWindow {
    /** Returned by {@link #seq} for a key not in the window. */
    public static final long MISSING = -1;

    private final int capacity;
    private final int mask;
    private final int[] senders;      // -1 = empty slot
    private final long[] msgIds;
    private final long[] seqs;
    private final long[] batches;
    private final int[] fifoSenders;
    private final long[] fifoMsgIds;
    private int fifoHead;
    private int size;
    private int lastSlot = -1;

    /**
     * @param capacity how many keys to remember, at least 1.
     */
    public DedupWindow(final int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("dedup window must hold at least 1 key: " + capacity);
        }
        this.capacity = capacity;
        final int tableSize = Integer.highestOneBit(Math.max(2, capacity) * 2 - 1) * 2;
        this.mask = tableSize - 1;
        this.senders = new int[tableSize];
        java.util.Arrays.fill(senders, -1);
        this.msgIds = new long[tableSize];
        this.seqs = new long[tableSize];
        this.batches = new long[tableSize];
        this.fifoSenders = new int[capacity];
        this.fifoMsgIds = new long[capacity];
    }

    /**
     * Looks a key up; on a hit, {@link #batchOfLastHit()} tells the batch it was stored in.
     *
     * @param sender      the sender's index (non-negative).
     * @param clientMsgId the sender's message id.
     * @return the seq stored for the key, or {@link #MISSING}.
     */
    public long seq(final int sender, final long clientMsgId) {
        final int slot = find(sender, clientMsgId);
        lastSlot = slot;
        return slot < 0 ? MISSING : seqs[slot];
    }

    /** @return the batch number of the key found by the last successful {@link #seq} call. */
    public long batchOfLastHit() {
        return lastSlot < 0 ? -1 : batches[lastSlot];
    }

    /**
     * Remembers a key, forgetting the oldest if the window is full. The key must not be present.
     *
     * @param sender      the sender's index.
     * @param clientMsgId the sender's message id.
     * @param seq         the seq it was stored under.
     * @param batch       the batch it was stored in.
     */
    public void put(final int sender, final long clientMsgId, final long seq, final long batch) {
        if (size == capacity) {
            remove(fifoSenders[fifoHead], fifoMsgIds[fifoHead]);
        }
        int i = slotOf(sender, clientMsgId);
        while (senders[i] != -1) {
            i = (i + 1) & mask;
        }
        senders[i] = sender;
        msgIds[i] = clientMsgId;
        seqs[i] = seq;
        batches[i] = batch;
        final int tail = (fifoHead + size) % capacity;
        fifoSenders[tail] = sender;
        fifoMsgIds[tail] = clientMsgId;
        size++;
    }

    /**
     * Forgets a key (a store that failed its sync, so a retry must be stored again). Its FIFO place
     * stays; when that place is evicted it forgets the key again, so a key re-added after a forget may
     * leave the window somewhat early. The window only ever errs towards storing again, never towards
     * answering DUPLICATE for something not stored.
     *
     * @param sender      the sender's index.
     * @param clientMsgId the sender's message id.
     */
    public void forget(final int sender, final long clientMsgId) {
        deleteSlot(find(sender, clientMsgId));
    }

    /** @return keys currently remembered, including FIFO places of forgotten ones. */
    public int size() {
        return size;
    }

    private void remove(final int sender, final long clientMsgId) {
        deleteSlot(find(sender, clientMsgId));
        fifoHead = (fifoHead + 1) % capacity;
        size--;
    }

    private int find(final int sender, final long clientMsgId) {
        int i = slotOf(sender, clientMsgId);
        while (senders[i] != -1) {
            if (senders[i] == sender && msgIds[i] == clientMsgId) {
                return i;
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    private void deleteSlot(final int slot) {
        if (slot < 0) {
            return;
        }
        int hole = slot;
        int i = (slot + 1) & mask;
        while (senders[i] != -1) {
            final int home = slotOf(senders[i], msgIds[i]);
            // move entry i into the hole if its home is not cyclically in (hole, i]
            if (((i - home) & mask) >= ((i - hole) & mask)) {
                senders[hole] = senders[i];
                msgIds[hole] = msgIds[i];
                seqs[hole] = seqs[i];
                batches[hole] = batches[i];
                hole = i;
            }
            i = (i + 1) & mask;
        }
        senders[hole] = -1;
    }

    private int slotOf(final int sender, final long clientMsgId) {
        long h = clientMsgId * 0x9E3779B97F4A7C15L + sender;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 32;
        return (int) h & mask;
    }
}
