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
 * units, {@code _total} for counters), optional labels and a help text.
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
        GAUGE
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

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final int TYPE_COUNTER = 1;
    private static final int TYPE_GAUGE = 2;

    private final CountersManager manager;
    private final CountersReader reader;
    private final AtomicReferenceArray<Meta> meta;

    private record Meta(Kind kind, String name, String labels, String help) {
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
     * Visits every allocated counter with its current value; lock-free, safe from any thread. Allocates
     * (it is for exporters, not hot paths).
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

    private synchronized AtomicCounter allocate(final Kind kind, final String name, final String help,
                                                final String[] labelPairs) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad metric name: " + name);
        }
        Objects.requireNonNull(help, "help");
        final String labels = labels(labelPairs);
        final AtomicCounter counter;
        try {
            counter = manager.newCounter(labels.isEmpty() ? name : name + '{' + labels + '}',
                kind == Kind.COUNTER ? TYPE_COUNTER : TYPE_GAUGE);
        } catch (final IllegalStateException e) {
            throw new IllegalStateException("counters registry is full (" + manager.maxCounterId() + " counters)", e);
        }
        meta.set(counter.id(), new Meta(kind, name, labels, help));
        return counter;
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
