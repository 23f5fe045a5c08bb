package io.iris.api.counters;

import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IrisCountersTest {
    @Test
    void countersAndGaugesAreVisitedWithTheirLabelsAndValues() {
        final IrisCounters counters = new IrisCounters(8);
        final AtomicCounter sent = counters.counter("iris_sends_total", "SENDs answered", "status", "STORED");
        final AtomicCounter open = counters.gauge("iris_connections", "open connections");
        sent.increment();
        sent.increment();
        open.setOrdered(7);

        final List<String> seen = new ArrayList<>();
        counters.forEach((kind, name, labels, help, value) -> seen.add(kind + " " + name + "{" + labels + "} " + value));
        assertThat(seen).containsExactly(
            "COUNTER iris_sends_total{status=\"STORED\"} 2",
            "GAUGE iris_connections{} 7");
        assertThat(counters.value("iris_sends_total", "status", "STORED")).isEqualTo(2);
        assertThat(counters.value("iris_sends_total", "status", "DUPLICATE")).isEqualTo(-1);
    }

    @Test
    void labelValuesAreEscapedAndBadNamesRefused() {
        final IrisCounters counters = new IrisCounters(4);
        counters.counter("iris_x_total", "x", "reason", "a \"b\"\\c\n");
        final List<String> labels = new ArrayList<>();
        counters.forEach((kind, name, l, help, value) -> labels.add(l));
        assertThat(labels).containsExactly("reason=\"a \\\"b\\\"\\\\c\\n\"");
        assertThatThrownBy(() -> counters.counter("iris-x", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> counters.counter("iris_y", "y", "odd")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> counters.counter("iris_y", "y", "1bad", "v")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFullRegistryFailsClearlyAndFreedCellsAreReused() {
        final IrisCounters counters = new IrisCounters(2);
        final AtomicCounter a = counters.counter("iris_a_total", "a");
        counters.counter("iris_b_total", "b");
        assertThatThrownBy(() -> counters.counter("iris_c_total", "c"))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("full");
        counters.free(a);
        counters.counter("iris_c_total", "c");
        final List<String> names = new ArrayList<>();
        counters.forEach((kind, name, labels, help, value) -> names.add(name));
        assertThat(names).containsExactlyInAnyOrder("iris_b_total", "iris_c_total");
    }
}
