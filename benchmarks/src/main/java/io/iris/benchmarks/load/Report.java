package io.iris.benchmarks.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The result of one load run: an ordered tree of values printed as JSON (one file per run, for
 * machines) and as an indented human summary (stdout). Values are strings, numbers, booleans, nested
 * reports or lists of them.
 */
final class Report {
    private final Map<String, Object> values = new LinkedHashMap<>();

    Report put(final String key, final Object value) {
        values.put(key, value);
        return this;
    }

    Report child(final String key) {
        final Report r = new Report();
        values.put(key, r);
        return r;
    }

    Object get(final String key) {
        return values.get(key);
    }

    /** Adds what every report carries: the scenario, the time, the JVM and the machine. */
    static Report start(final String scenario) {
        final Report r = new Report();
        r.put("scenario", scenario);
        r.put("date", Instant.now().toString());
        r.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        r.put("cores", Runtime.getRuntime().availableProcessors());
        r.put("loadAverageAtStart", loadAverage());
        return r;
    }

    /** @return the 1-, 5- and 15-minute load averages, or "" if unknown. */
    static String loadAverage() {
        try {
            final String s = Files.readString(Path.of("/proc/loadavg"));
            final String[] parts = s.split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (final IOException | RuntimeException e) {
            return "";
        }
    }

    String toJson() {
        final StringBuilder sb = new StringBuilder();
        json(sb, this, 0);
        return sb.append('\n').toString();
    }

    void write(final String path) {
        if (path == null || path.isEmpty()) {
            return;
        }
        try {
            final Path p = Path.of(path);
            if (p.getParent() != null) {
                Files.createDirectories(p.getParent());
            }
            Files.writeString(p, toJson(), StandardCharsets.UTF_8);
            final String name = p.getFileName().toString();
            final String flat = (name.endsWith(".json") ? name.substring(0, name.length() - 5) : name) + ".properties";
            Files.writeString(p.resolveSibling(flat), toProperties(), StandardCharsets.UTF_8);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return every value as a {@code dotted.path=value} line (for scripts: medians over runs). */
    String toProperties() {
        final StringBuilder sb = new StringBuilder();
        flat(sb, this, "");
        return sb.toString();
    }

    private static void flat(final StringBuilder sb, final Report r, final String prefix) {
        for (final Map.Entry<String, Object> e : r.values.entrySet()) {
            final String key = prefix + e.getKey();
            if (e.getValue() instanceof Report) {
                flat(sb, (Report) e.getValue(), key + ".");
            } else {
                final Object v = e.getValue();
                final String text = v instanceof Double ? String.format(Locale.ROOT, "%.4f", (Double) v)
                    : String.valueOf(v).replace("\n", " ");
                sb.append(key).append('=').append(text).append('\n');
            }
        }
    }

    String toText() {
        final StringBuilder sb = new StringBuilder();
        text(sb, this, 0);
        return sb.toString();
    }

    private static void text(final StringBuilder sb, final Report r, final int depth) {
        for (final Map.Entry<String, Object> e : r.values.entrySet()) {
            sb.append("  ".repeat(depth)).append(e.getKey()).append(':');
            if (e.getValue() instanceof Report) {
                sb.append('\n');
                text(sb, (Report) e.getValue(), depth + 1);
            } else {
                sb.append(' ').append(format(e.getValue())).append('\n');
            }
        }
    }

    private static String format(final Object v) {
        if (v instanceof Double || v instanceof Float) {
            final double d = ((Number) v).doubleValue();
            return Math.abs(d) >= 100 ? String.format(Locale.ROOT, "%,.0f", d) : String.format(Locale.ROOT, "%.3f", d);
        }
        if (v instanceof Long || v instanceof Integer) {
            return String.format(Locale.ROOT, "%,d", ((Number) v).longValue());
        }
        if (v instanceof List) {
            final List<String> parts = new ArrayList<>();
            for (final Object o : (List<?>) v) {
                parts.add(format(o));
            }
            return "[" + String.join(", ", parts) + "]";
        }
        return String.valueOf(v);
    }

    private static void json(final StringBuilder sb, final Object v, final int depth) {
        if (v instanceof Report) {
            final Map<String, Object> m = ((Report) v).values;
            sb.append("{");
            int i = 0;
            for (final Map.Entry<String, Object> e : m.entrySet()) {
                sb.append(i++ == 0 ? "\n" : ",\n").append("  ".repeat(depth + 1));
                string(sb, e.getKey());
                sb.append(": ");
                json(sb, e.getValue(), depth + 1);
            }
            sb.append('\n').append("  ".repeat(depth)).append('}');
        } else if (v instanceof List) {
            sb.append('[');
            int i = 0;
            for (final Object o : (List<?>) v) {
                if (i++ > 0) {
                    sb.append(", ");
                }
                json(sb, o, depth + 1);
            }
            sb.append(']');
        } else if (v instanceof Double || v instanceof Float) {
            final double d = ((Number) v).doubleValue();
            sb.append(Double.isFinite(d) ? String.format(Locale.ROOT, "%.4f", d) : "null");
        } else if (v instanceof Number || v instanceof Boolean) {
            sb.append(v);
        } else if (v == null) {
            sb.append("null");
        } else {
            string(sb, v.toString());
        }
    }

    private static void string(final StringBuilder sb, final String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }
}
