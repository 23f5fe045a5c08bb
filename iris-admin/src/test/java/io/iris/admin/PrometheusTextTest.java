package io.iris.admin;

import io.iris.api.counters.Histogram;
import io.iris.api.counters.IrisCounters;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PrometheusTextTest {
    @Test
    void eachFamilyHasOneHelpAndTypeFollowedByAllItsSamples() {
        final IrisCounters counters = new IrisCounters(64);
        counters.counter("iris_a_total", "A, with a back\\slash\nand a newline.", "listener", "client").increment();
        counters.gauge("iris_b", "B.").setOrdered(-3);
        counters.counter("iris_a_total", "A, with a back\\slash\nand a newline.", "listener", "q\"uo\\te\nx")
            .getAndAdd(5);
        final String text = PrometheusText.format(counters);
        assertThat(text).isEqualTo("""
            # HELP iris_a_total A, with a back\\\\slash\\nand a newline.
            # TYPE iris_a_total counter
            iris_a_total{listener="client"} 1
            iris_a_total{listener="q\\"uo\\\\te\\nx"} 5
            # HELP iris_b B.
            # TYPE iris_b gauge
            iris_b -3
            """);
    }

    @Test
    void aHistogramIsExposedInBaseUnitsWithCumulativeBuckets() {
        final IrisCounters counters = new IrisCounters(64);
        final Histogram h = counters.histogram("iris_sync_seconds", "Sync time.", 1e-9,
            new long[]{50_000, 1_000_000}, "store", "x");
        h.record(10_000);
        h.record(50_000);
        h.record(700_000);
        h.record(2_000_000_000L);
        assertThat(PrometheusText.format(counters)).isEqualTo("""
            # HELP iris_sync_seconds Sync time.
            # TYPE iris_sync_seconds histogram
            iris_sync_seconds_bucket{store="x",le="0.00005"} 2
            iris_sync_seconds_bucket{store="x",le="0.001"} 3
            iris_sync_seconds_bucket{store="x",le="+Inf"} 4
            iris_sync_seconds_sum{store="x"} 2.00076
            iris_sync_seconds_count{store="x"} 4
            """);
        assertThat(h.count()).isEqualTo(4);
        assertThat(h.bucket(0)).isEqualTo(2);
    }

    @Test
    void badHistogramsAreRefused() {
        final IrisCounters counters = new IrisCounters(64);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> counters.histogram("x_seconds", "h", 1,
            new long[]{2, 2})).hasMessageContaining("increase strictly");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> counters.histogram("x_count", "h", 1,
            new long[]{1})).hasMessageContaining("bad histogram name");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> counters.histogram("x", "h", 1,
            new long[]{1}, "le", "1")).hasMessageContaining("reserved");
    }
}
