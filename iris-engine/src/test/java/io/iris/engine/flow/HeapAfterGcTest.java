package io.iris.engine.flow;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The real heap signal: GC notifications report retained memory as a higher after-GC fraction. */
class HeapAfterGcTest {
    @Test
    void retainedAllocationRaisesTheAfterGcFraction() throws Exception {
        try (HeapAfterGc heap = new HeapAfterGc()) {
            final double baseline = settledAfterGc(heap);
            assertThat(baseline).isBetween(0.0, 1.0);
            final long chunk = 1 << 20;
            final int chunks = (int) Math.min(Integer.MAX_VALUE, Runtime.getRuntime().maxMemory() / 4 / chunk);
            final List<byte[]> retained = new ArrayList<>();
            for (int i = 0; i < chunks; i++) {
                retained.add(new byte[(int) chunk]);
            }
            final double loaded = settledAfterGc(heap);
            assertThat(loaded).as("after-GC fraction with a quarter of the heap retained (baseline %s)", baseline)
                .isGreaterThan(baseline + 0.15);
            assertThat(retained).hasSize(chunks); // keeps the allocation reachable until here
        }
    }

    /** Runs System.gc() and waits (bounded) until a notification has delivered a new value. */
    private static double settledAfterGc(final HeapAfterGc heap) throws InterruptedException {
        double value = heap.getAsDouble();
        for (int i = 0; i < 3; i++) {
            System.gc();
            for (int w = 0; w < 50; w++) {
                Thread.sleep(20);
                if (heap.getAsDouble() != value) {
                    break;
                }
            }
            value = heap.getAsDouble();
        }
        return value;
    }
}
