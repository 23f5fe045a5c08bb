package io.iris.examples;

import io.iris.api.IrisConfig;
import io.iris.api.counters.IrisCounters;
import io.iris.api.discovery.Discovery;
import io.iris.engine.IrisEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The metric tables of docs/operations.md ("Metrics") are what the reference server registers: the main table is
 * generated from the registry of a started engine (chronicle storage, as the server's default) plus the discovery
 * metrics, and must appear in the document as is; the Redis table's names are the ones {@code RedisInboxStore}
 * registers (read from its source: starting Redis is the storage module's business).
 */
class DocumentedMetricsTest {
    private static final Path ROOT = Path.of("..");
    private static final String HEADING = "## Metrics";
    private static final Pattern REDIS_NAME = Pattern.compile("\"(iris_storage_redis_[a-z_]+)\"");
    private static final Pattern DOC_REDIS_ROW = Pattern.compile("(?m)^\\| `(iris_storage_redis_[a-z_]+)`");

    @TempDir
    Path dir;

    @Test
    void theMetricTableIsTheRegistrysAtStart() throws IOException {
        final IrisCounters counters = new IrisCounters();
        final String table;
        try (IrisEngine engine = IrisEngine.builder().counters(counters).config(IrisConfig.of(Map.of(
                "server.port", "0", "storage", "chronicle", "storage.chronicle.dir", dir.toString(),
                "auth.jwt.secret", "documented-metrics-secret-0123456789abcdef"))).applicationKeys(ServerConfig.SERVER_KEYS)
                .start();
             Discovery discovery = ServerDiscovery.open(IrisConfig.of(Map.of("discovery", "static",
                 "discovery.static.members", "a@127.0.0.2:7801", "discovery.self", "a@127.0.0.2:7801")), counters)) {
            assertThat(engine.port()).isPositive();
            assertThat(discovery.members()).hasSize(1);
            table = table(counters);
        }
        Files.writeString(Path.of("target", "operations-metrics.md"), table); // to paste into the document
        final String documented = section(Files.readString(ROOT.resolve("docs/operations.md")));
        if (!documented.contains(table)) {
            throw new AssertionError("docs/operations.md, \"" + HEADING + "\": the metric table is not the registry's"
                + " (generated: examples/target/operations-metrics.md):\n" + table);
        }
    }

    @Test
    void theRedisTableNamesWhatTheRedisStoreRegisters() throws IOException {
        final String source = Files.readString(ROOT.resolve(
            "iris-spi-storage/iris-storage-redis/src/main/java/io/iris/storage/redis/RedisInboxStore.java"));
        final TreeSet<String> registered = new TreeSet<>();
        for (final Matcher m = REDIS_NAME.matcher(source); m.find(); ) {
            registered.add(m.group(1));
        }
        final TreeSet<String> documented = new TreeSet<>();
        for (final Matcher m = DOC_REDIS_ROW.matcher(section(Files.readString(ROOT.resolve("docs/operations.md"))));
             m.find(); ) {
            documented.add(m.group(1));
        }
        assertThat(registered).isNotEmpty();
        assertThat(documented).isEqualTo(registered);
    }

    /** @return one row per family: name, type, label names, help. */
    static String table(final IrisCounters counters) {
        final Map<String, String[]> rows = new LinkedHashMap<>();
        final Map<String, TreeSet<String>> labels = new LinkedHashMap<>();
        counters.forEachSample((kind, family, name, labelText, help, value) -> {
            rows.putIfAbsent(family, new String[]{kind.name().toLowerCase(java.util.Locale.ROOT), help});
            final TreeSet<String> names = labels.computeIfAbsent(family, f -> new TreeSet<>());
            for (final String pair : labelText.isEmpty() ? new String[0] : labelText.split(",(?=[a-z_]+=\")")) {
                final String label = pair.substring(0, pair.indexOf('='));
                if (!label.equals("le")) {
                    names.add(label);
                }
            }
        });
        final StringBuilder sb = new StringBuilder("| metric | type | labels | meaning |\n|---|---|---|---|\n");
        rows.forEach((family, r) -> sb.append("| `").append(family).append("` | ").append(r[0]).append(" | ")
            .append(String.join(", ", labels.get(family))).append(" | ").append(r[1]).append(" |\n"));
        return sb.toString();
    }

    private static String section(final String markdown) {
        final int start = markdown.indexOf(HEADING + "\n");
        assertThat(start).as(HEADING).isNotNegative();
        final int end = markdown.indexOf("\n## ", start + HEADING.length());
        return end < 0 ? markdown.substring(start) : markdown.substring(start, end);
    }
}
