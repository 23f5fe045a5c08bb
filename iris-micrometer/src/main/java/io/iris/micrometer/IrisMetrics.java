package io.iris.micrometer;

import io.iris.api.counters.IrisCounters;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Binds an Iris instance's counters ({@link IrisCounters}, e.g. {@code IrisEngine.counters()}) to a Micrometer
 * {@link MeterRegistry}:
 * <pre>
 * new IrisMetrics(engine.counters()).bindTo(registry);
 * </pre>
 *
 * <p>Each Iris counter becomes a {@link FunctionCounter} and each gauge a {@link Gauge}, whose labels become
 * tags. Names follow Micrometer's dotted convention: {@code iris_sends_total} becomes {@code iris.sends} (a
 * Prometheus registry writes it back as {@code iris_sends_total}), {@code iris_transport_connections_open} becomes
 * {@code iris.transport.connections.open}. The meters hold no copy of a value: every read (each scrape) reads the
 * counter's cell again, so Iris itself does nothing and allocates nothing for Micrometer, and the cost of a read
 * is one lock-free pass over the registry, paid by the scraping thread.
 *
 * <p>What is bound is what the registry holds when {@link #bindTo} runs: bind after the engine has started.
 * A histogram (e.g. {@code iris_storage_sync_seconds}) has no Micrometer meter that takes pre-bucketed counts, so
 * each of its samples becomes a {@link FunctionCounter}: {@code iris.storage.sync.seconds.bucket} tagged {@code le}
 * (cumulative, as in Prometheus), {@code iris.storage.sync.seconds.sum} in seconds and
 * {@code iris.storage.sync.seconds.count}; a quantile is computed from the buckets the way Prometheus's
 * {@code histogram_quantile} does. Kinds this binder does not know are skipped, so a newer {@code iris-api} never
 * breaks binding; they remain available from the engine's own Prometheus exposition.
 * A counter {@linkplain IrisCounters#free freed} later (a closed node link) reads as {@code NaN}.
 */
public final class IrisMetrics implements MeterBinder {
    private final IrisCounters counters;
    private final Tags commonTags;

    /**
     * @param counters the registry to expose.
     */
    public IrisMetrics(final IrisCounters counters) {
        this(counters, Tags.empty());
    }

    /**
     * @param counters   the registry to expose.
     * @param commonTags tags added to every meter (e.g. {@code node=node1}).
     */
    public IrisMetrics(final IrisCounters counters, final Iterable<Tag> commonTags) {
        this.counters = Objects.requireNonNull(counters, "counters");
        this.commonTags = Tags.of(Objects.requireNonNull(commonTags, "commonTags"));
    }

    @Override
    public void bindTo(final MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        counters.forEachSample((kind, family, name, labels, help, value) -> {
            final String[] pairs = labelPairs(labels);
            final Tags tags = commonTags.and(tagsOf(pairs));
            final Cell cell = new Cell(counters, name, pairs);
            if (kind == IrisCounters.Kind.COUNTER) {
                FunctionCounter.builder(meterName(name, true), cell, Cell::read).description(help).tags(tags)
                    .register(registry);
            } else if (kind == IrisCounters.Kind.GAUGE) {
                Gauge.builder(meterName(name, false), cell, Cell::read).description(help).tags(tags)
                    .register(registry);
            } else if (kind == IrisCounters.Kind.HISTOGRAM) {
                // one cumulative counter per sample: _bucket (tag le), _sum (base units), _count
                FunctionCounter.builder(meterName(name, false), cell, Cell::read).description(help).tags(tags)
                    .register(registry);
            }
            // a kind this binder does not know: skipped, see the class comment
        });
    }

    /**
     * @param name    an Iris metric name ({@code iris_sends_total}).
     * @param counter whether it is a counter (whose {@code _total} suffix Micrometer's registries add themselves).
     * @return the Micrometer meter name ({@code iris.sends}).
     */
    static String meterName(final String name, final boolean counter) {
        final String base = counter && name.endsWith("_total") ? name.substring(0, name.length() - "_total".length()) : name;
        return base.replace('_', '.');
    }

    /**
     * @param labels labels in exposition syntax without braces: {@code a="x",b="y \"z\""}.
     * @return names and unescaped values, alternating.
     * @throws IllegalArgumentException if the text is not in that syntax.
     */
    static String[] labelPairs(final String labels) {
        final List<String> pairs = new ArrayList<>();
        int i = 0;
        while (i < labels.length()) {
            final int eq = labels.indexOf("=\"", i);
            if (eq < 0) {
                throw new IllegalArgumentException("bad label set: " + labels);
            }
            pairs.add(labels.substring(i, eq));
            final StringBuilder value = new StringBuilder();
            int j = eq + 2;
            for (; j < labels.length() && labels.charAt(j) != '"'; j++) {
                char c = labels.charAt(j);
                if (c == '\\' && j + 1 < labels.length()) {
                    c = labels.charAt(++j);
                    value.append(c == 'n' ? '\n' : c);
                } else {
                    value.append(c);
                }
            }
            if (j >= labels.length()) {
                throw new IllegalArgumentException("bad label set (unterminated value): " + labels);
            }
            pairs.add(value.toString());
            i = j + 1;
            if (i < labels.length()) {
                if (labels.charAt(i) != ',') {
                    throw new IllegalArgumentException("bad label set: " + labels);
                }
                i++;
            }
        }
        return pairs.toArray(new String[0]);
    }

    private static Tags tagsOf(final String[] pairs) {
        Tags tags = Tags.empty();
        for (int i = 0; i < pairs.length; i += 2) {
            tags = tags.and(pairs[i], pairs[i + 1]);
        }
        return tags;
    }

    /** One Iris counter, found again by name and labels on each read. */
    private record Cell(IrisCounters counters, String name, String[] labelPairs) {
        double read() {
            return counters.sample(name, labelPairs);
        }
    }
}
