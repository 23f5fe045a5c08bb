package io.iris.api.counters;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.regex.Pattern;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

/**
 * The one registry of an Iris instance's counters: every component (transport, engine, storage,
 * discovery) allocates its counters here at start-up and updates them on its own thread; a metrics
 * exporter reads them from any thread without locks.
 *
 * <p>Counters live in an Agrona {@link CountersManager}: values are 64-bit cells on separate cache
 * lines, so {@link AtomicCounter#increment()} and {@link AtomicCounter#setOrdered(long)} cost one
 * ordered store and allocate nothing. Each counter has a Prometheus-style name ({@code iris_…}, base
 * units, {@code _total} for counters), optional labels and a help text. A {@link Histogram} is a group of such
 * cells (cumulative buckets, sum, count) recorded without allocating.
 *
 * <p>Allocation and {@link #free freeing} are synchronized (start-up and shutdown paths); updates and
 * {@link #forEach reads} are lock-free. A reader may observe a counter's value a moment before or
 * after a concurrent update, never a torn one.
 */
public final class IrisCounters {
    /** Default number of counters a registry can hold. */
    public static final int DEFAULT_CAPACITY = 1024;

    /** What a counter measures, which decides how an exporter presents it. */
    public enum Kind {
        /** Only ever goes up (e.g. messages sent); Prometheus {@code counter}. */
        COUNTER,
        /** Goes up and down (e.g. open connections, queue depth); Prometheus {@code gauge}. */
        GAUGE,
        /**
         * One cell of a {@link Histogram}: a cumulative {@code _bucket} (label {@code le}), the {@code _sum} or the
         * {@code _count}; Prometheus {@code histogram}. The family name is the sample name without that suffix.
         */
        HISTOGRAM
    }

    /** Receives one counter in {@link #forEach}. */
    @FunctionalInterface
    public interface Visitor {
        /**
         * @param kind   counter or gauge.
         * @param name   the metric name, e.g. {@code iris_connections_opened_total}.
         * @param labels the label set in exposition syntax without braces (e.g. {@code listener="client"}),
         *               or the empty string.
         * @param help   one line describing it.
         * @param value  its current value.
         */
        void accept(Kind kind, String name, String labels, String help, long value);
    }

    /**
     * Receives one sample in {@link #forEachSample}: like {@link Visitor}, with the family the sample belongs to
     * and its value in the metric's base unit (a histogram's {@code _sum} and {@code le} bounds are scaled).
     */
    @FunctionalInterface
    public interface SampleVisitor {
        /**
         * @param kind   counter, gauge or histogram.
         * @param family the metric family: the name, or for a histogram cell its name without {@code _bucket},
         *               {@code _sum} or {@code _count}.
         * @param name   the sample name.
         * @param labels the label set in exposition syntax without braces, or the empty string.
         * @param help   one line describing the family.
         * @param value  its current value in base units.
         */
        void accept(Kind kind, String family, String name, String labels, String help, double value);
    }

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final int TYPE_COUNTER = 1;
    private static final int TYPE_GAUGE = 2;
    private static final int TYPE_HISTOGRAM = 3;

    private final CountersManager manager;
    private final CountersReader reader;
    private final AtomicReferenceArray<Meta> meta;

    private record Meta(Kind kind, String family, String name, String labels, String help, double scale) {
    }

    /** A registry with room for {@link #DEFAULT_CAPACITY} counters. */
    public IrisCounters() {
        this(DEFAULT_CAPACITY);
    }

    /**
     * @param capacity how many counters it can hold at once.
     * @throws IllegalArgumentException if capacity is below 1.
     */
    public IrisCounters(final int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
        }
        final UnsafeBuffer metaData = new UnsafeBuffer(
            ByteBuffer.allocateDirect(capacity * CountersReader.METADATA_LENGTH));
        final UnsafeBuffer values = new UnsafeBuffer(
            ByteBuffer.allocateDirect(capacity * CountersReader.COUNTER_LENGTH));
        this.manager = new CountersManager(metaData, values);
        this.reader = manager;
        this.meta = new AtomicReferenceArray<>(capacity);
    }

    /**
     * Allocates a monotonic counter.
     *
     * @param name       metric name ({@code [a-zA-Z_:][a-zA-Z0-9_:]*}); by convention ends in {@code _total}.
     * @param help       one line describing it.
     * @param labelPairs label names and values, alternating: {@code "listener", "client"}.
     * @return the counter; update it from one thread or with {@link AtomicCounter#increment()}.
     * @throws IllegalArgumentException for a bad name, an odd number of label strings, or a bad label name.
     * @throws IllegalStateException    if the registry is full.
     */
    public AtomicCounter counter(final String name, final String help, final String... labelPairs) {
        return allocate(Kind.COUNTER, name, help, labelPairs);
    }

    /**
     * Allocates a gauge: a value that goes up and down, set with {@link AtomicCounter#setOrdered(long)}
     * or moved with {@link AtomicCounter#increment()} / {@link AtomicCounter#decrement()}.
     *
     * @param name       metric name.
     * @param help       one line describing it.
     * @param labelPairs label names and values, alternating.
     * @return the gauge.
     * @throws IllegalArgumentException for a bad name or labels.
     * @throws IllegalStateException    if the registry is full.
     */
    public AtomicCounter gauge(final String name, final String help, final String... labelPairs) {
        return allocate(Kind.GAUGE, name, help, labelPairs);
    }

    /**
     * Allocates a histogram: fixed cumulative buckets, a sum and a count, each a cell of this registry, so
     * {@link Histogram#record} allocates nothing.
     *
     * @param name        the family name in base units, e.g. {@code iris_storage_sync_seconds} (not ending in
     *                    {@code _bucket}, {@code _sum} or {@code _count}).
     * @param help        one line describing it.
     * @param scale       what one recorded unit is in the base unit (e.g. {@code 1e-9}: nanoseconds recorded,
     *                    seconds exposed; {@code 1} for plain counts); above 0.
     * @param upperBounds bucket upper bounds in recorded units, strictly increasing, at least one; a
     *                    {@code +Inf} bucket is added.
     * @param labelPairs  label names and values, alternating (not {@code le}).
     * @return the histogram.
     * @throws IllegalArgumentException for a bad name, labels, scale or bounds.
     * @throws IllegalStateException    if the registry is full.
     */
    public synchronized Histogram histogram(final String name, final String help, final double scale,
                                            final long[] upperBounds, final String... labelPairs) {
        if (name == null || !NAME.matcher(name).matches() || name.endsWith("_bucket") || name.endsWith("_sum")
            || name.endsWith("_count")) {
            throw new IllegalArgumentException("bad histogram name: " + name);
        }
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("scale must be a positive number, was " + scale);
        }
        if (upperBounds == null || upperBounds.length == 0) {
            throw new IllegalArgumentException("a histogram needs at least one bucket bound");
        }
        for (int i = 1; i < upperBounds.length; i++) {
            if (upperBounds[i] <= upperBounds[i - 1]) {
                throw new IllegalArgumentException("bucket bounds must increase strictly: " + upperBounds[i - 1]
                    + " then " + upperBounds[i]);
            }
        }
        for (int i = 0; i < labelPairs.length; i += 2) {
            if ("le".equals(labelPairs[i])) {
                throw new IllegalArgumentException("label 'le' is reserved for histogram buckets");
            }
        }
        final String labels = labels(labelPairs);
        final String prefix = labels.isEmpty() ? "" : labels + ',';
        final AtomicCounter[] buckets = new AtomicCounter[upperBounds.length + 1];
        for (int i = 0; i <= upperBounds.length; i++) {
            final String le = i == upperBounds.length ? "+Inf" : plain(upperBounds[i] * scale);
            buckets[i] = allocate(Kind.HISTOGRAM, name, name + "_bucket", prefix + "le=\"" + le + '"', help, 1);
        }
        final AtomicCounter sum = allocate(Kind.HISTOGRAM, name, name + "_sum", labels, help, scale);
        final AtomicCounter count = allocate(Kind.HISTOGRAM, name, name + "_count", labels, help, 1);
        return new Histogram(upperBounds.clone(), buckets, sum, count);
    }

    /**
     * Releases a counter (a component that stops, e.g. a closed node link); it disappears from
     * {@link #forEach} and its cell can be reused.
     *
     * @param counter a counter from this registry.
     */
    public synchronized void free(final AtomicCounter counter) {
        meta.set(counter.id(), null);
        counter.close();
    }

    /**
     * Releases every cell of a histogram, as {@link #free(AtomicCounter)}.
     *
     * @param histogram a histogram from this registry.
     */
    public synchronized void free(final Histogram histogram) {
        histogram.free(this);
    }

    /**
     * Visits every allocated counter with its current value; lock-free, safe from any thread. Allocates
     * (it is for exporters, not hot paths). Values are raw cells: a histogram's {@code _sum} is in recorded units
     * (e.g. nanoseconds); {@link #forEachSample} gives base units and families.
     *
     * @param visitor receives each counter.
     */
    public void forEach(final Visitor visitor) {
        Objects.requireNonNull(visitor, "visitor");
        reader.forEach((value, id, label) -> {
            final Meta m = meta.get(id);
            if (m != null) {
                visitor.accept(m.kind, m.name, m.labels, m.help, value);
            }
        });
    }

    /**
     * Visits every allocated sample with its current value in base units, with its family; lock-free, safe from
     * any thread, allocates (for exporters). Samples of one family may be visited apart from each other.
     *
     * @param visitor receives each sample.
     */
    public void forEachSample(final SampleVisitor visitor) {
        Objects.requireNonNull(visitor, "visitor");
        reader.forEach((value, id, label) -> {
            final Meta m = meta.get(id);
            if (m != null) {
                visitor.accept(m.kind, m.family, m.name, m.labels, m.help, m.scale == 1 ? value : value * m.scale);
            }
        });
    }

    /**
     * @param name       metric name.
     * @param labelPairs label names and values, alternating, as allocated.
     * @return the current value of that counter, or -1 if there is none (for tests and admin views).
     */
    public long value(final String name, final String... labelPairs) {
        final String labels = labels(labelPairs);
        final long[] found = {-1};
        reader.forEach((value, id, label) -> {
            final Meta m = meta.get(id);
            if (m != null && m.name.equals(name) && m.labels.equals(labels)) {
                found[0] = value;
            }
        });
        return found[0];
    }

    /**
     * @param name       a sample name: a counter's or gauge's name, or a histogram's {@code _bucket}, {@code _sum}
     *                   or {@code _count} sample.
     * @param labelPairs label names and values, alternating, as allocated (a bucket's include {@code le}).
     * @return its current value in base units (a histogram's {@code _sum} scaled, e.g. to seconds), or NaN if
     * there is none (for exporters and binders).
     */
    public double sample(final String name, final String... labelPairs) {
        final String labels = labels(labelPairs);
        final double[] found = {Double.NaN};
        reader.forEach((value, id, label) -> {
            final Meta m = meta.get(id);
            if (m != null && m.name.equals(name) && m.labels.equals(labels)) {
                found[0] = m.scale == 1 ? value : value * m.scale;
            }
        });
        return found[0];
    }

    private synchronized AtomicCounter allocate(final Kind kind, final String name, final String help,
                                                final String[] labelPairs) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad metric name: " + name);
        }
        return allocate(kind, name, name, labels(labelPairs), help, 1);
    }

    private synchronized AtomicCounter allocate(final Kind kind, final String family, final String name,
                                                final String labels, final String help, final double scale) {
        Objects.requireNonNull(help, "help");
        final AtomicCounter counter;
        try {
            counter = manager.newCounter(labels.isEmpty() ? name : name + '{' + labels + '}',
                kind == Kind.COUNTER ? TYPE_COUNTER : kind == Kind.GAUGE ? TYPE_GAUGE : TYPE_HISTOGRAM);
        } catch (final IllegalStateException e) {
            throw new IllegalStateException("counters registry is full (" + manager.maxCounterId() + " counters)", e);
        }
        meta.set(counter.id(), new Meta(kind, family, name, labels, help, scale));
        return counter;
    }

    /** @return {@code d} without exponent or trailing zeros, e.g. {@code 0.00005}, {@code 1}. */
    private static String plain(final double d) {
        return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }

    private static String labels(final String[] pairs) {
        if (pairs.length % 2 != 0) {
            throw new IllegalArgumentException("label names and values must come in pairs, got " + pairs.length);
        }
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i] == null || !LABEL_NAME.matcher(pairs[i]).matches()) {
                throw new IllegalArgumentException("bad label name: " + pairs[i]);
            }
            if (i > 0) {
                sb.append(',');
            }
            sb.append(pairs[i]).append("=\"");
            final String v = Objects.requireNonNull(pairs[i + 1], "label value");
            for (int j = 0; j < v.length(); j++) {
                final char c = v.charAt(j);
                switch (c) {
                    case '\\' -> sb.append("\\\\");
                    case '"' -> sb.append("\\\"");
                    case '\n' -> sb.append("\\n");
                    default -> sb.append(c);
                }
            }
            sb.append('"');
        }
        return sb.toString();
    }
}
