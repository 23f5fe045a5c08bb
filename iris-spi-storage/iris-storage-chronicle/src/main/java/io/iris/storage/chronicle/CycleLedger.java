package io.iris.storage.chronicle;

import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntArrayList;

import java.util.Arrays;

/**
 * What retention and {@code sync()} need to know about each Chronicle Queue cycle (one file): how
 * many of its APPEND records are still live (neither trimmed nor expired), the store-wide ordinal of
 * its last APPEND (so a cycle holding any of the dedup window's appends is kept), and which cycles were
 * written since the last sync. Thread-safe (one lock, held for a few field updates).
 */
final class CycleLedger {
    private final Int2ObjectHashMap<Cycle> cycles = new Int2ObjectHashMap<>();
    private final IntArrayList dirty = new IntArrayList();
    private long appends;
    private int newestCycle = Integer.MIN_VALUE;

    /** Accounting of one cycle. */
    static final class Cycle {
        final int cycle;
        long live;
        long lastAppendOrdinal;
        long records;

        Cycle(final int cycle) {
            this.cycle = cycle;
        }
    }

    /**
     * An APPEND record was written to (or replayed from) {@code cycle}.
     *
     * @param live whether it counts as live (false when replay finds it trimmed or expired already).
     * @return its ordinal among all appends of the store (1, 2, ...).
     */
    synchronized long onAppend(final int cycle, final boolean live) {
        final Cycle c = touch(cycle);
        if (live) {
            c.live++;
        }
        c.lastAppendOrdinal = ++appends;
        return appends;
    }

    /** Any other record was written to (or replayed from) {@code cycle}. */
    synchronized void onRecord(final int cycle) {
        touch(cycle);
    }

    private Cycle touch(final int cycle) {
        Cycle c = cycles.get(cycle);
        if (c == null) {
            c = new Cycle(cycle);
            cycles.put(cycle, c);
        }
        c.records++;
        if (cycle > newestCycle) {
            newestCycle = cycle;
        }
        if (!dirty.containsInt(cycle)) {
            dirty.addInt(cycle);
        }
        return c;
    }

    /** {@code n} live records of {@code cycle} were trimmed or expired. */
    synchronized void onDead(final int cycle, final long n) {
        final Cycle c = cycles.get(cycle);
        if (c != null) {
            c.live = Math.max(0, c.live - n);
        }
    }

    /** @return the cycles written since the last call, and forgets them. */
    synchronized int[] takeDirty() {
        final int[] out = dirty.toIntArray();
        dirty.clear();
        return out;
    }

    /** Marks cycles dirty again (their sync failed). */
    synchronized void restoreDirty(final int[] cycles) {
        for (final int c : cycles) {
            if (!dirty.containsInt(c)) {
                dirty.addInt(c);
            }
        }
    }

    /** @return every cycle in the ledger, oldest first. */
    synchronized int[] cycles() {
        final int[] out = new int[cycles.size()];
        int i = 0;
        for (final Cycle c : cycles.values()) {
            out[i++] = c.cycle;
        }
        Arrays.sort(out);
        return out;
    }

    /**
     * Cycles whose file may be deleted: older than the newest written cycle, holding none of the last
     * {@code dedupWindow} appends, and with no live record (or expired as a whole).
     *
     * @param expiredBefore cycles below this are past the TTL.
     * @param dedupWindow   how many most recent appends must stay in the log.
     * @return those cycles, oldest first.
     */
    synchronized int[] deletable(final int expiredBefore, final long dedupWindow) {
        final IntArrayList out = new IntArrayList();
        final long keepFrom = appends - dedupWindow; // appends with a higher ordinal are in the window
        for (final Cycle c : cycles.values()) {
            if (c.cycle < newestCycle && c.lastAppendOrdinal <= keepFrom
                && (c.live == 0 || c.cycle < expiredBefore)) {
                out.addInt(c.cycle);
            }
        }
        final int[] result = out.toIntArray();
        Arrays.sort(result);
        return result;
    }

    /** @return true if the ledger knows this cycle. */
    synchronized boolean contains(final int cycle) {
        return cycles.containsKey(cycle);
    }

    /** @return the newest cycle written, or {@link Integer#MIN_VALUE}. */
    synchronized int newestCycle() {
        return newestCycle;
    }

    /** Forgets a deleted cycle. */
    synchronized void remove(final int cycle) {
        cycles.remove(cycle);
        dirty.removeInt(cycle);
    }

    /** @return appends ever counted (replayed plus written). */
    synchronized long appends() {
        return appends;
    }

    /** @return live records over all cycles. */
    synchronized long liveRecords() {
        long n = 0;
        for (final Cycle c : cycles.values()) {
            n += c.live;
        }
        return n;
    }
}
