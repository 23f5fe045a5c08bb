package io.iris.storage.memory;

import io.iris.api.storage.DedupWindow;
import io.iris.api.storage.InboxStore;
import io.iris.api.storage.InboxVisitor;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * {@link InboxStore} held in the heap. Not durable: a process exit loses everything.
 *
 * <p>Built so that appending, reading, acknowledging and trimming allocate nothing in steady state
 * (the engine's message path must not allocate, and this store is what its benchmarks run on):
 * <ul>
 *   <li>Each inbox keeps its records back to back in one growable {@code byte[]}, with a circular
 *       index of (position, length) per record. Trimming only moves the index's head; when the
 *       buffer is full its live records are compacted to the front (or the buffer doubles when they
 *       fill most of it), and an inbox that becomes empty simply starts again at the front. A buffer is
 *       allocated at the first append, so a user who never receives anything costs a few small arrays.</li>
 *   <li>Device cursors are kept per inbox without a map or boxing: the first device inline, any others
 *       in a small array (users have few devices).</li>
 *   <li>The dedup window is the last {@code dedupWindow} appends of the whole store (FIFO), kept in a
 *       {@link DedupWindow}: parallel arrays and an open-addressing index, no key objects, allocated
 *       up front for windows up to the default size.</li>
 * </ul>
 * Each inbox is guarded by its own lock, so different users never contend; the shared dedup window
 * has its own lock, taken once per append.
 */
public final class MemoryInboxStore implements InboxStore {
    /** Default number of recent dedup keys remembered. */
    public static final int DEFAULT_DEDUP_WINDOW = 262_144;

    /**
     * Dedup keys allocated when the store is created (about 11 MiB for the default window: 28 bytes
     * per key in the ring plus 16 bytes of index per key): a window up to this size never grows, so a
     * running server does not allocate on the message path while its window fills; a larger one grows
     * by doubling.
     */
    static final int PREALLOCATED_DEDUP_KEYS = DEFAULT_DEDUP_WINDOW;

    private static final Function<String, Inbox> NEW_INBOX = k -> new Inbox();

    private final ConcurrentHashMap<String, Inbox> inboxes = new ConcurrentHashMap<>();
    private final DedupWindow dedup;
    private volatile boolean closed;

    /** A store remembering the default number of dedup keys. */
    public MemoryInboxStore() {
        this(DEFAULT_DEDUP_WINDOW);
    }

    /**
     * @param dedupWindow how many recent appends' dedup keys to remember, at least 1.
     */
    public MemoryInboxStore(final int dedupWindow) {
        this(dedupWindow, PREALLOCATED_DEDUP_KEYS);
    }

    /**
     * @param dedupWindow       how many recent appends' dedup keys to remember, at least 1.
     * @param preallocatedKeys  dedup keys allocated up front; the window grows from there (tests use a
     *                          small value to exercise the growth).
     */
    MemoryInboxStore(final int dedupWindow, final int preallocatedKeys) {
        if (dedupWindow < 1) {
            throw new IllegalArgumentException("dedup window must be at least 1: " + dedupWindow);
        }
        this.dedup = new DedupWindow(dedupWindow, preallocatedKeys);
    }

    @Override
    public long append(final String userId, final String senderId, final long clientMsgId, final DirectBuffer record,
                       final int offset, final int length) {
        checkOpen();
        if (length < 1) {
            throw new IllegalArgumentException("record length must be at least 1: " + length);
        }
        final Inbox inbox = inbox(userId);
        synchronized (inbox) { // one user's appends are serialized, so check-then-put is atomic per key
            final long seq = inbox.lastSeq + 1;
            final long original;
            synchronized (dedup) {
                original = dedup.get(userId, senderId, clientMsgId);
                if (original == 0) {
                    dedup.put(userId, senderId, clientMsgId, seq); // the add below cannot fail
                }
            }
            if (original != 0) {
                return -original;
            }
            inbox.add(record, offset, length);
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
    public long oldestSeq(final String userId) {
        final Inbox inbox = inboxes.get(userId);
        if (inbox == null) {
            return 1;
        }
        synchronized (inbox) {
            return inbox.lastSeq - inbox.size() + 1;
        }
    }

    @Override
    public long cursor(final String userId, final String deviceId) {
        final Inbox inbox = inboxes.get(userId);
        if (inbox == null) {
            return 0;
        }
        synchronized (inbox) {
            return inbox.cursor(deviceId);
        }
    }

    @Override
    public void ack(final String userId, final String deviceId, final long upToSeq) {
        checkOpen();
        final Inbox inbox = inbox(userId);
        synchronized (inbox) {
            inbox.ack(deviceId, upToSeq);
        }
    }

    /** {@inheritDoc} Kept in the heap with the user's inbox, like everything of this store. */
    @Override
    public void recordLastSeen(final String userId, final long epochMillis) {
        checkOpen();
        final Inbox inbox = inbox(userId);
        synchronized (inbox) {
            inbox.lastSeen = epochMillis;
        }
    }

    @Override
    public long lastSeen(final String userId) {
        final Inbox inbox = inboxes.get(userId);
        if (inbox == null) {
            return 0;
        }
        synchronized (inbox) {
            return inbox.lastSeen;
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
            return inbox.size();
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    private Inbox inbox(final String userId) {
        final Inbox inbox = inboxes.get(userId);
        return inbox != null ? inbox : inboxes.computeIfAbsent(userId, NEW_INBOX);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("store is closed");
        }
    }

    /**
     * One user's inbox: the newest seq, the device cursors and, once the user has received something,
     * its {@link Records}. Kept small because every user who ever logged in has one: a user who never
     * received a message costs this object alone.
     */
    private static final class Inbox {
        private Records records;
        private long lastSeq;
        /** When the user was last seen online, epoch millis; 0 if never. */
        private long lastSeen;
        /** The first known device and its cursor, inline (most users have one or two devices). */
        private String device0;
        private long cursor0;
        /** Devices after the first, with their cursors; null until a user has a second device. */
        private String[] moreDevices;
        private long[] moreCursors;
        private int moreCount;

        int size() {
            return records == null ? 0 : records.size;
        }

        void add(final DirectBuffer record, final int offset, final int length) {
            if (records == null) {
                records = new Records();
            }
            records.add(record, offset, length);
            lastSeq++;
        }

        int read(final long afterSeq, final int maxRecords, final InboxVisitor visitor) {
            return records == null ? 0 : records.read(lastSeq, afterSeq, maxRecords, visitor);
        }

        /** @return the device's cursor, 0 if the device is unknown. */
        long cursor(final String deviceId) {
            if (device0 != null && device0.equals(deviceId)) {
                return cursor0;
            }
            final int d = more(deviceId);
            return d < 0 ? 0 : moreCursors[d];
        }

        private int more(final String deviceId) {
            for (int i = 0; i < moreCount; i++) {
                if (moreDevices[i].equals(deviceId)) {
                    return i;
                }
            }
            return -1;
        }

        void ack(final String deviceId, final long upToSeq) {
            final long clamped = Math.min(upToSeq, lastSeq);
            if (device0 == null) {
                device0 = deviceId; // known from now on, even at cursor 0
            }
            if (device0.equals(deviceId)) {
                cursor0 = Math.max(cursor0, clamped);
            } else {
                int d = more(deviceId);
                if (d < 0) {
                    if (moreDevices == null) {
                        moreDevices = new String[2];
                        moreCursors = new long[2];
                    } else if (moreCount == moreDevices.length) {
                        moreDevices = Arrays.copyOf(moreDevices, moreCount * 2);
                        moreCursors = Arrays.copyOf(moreCursors, moreCount * 2);
                    }
                    d = moreCount++;
                    moreDevices[d] = deviceId;
                    moreCursors[d] = 0;
                }
                moreCursors[d] = Math.max(moreCursors[d], clamped);
            }
            long min = cursor0;
            for (int i = 0; i < moreCount; i++) {
                min = Math.min(min, moreCursors[i]);
            }
            if (records != null) {
                records.trimThrough(lastSeq, min); // what every known device acknowledged
            }
        }
    }

    /**
     * The records of one inbox with seq in {@code [lastSeq - size + 1, lastSeq]}: their bytes back to
     * back in {@code data}, their logical positions and lengths in a circular index. A logical position
     * counts bytes ever appended; {@code base} is the logical position of {@code data[0]}.
     */
    private static final class Records {
        private static final int INITIAL_DATA = 4096;
        private static final int INITIAL_INDEX = 16;
        /** An emptied buffer larger than this is dropped (allocated again at the next append). */
        private static final int KEEP_EMPTY_DATA = 1 << 20;
        private static final byte[] EMPTY = new byte[0];

        private final UnsafeBuffer view = new UnsafeBuffer(EMPTY);
        private byte[] data;
        private long base;
        private long end;
        private long[] positions = new long[INITIAL_INDEX];
        private int[] lengths = new int[INITIAL_INDEX];
        private int head;
        private int size;

        void add(final DirectBuffer record, final int offset, final int length) {
            if (size == positions.length) {
                growIndex();
            }
            reserve(length);
            record.getBytes(offset, data, (int) (end - base), length);
            final int at = (head + size) & (positions.length - 1);
            positions[at] = end;
            lengths[at] = length;
            end += length;
            size++;
        }

        /** Makes room for {@code length} more bytes at the end of {@code data}. */
        private void reserve(final int length) {
            if (data == null) {
                data = new byte[Math.max(INITIAL_DATA, Integer.highestOneBit(length - 1) << 1)];
                view.wrap(data);
                base = end;
                return;
            }
            if (end - base + length <= data.length) {
                return;
            }
            final long liveStart = size == 0 ? end : positions[head];
            final int live = (int) (end - liveStart);
            final long needed = (long) live + length;
            byte[] target = data;
            if (needed > data.length - (data.length >> 2)) { // compaction would leave under a quarter free
                long capacity = (long) data.length * 2;
                while (capacity < needed * 4 / 3) {
                    capacity *= 2;
                }
                if (capacity > Integer.MAX_VALUE - 8) {
                    capacity = Integer.MAX_VALUE - 8;
                }
                if (needed > capacity) {
                    throw new IllegalStateException("inbox holds too many unacknowledged bytes");
                }
                target = new byte[(int) capacity];
            }
            System.arraycopy(data, (int) (liveStart - base), target, 0, live);
            if (target != data) {
                data = target;
                view.wrap(data);
            }
            base = liveStart;
        }

        private void growIndex() {
            final int n = positions.length;
            final long[] p = new long[n * 2];
            final int[] l = new int[n * 2];
            for (int i = 0; i < size; i++) {
                p[i] = positions[(head + i) & (n - 1)];
                l[i] = lengths[(head + i) & (n - 1)];
            }
            positions = p;
            lengths = l;
            head = 0;
        }

        int read(final long lastSeq, final long afterSeq, final int maxRecords, final InboxVisitor visitor) {
            final long firstSeq = lastSeq - size + 1;
            final long start = Math.max(afterSeq + 1, firstSeq);
            int n = 0;
            for (long seq = start; seq <= lastSeq && n < maxRecords; seq++, n++) {
                final int at = (int) ((head + (seq - firstSeq)) & (positions.length - 1));
                visitor.onRecord(seq, view, (int) (positions[at] - base), lengths[at]);
            }
            return n;
        }

        /** Drops every record with seq at or below {@code upTo}. */
        void trimThrough(final long lastSeq, final long upTo) {
            while (size > 0 && lastSeq - size + 1 <= upTo) {
                head = (head + 1) & (positions.length - 1);
                size--;
            }
            if (size == 0 && data != null) {
                if (data.length > KEEP_EMPTY_DATA) {
                    data = null;
                    view.wrap(EMPTY);
                }
                base = end; // empty: the next record starts at the front again
            }
        }
    }
}
