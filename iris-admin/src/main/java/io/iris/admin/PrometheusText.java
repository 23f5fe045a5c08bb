package io.iris.admin;

import io.iris.api.counters.IrisCounters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes an {@link IrisCounters} registry in the Prometheus text exposition format 0.0.4.
 *
 * <p>The registry visits its cells in allocation order, so the samples of one family can be apart (a listener's
 * counters allocated after the engine's); the format wants each family's {@code # HELP} and {@code # TYPE} once,
 * followed by all its samples, so samples are grouped by family first, in the order families were first seen.
 * Label values arrive escaped by the registry; help texts are escaped here (backslash and line feed).
 */
public final class PrometheusText {
    /** The {@code Content-Type} of the format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusText() {
    }

    /**
     * @param counters the registry.
     * @return its current values in the text exposition format, ending with a line feed.
     */
    public static String format(final IrisCounters counters) {
        final Map<String, Family> families = new LinkedHashMap<>();
        counters.forEachSample((kind, family, name, labels, help, value) -> families
            .computeIfAbsent(family, f -> new Family(kind, help))
            .samples.add(name + (labels.isEmpty() ? "" : '{' + labels + '}') + ' ' + number(value)));
        final StringBuilder sb = new StringBuilder(4096);
        families.forEach((name, f) -> {
            sb.append("# HELP ").append(name).append(' ').append(escapeHelp(f.help)).append('\n');
            sb.append("# TYPE ").append(name).append(' ').append(f.kind.name().toLowerCase(Locale.ROOT)).append('\n');
            for (final String s : f.samples) {
                sb.append(s).append('\n');
            }
        });
        return sb.toString();
    }

    private static final class Family {
        final IrisCounters.Kind kind;
        final String help;
        final List<String> samples = new ArrayList<>();

        Family(final IrisCounters.Kind kind, final String help) {
            this.kind = kind;
            this.help = help;
        }
    }

    /** @return an integral value without a fraction ({@code 12}), any other as Java prints it (Go parses both). */
    static String number(final double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        return Double.toString(v);
    }

    static String escapeHelp(final String help) {
        return help.replace("\\", "\\\\").replace("\n", "\\n");
    }
}
