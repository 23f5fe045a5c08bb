package io.iris.storage.memory;

import io.iris.api.storage.InboxStore;
import io.iris.api.storage.InboxVisitor;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link InboxStore} held in the heap. Each inbox is a circular array of record copies guarded by the
 * inbox's own lock, so different users never contend. Records are dropped once every known device
 * acknowledged them. The dedup window is the last {@code dedupWindow} appends of the whole store
 * (FIFO). Not durable: a process exit loses everything.
 */
public final class MemoryInboxStore implements InboxStore {
    /** Default number of recent dedup keys remembered. */
    public static final int DEFAULT_DEDUP_WINDOW = 262_144;

    private final ConcurrentHashMap<String, Inbox> inboxes = new ConcurrentHashMap<>();
    private final DedupKeys dedup;
    private volatile boolean closed;

    /** A store remembering the default number of dedup keys. */
    public MemoryInboxStore() {
        this(DEFAULT_DEDUP_WINDOW);
    }

    /**
     * @param dedupWindow how many recent appends' dedup keys to remember, at least 1.
     */
    public MemoryInboxStore(final int dedupWindow) {
        if (dedupWindow < 1) {
            throw new IllegalArgumentException("dedup window must be at least 1: " + dedupWindow);
        }
        this.dedup = new DedupKeys(dedupWindow);
    }

    @Override
    public long append(final String userId, final String senderId, final long clientMsgId, final DirectBuffer record,
                       final int offset, final int length) {
        checkOpen();
        if (length < 1) {
            throw new IllegalArgumentException("record length must be at least 1: " + length);
        }
        final DedupKey key = new DedupKey(userId, senderId, clientMsgId);
        final Inbox inbox = inboxes.computeIfAbsent(userId, k -> new Inbox());
        synchronized (inbox) { // one user's appends are serialized, so check-then-put is atomic per key
            final Long original = dedup.get(key);
            if (original != null) {
                return -original;
            }
            final byte[] copy = new byte[length];
            record.getBytes(offset, copy);
            final long seq = inbox.add(copy);
            dedup.put(key, seq);
            return seq;
        }
    }

    @Override
    public void sync() {
        checkOpen();
    }

    @Override
    public int read(final String userId, final long afterSeq, final int maxRecords, final InboxVisitor visitor) {
        checkOpen();
        final Inbox inbox = inboxes.get(userId);
        if (inbox == null || maxRecords <= 0) {
            return 0;
        }
        synchronized (inbox) {
            return inbox.read(afterSeq, maxRecords, visitor);
        }
    }

    @Override
    public long lastSeq(final String userId) {
        final Inbox inbox = inboxes.get(userId);
        if (inbox == null) {
            return 0;
        }
        synchronized (inbox) {
            return inbox.lastSeq;
        }
    }

    @Override
    public long cursor(final String userId, final String deviceId) {
        final Inbox inbox = inboxes.get(userId);
        if (inbox == null) {
            return 0;
        }
        synchronized (inbox) {
            return inbox.cursors.getOrDefault(deviceId, 0L);
        }
    }

    @Override
    public void ack(final String userId, final String deviceId, final long upToSeq) {
        checkOpen();
        final Inbox inbox = inboxes.computeIfAbsent(userId, k -> new Inbox());
        synchronized (inbox) {
            inbox.ack(deviceId, upToSeq);
        }
    }

    /**
     * @param userId the inbox owner.
     * @return how many records the inbox holds now (after trimming); for tests and metrics.
     */
    public int size(final String userId) {
        final Inbox inbox = inboxes.get(userId);
        if (inbox == null) {
            return 0;
        }
        synchronized (inbox) {
            return inbox.size;
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("store is closed");
        }
    }

    private record DedupKey(String userId, String senderId, long clientMsgId) {
    }

    /** The most recent dedup keys of the store, oldest evicted first. */
    private static final class DedupKeys {
        private final LinkedHashMap<DedupKey, Long> keys;

        DedupKeys(final int capacity) {
            keys = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, false) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(final Map.Entry<DedupKey, Long> eldest) {
                    return size() > capacity;
                }
            };
        }

        synchronized Long get(final DedupKey key) {
            return keys.get(key);
        }

        synchronized void put(final DedupKey key, final long seq) {
            keys.put(key, seq);
        }
    }

    /** One user's inbox: records with seq in [lastSeq - size + 1, lastSeq] in a circular array. */
    private static final class Inbox {
        private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
        private final Map<String, Long> cursors = new HashMap<>(4);
        private byte[][] records = new byte[8][];
        private int head;
        private int size;
        private long lastSeq;

        long add(final byte[] record) {
            if (size == records.length) {
                final byte[][] grown = new byte[records.length * 2][];
                for (int i = 0; i < size; i++) {
                    grown[i] = records[(head + i) % records.length];
                }
                records = grown;
                head = 0;
            }
            records[(head + size) % records.length] = record;
            size++;
            return ++lastSeq;
        }

        int read(final long afterSeq, final int maxRecords, final InboxVisitor visitor) {
            final long firstSeq = lastSeq - size + 1;
            final long start = Math.max(afterSeq + 1, firstSeq);
            int n = 0;
            for (long seq = start; seq <= lastSeq && n < maxRecords; seq++, n++) {
                final byte[] r = records[(int) ((head + (seq - firstSeq)) % records.length)];
                view.wrap(r);
                visitor.onRecord(seq, view, 0, r.length);
            }
            return n;
        }

        void ack(final String deviceId, final long upToSeq) {
            final long clamped = Math.min(upToSeq, lastSeq);
            final long current = cursors.getOrDefault(deviceId, 0L);
            if (clamped > current) {
                cursors.put(deviceId, clamped);
            } else if (!cursors.containsKey(deviceId)) {
                cursors.put(deviceId, current);
            }
            long min = Long.MAX_VALUE;
            for (final long c : cursors.values()) {
                min = Math.min(min, c);
            }
            while (size > 0 && lastSeq - size + 1 <= min) { // trim what every known device acknowledged
                records[head] = null;
                head = (head + 1) % records.length;
                size--;
            }
        }
    }
}
