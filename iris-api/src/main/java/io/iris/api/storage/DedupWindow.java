package io.iris.api.storage;

/**
 * The most recent dedup keys {@code (userId, senderId, clientMsgId)} of a store, each with the seq it
 * was stored under; once {@code capacity} keys are held, the oldest is forgotten first. A building
 * block for providers that keep their dedup window in memory (the memory and Chronicle providers);
 * a provider backed by a server with its own atomic operations (Redis) does not need it.
 *
 * <p>Allocates nothing per key once the ring has grown to {@code capacity}: the keys live in a FIFO
 * ring of parallel arrays (the two ids are kept by reference, so no key object exists; the engine
 * passes one String instance per user, so this costs no copies), found through an open-addressing
 * index with linear probing whose buckets pack the key's hash with its ring slot, so probing past
 * other keys reads only the index. Forgotten keys leave the index by backward-shift deletion, so no
 * tombstones accumulate. The ring starts at {@code initialSlots} and doubles up to {@code capacity}.
 *
 * <p>Not thread-safe: callers guard it with one lock, and check-then-put with {@link #get} and
 * {@link #put} under that lock (put only once the record is really written, so a failed write never
 * leaves a key that would answer a retry with DUPLICATE for a message that was not stored).
 */
public final class DedupWindow {
    private final int capacity;
    private String[] users;
    private String[] senders;
    private long[] msgIds;
    private long[] seqs;
    private int[] hashes;
    /** {@code hash << 32 | (slot + 1)} of the key in each bucket, 0 for an empty bucket. */
    private long[] index;
    private int mask;
    /** Ring slot of the oldest key (once the ring is full and wraps). */
    private int head;
    private int size;

    /**
     * @param capacity     how many keys to remember, at least 1.
     * @param initialSlots keys the ring holds before it first grows (at least 1; capped at {@code capacity}).
     */
    public DedupWindow(final int capacity, final int initialSlots) {
        if (capacity < 1 || initialSlots < 1) {
            throw new IllegalArgumentException("dedup window must be at least 1: " + capacity + ", " + initialSlots);
        }
        this.capacity = capacity;
        allocate(Math.min(capacity, initialSlots));
    }

    /** @return the most keys remembered. */
    public int capacity() {
        return capacity;
    }

    /** @return how many keys are remembered now. */
    public int size() {
        return size;
    }

    /**
     * @param user   the inbox owner.
     * @param sender the sender.
     * @param msgId  the sender's message id.
     * @return the seq remembered for the key, or 0 if it is not in the window.
     */
    public long get(final String user, final String sender, final long msgId) {
        final int hash = hash(user, sender, msgId);
        for (int b = hash & mask; index[b] != 0; b = (b + 1) & mask) {
            final long entry = index[b];
            if ((int) (entry >>> 32) == hash) {
                final int s = (int) entry - 1;
                if (msgIds[s] == msgId && user.equals(users[s]) && sender.equals(senders[s])) {
                    return seqs[s];
                }
            }
        }
        return 0;
    }

    /**
     * Remembers a key that {@link #get} just reported absent, forgetting the oldest key if the window is
     * full.
     *
     * @param user   the inbox owner.
     * @param sender the sender.
     * @param msgId  the sender's message id.
     * @param seq    the seq the record was stored under (never 0).
     */
    public void put(final String user, final String sender, final long msgId, final long seq) {
        if (seq == 0) {
            throw new IllegalArgumentException("seq 0 means absent and cannot be stored");
        }
        final int hash = hash(user, sender, msgId);
        final int slot;
        if (size < users.length) {
            slot = (head + size) % users.length;
            size++;
        } else if (users.length < capacity) {
            grow();
            slot = size++;
        } else {
            slot = head; // full: forget the oldest key and reuse its slot
            removeFromIndex(slot);
            head = head + 1 == users.length ? 0 : head + 1;
        }
        users[slot] = user;
        senders[slot] = sender;
        msgIds[slot] = msgId;
        seqs[slot] = seq;
        hashes[slot] = hash;
        int b = hash & mask;
        while (index[b] != 0) {
            b = (b + 1) & mask;
        }
        index[b] = entry(hash, slot);
    }

    private static long entry(final int hash, final int slot) {
        return ((long) hash << 32) | (slot + 1);
    }

    private void removeFromIndex(final int slot) {
        final long target = entry(hashes[slot], slot);
        int i = hashes[slot] & mask;
        while (index[i] != target) {
            i = (i + 1) & mask;
        }
        index[i] = 0;
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            final long entry = index[j];
            if (entry == 0) {
                return;
            }
            final int home = (int) (entry >>> 32) & mask;
            // the entry at j may move back to i only if its home is not cyclically in (i, j]
            final boolean stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
            if (!stays) {
                index[i] = entry;
                index[j] = 0;
                i = j;
            }
        }
    }

    private void grow() {
        // Only called before the ring ever wrapped: slots [0, size) are in order from head 0.
        final int n = Math.min(capacity, users.length * 2);
        final String[] oldUsers = users;
        final String[] oldSenders = senders;
        final long[] oldMsgIds = msgIds;
        final long[] oldSeqs = seqs;
        final int[] oldHashes = hashes;
        final int count = size;
        allocate(n);
        System.arraycopy(oldUsers, 0, users, 0, count);
        System.arraycopy(oldSenders, 0, senders, 0, count);
        System.arraycopy(oldMsgIds, 0, msgIds, 0, count);
        System.arraycopy(oldSeqs, 0, seqs, 0, count);
        System.arraycopy(oldHashes, 0, hashes, 0, count);
        size = count;
        for (int s = 0; s < count; s++) {
            int b = hashes[s] & mask;
            while (index[b] != 0) {
                b = (b + 1) & mask;
            }
            index[b] = entry(hashes[s], s);
        }
    }

    private void allocate(final int slots) {
        users = new String[slots];
        senders = new String[slots];
        msgIds = new long[slots];
        seqs = new long[slots];
        hashes = new int[slots];
        final int buckets = Integer.highestOneBit(Math.max(2, slots) * 2 - 1) * 2; // >= 2 * slots
        index = new long[buckets];
        mask = buckets - 1;
        head = 0;
        size = 0;
    }

    private static int hash(final String user, final String sender, final long msgId) {
        int h = user.hashCode() * 31 + sender.hashCode();
        h = h * 0x9E3779B9 + (int) (msgId ^ (msgId >>> 32));
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        h ^= h >>> 16;
        return h;
    }
}
