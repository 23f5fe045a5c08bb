package io.iris.storage.chronicle;

import java.util.Arrays;

/**
 * One user's inbox state, rebuilt from the log at start-up: the last seq, the device cursors, when the user
 * was last seen online, and an
 * index from each retained seq to the Chronicle Queue index of its APPEND record and its append time
 * (seconds since {@link #TIME_BASE_MILLIS}, rounded down: 12 bytes per retained record). Guarded by the
 * instance's monitor; {@link ChronicleInboxStore} takes it for every operation on the user.
 *
 * <p>The index covers seqs {@code [indexFirst, indexFirst + size)} in a circular {@code long} array
 * (grown by doubling). A slot holding {@link #HOLE} stands for a seq with no readable record: one that
 * was assigned but never reached the log (a checkpoint written after appends that a power loss then
 * lost). Every seq below {@code indexFirst} is trimmed or expired.
 */
final class UserInbox {
    /** Index slot of a seq with no record. */
    static final long HOLE = -1;
    /** Append times are kept as seconds since 2020-01-01T00:00:00Z. */
    static final long TIME_BASE_MILLIS = 1_577_836_800_000L;
    private static final long[] EMPTY = new long[0];
    private static final int[] NO_TIMES = new int[0];

    final String userId;
    long lastSeq;
    /** When the user was last seen online, epoch millis; 0 if never. */
    long lastSeen;
    long indexFirst = 1;
    private long[] index = EMPTY;
    private int[] times = NO_TIMES;
    private int head;
    private int size;
    private String[] devices = new String[0];
    private long[] cursors = EMPTY;

    UserInbox(final String userId) {
        this.userId = userId;
    }

    /** @return records (and holes) the index holds. */
    int indexSize() {
        return size;
    }

    /** @return the highest seq in the index, or {@code indexFirst - 1} when it is empty. */
    long indexLast() {
        return indexFirst + size - 1;
    }

    /**
     * @param seq a seq in {@code [indexFirst, indexLast()]}.
     * @return its queue index, or {@link #HOLE}.
     */
    long queueIndexOf(final long seq) {
        return index[(int) ((head + (seq - indexFirst)) & (index.length - 1))];
    }

    /**
     * @return the oldest seq with a readable record (holes are skipped), or {@code lastSeq + 1} when the
     * index holds none: everything before it was trimmed or expired.
     */
    long oldestSeq() {
        for (int i = 0; i < size; i++) {
            if (index[(head + i) & (index.length - 1)] != HOLE) {
                return indexFirst + i;
            }
        }
        return lastSeq + 1;
    }

    /** @return the queue index of the first entry; the index must not be empty. */
    long firstQueueIndex() {
        return index[head];
    }

    /** @return the append time of the first entry, epoch millis rounded down to the second. */
    long firstAppendedAt() {
        return TIME_BASE_MILLIS + times[head] * 1000L;
    }

    /**
     * Adds a record's queue index for {@code seq}, which must be above {@link #indexLast()}; seqs
     * skipped in between become holes.
     *
     * @param seq        the record's seq.
     * @param queueIndex its Chronicle Queue index.
     * @param appendedAt its append time, epoch millis.
     */
    void index(final long seq, final long queueIndex, final long appendedAt) {
        if (size == 0) {
            indexFirst = seq;
        } else {
            for (long s = indexLast() + 1; s < seq; s++) {
                push(HOLE, 0);
            }
        }
        final long seconds = Math.floorDiv(appendedAt - TIME_BASE_MILLIS, 1000L);
        push(queueIndex, (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, seconds)));
    }

    private void push(final long value, final int time) {
        if (size == index.length) {
            final int capacity = Math.max(8, index.length * 2);
            final long[] grown = new long[capacity];
            final int[] grownTimes = new int[capacity];
            for (int i = 0; i < size; i++) {
                grown[i] = index[(head + i) & (index.length - 1)];
                grownTimes[i] = times[(head + i) & (index.length - 1)];
            }
            index = grown;
            times = grownTimes;
            head = 0;
        }
        index[(head + size) & (index.length - 1)] = value;
        times[(head + size) & (index.length - 1)] = time;
        size++;
    }

    /**
     * Drops the first entry of the index.
     *
     * @return its queue index (or {@link #HOLE}).
     */
    long dropFirst() {
        final long q = index[head];
        head = (head + 1) & (index.length - 1);
        size--;
        indexFirst++;
        if (size == 0 && index.length > 64) {
            index = EMPTY; // an idle inbox gives its memory back
            times = NO_TIMES;
            head = 0;
        }
        return q;
    }

    /** Halves the arrays while they are at most a quarter full, after trimming a large backlog. */
    void shrink() {
        int capacity = index.length;
        while (capacity > 64 && size <= capacity / 4) {
            capacity /= 2;
        }
        if (capacity == index.length) {
            return;
        }
        final long[] smaller = new long[capacity];
        final int[] smallerTimes = new int[capacity];
        for (int i = 0; i < size; i++) {
            smaller[i] = index[(head + i) & (index.length - 1)];
            smallerTimes[i] = times[(head + i) & (index.length - 1)];
        }
        index = smaller;
        times = smallerTimes;
        head = 0;
    }

    /** @return the cursor of a device, or -1 when the device is unknown. */
    long cursor(final String deviceId) {
        for (int i = 0; i < devices.length; i++) {
            if (devices[i].equals(deviceId)) {
                return cursors[i];
            }
        }
        return -1;
    }

    /**
     * Moves a device's cursor forward (never back), making the device known.
     *
     * @return true if anything changed (new device or higher cursor).
     */
    boolean advance(final String deviceId, final long upToSeq) {
        for (int i = 0; i < devices.length; i++) {
            if (devices[i].equals(deviceId)) {
                if (upToSeq > cursors[i]) {
                    cursors[i] = upToSeq;
                    return true;
                }
                return false;
            }
        }
        devices = Arrays.copyOf(devices, devices.length + 1);
        cursors = Arrays.copyOf(cursors, cursors.length + 1);
        devices[devices.length - 1] = deviceId;
        cursors[cursors.length - 1] = Math.max(0, upToSeq);
        return true;
    }

    /** @return every record at or below this seq may be trimmed: the lowest cursor, 0 with no device. */
    long trimPoint() {
        if (cursors.length == 0) {
            return 0;
        }
        long min = Long.MAX_VALUE;
        for (final long c : cursors) {
            min = Math.min(min, c);
        }
        return min;
    }

    /** @return the known devices (a copy). */
    String[] devices() {
        return devices.clone();
    }

    /** @return their cursors, in the order of {@link #devices()} (a copy). */
    long[] cursors() {
        return cursors.clone();
    }
}
