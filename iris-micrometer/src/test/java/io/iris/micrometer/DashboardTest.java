package io.iris.micrometer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.iris.api.IrisConfig;
import io.iris.engine.IrisEngine;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * dashboards/grafana/iris.json cannot drift from the engine: it is a Grafana dashboard (panels with Prometheus
 * queries through a datasource variable), and every metric name it uses is one a started engine registers in its
 * {@code IrisCounters}, or a documented histogram series.
 */
class DashboardTest {
    private static final Path DASHBOARD = Path.of("..", "dashboards", "grafana", "iris.json");
    /**
     * Histograms the dashboard may use before an engine without them registers them (docs/operations.md,
     * "Metrics"): Prometheus exposes each as {@code _bucket}, {@code _sum} and {@code _count} series.
     */
    private static final Set<String> DOCUMENTED_HISTOGRAMS = Set.of("iris_storage_sync_seconds");
    private static final Pattern METRIC = Pattern.compile("\\biris_[a-z0-9_]+");

    @Test
    void theDashboardIsGrafanaJsonWithPrometheusQueriesThroughAVariable() throws IOException {
        final Map<?, ?> dashboard = (Map<?, ?>) read(DASHBOARD);
        assertThat(dashboard.get("title")).isEqualTo("Iris");
        assertThat(dashboard.get("uid")).isNotNull();
        assertThat(dashboard.get("schemaVersion")).isInstanceOf(Long.class);
        final List<?> variables = (List<?>) ((Map<?, ?>) dashboard.get("templating")).get("list");
        assertThat(variables).anySatisfy(v -> {
            assertThat(((Map<?, ?>) v).get("type")).isEqualTo("datasource");
            assertThat(((Map<?, ?>) v).get("query")).isEqualTo("prometheus");
            assertThat(((Map<?, ?>) v).get("name")).isEqualTo("datasource");
        });
        final List<String> titles = new ArrayList<>();
        for (final Object o : (List<?>) dashboard.get("panels")) {
            final Map<?, ?> panel = (Map<?, ?>) o;
            titles.add((String) panel.get("title"));
            assertThat(((Map<?, ?>) panel.get("datasource")).get("uid")).as(panel.get("title") + " datasource")
                .isEqualTo("${datasource}");
            assertThat(panel.get("gridPos")).as(panel.get("title") + " gridPos").isNotNull();
            final List<?> targets = (List<?>) panel.get("targets");
            assertThat(targets).as(panel.get("title") + " queries").isNotEmpty();
            for (final Object t : targets) {
                assertThat((String) ((Map<?, ?>) t).get("expr")).as(panel.get("title") + " expr").contains("iris_");
            }
        }
        assertThat(titles).contains("Open connections", "Messages/s by status", "Storage sync latency p99",
            "Overload level", "Shard queue depth");
        final String text = Files.readString(DASHBOARD);
        assertThat(text).contains("rate(iris_sends_total").contains("by (status)")
            .contains("histogram_quantile(0.99").containsPattern("rate\\(iris_storage_sync_seconds_bucket(\\{[^}]*})?\\[1m]\\)");
    }

    @Test
    void everyMetricTheDashboardUsesIsOneTheEngineRegisters() throws IOException {
        final Set<String> registered = new TreeSet<>();
        try (IrisEngine engine = IrisEngine.builder().config(IrisConfig.of(Map.of("server.host", "127.0.0.1",
                 "server.port", "0", "auth.jwt.secret", "dashboard-test-secret-0123456789abcdefgh",
                 "storage", "memory"))).start()) {
            engine.counters().forEach((kind, name, labels, help, value) -> registered.add(name));
        }
        assertThat(registered).contains("iris_sends_total", "iris_transport_connections_open");
        final Set<String> allowed = new TreeSet<>(registered);
        for (final String h : DOCUMENTED_HISTOGRAMS) {
            allowed.addAll(List.of(h, h + "_bucket", h + "_sum", h + "_count"));
        }
        final Set<String> used = new TreeSet<>();
        collectStrings(read(DASHBOARD), s -> {
            final Matcher m = METRIC.matcher(s);
            while (m.find()) {
                used.add(m.group());
            }
        });
        assertThat(used).as("metric names in the dashboard").hasSizeGreaterThanOrEqualTo(5);
        assertThat(used).as("names the engine registers (or documented histograms): " + allowed)
            .isSubsetOf(allowed);
    }

    private static void collectStrings(final Object node, final java.util.function.Consumer<String> sink) {
        if (node instanceof String s) {
            sink.accept(s);
        } else if (node instanceof Map<?, ?> m) {
            m.values().forEach(v -> collectStrings(v, sink));
        } else if (node instanceof List<?> l) {
            l.forEach(v -> collectStrings(v, sink));
        }
    }

    /** @return the document as maps, lists, strings, longs, doubles, booleans and nulls. */
    private static Object read(final Path file) throws IOException {
        try (JsonParser p = new JsonFactory().createParser(file.toFile())) {
            p.nextToken();
            final Object value = value(p);
            assertThat(p.nextToken()).as("one JSON document").isNull();
            return value;
        }
    }

    private static Object value(final JsonParser p) throws IOException {
        final JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                final Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    final String name = p.currentName();
                    p.nextToken();
                    assertThat(m.put(name, value(p))).as("duplicate key " + name).isNull();
                }
                return m;
            }
            case START_ARRAY -> {
                final List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(value(p));
                }
                return l;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT -> {
                return p.getLongValue();
            }
            case VALUE_NUMBER_FLOAT -> {
                return p.getDoubleValue();
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return p.getBooleanValue();
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw new IllegalStateException("unexpected " + t);
        }
    }
}
