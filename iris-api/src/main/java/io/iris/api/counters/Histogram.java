package io.iris.api.counters;

import org.agrona.concurrent.status.AtomicCounter;

/**
 * A Prometheus histogram whose cells live in an {@link IrisCounters} registry: fixed bucket upper bounds,
 * cumulative bucket counts, a sum and a count. Made by {@link IrisCounters#histogram}.
 *
 * <p>Why cumulative cells: Prometheus buckets are cumulative ({@code le} = "less than or equal"), so storing them
 * that way lets any reader expose the cells as they are. A scrape during a {@link #record} may see the buckets,
 * sum and count of slightly different moments, which Prometheus tolerates. A record
 * increments every bucket from the first whose bound holds the value, then the sum, then the count: a few
 * atomic adds, no allocation, safe from several threads at once. For values recorded per batch (a storage
 * sync) that is negligible; do not record per message on a hot path with many buckets.
 */
public final class Histogram {
    private final long[] upperBounds;
    private final AtomicCounter[] buckets;
    private final AtomicCounter sum;
    private final AtomicCounter count;

    Histogram(final long[] upperBounds, final AtomicCounter[] buckets, final AtomicCounter sum,
              final AtomicCounter count) {
        this.upperBounds = upperBounds;
        this.buckets = buckets;
        this.sum = sum;
        this.count = count;
    }

    /**
     * Records one observation.
     *
     * @param value the observation in recorded units (e.g. nanoseconds); negative values count as 0.
     */
    public void record(final long value) {
        final long v = Math.max(0, value);
        int i = 0;
        while (i < upperBounds.length && v > upperBounds[i]) {
            i++;
        }
        for (; i < buckets.length; i++) {
            buckets[i].getAndAdd(1);
        }
        sum.getAndAdd(v);
        count.getAndAdd(1);
    }

    /** @return observations recorded so far. */
    public long count() {
        return count.get();
    }

    /** @return the sum of the observations, in recorded units. */
    public long sum() {
        return sum.get();
    }

    /**
     * @param index a bucket, 0 to the number of bounds (the last is {@code +Inf}).
     * @return the observations at or below that bucket's bound.
     */
    public long bucket(final int index) {
        return buckets[index].get();
    }

    void free(final IrisCounters registry) {
        for (final AtomicCounter b : buckets) {
            registry.free(b);
        }
        registry.free(sum);
        registry.free(count);
    }
}
