package io.iris.engine.dedup;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class DedupWindowTest {
    @Test
    void remembersTheLastNKeysExactly() {
        final DedupWindow w = new DedupWindow(3);
        w.put(1, 10, 100, 0);
        w.put(1, 11, 101, 0);
        w.put(2, 10, 102, 1);
        assertThat(w.seq(1, 10)).isEqualTo(100);
        assertThat(w.seq(2, 10)).isEqualTo(102);
        assertThat(w.batchOfLastHit()).isEqualTo(1);
        w.put(3, 5, 103, 1); // evicts (1,10)
        assertThat(w.seq(1, 10)).isEqualTo(DedupWindow.MISSING);
        assertThat(w.seq(1, 11)).isEqualTo(101);
        assertThat(w.seq(3, 5)).isEqualTo(103);
    }

    @Test
    void forgetRemovesAKey() {
        final DedupWindow w = new DedupWindow(4);
        w.put(1, 1, 1, 0);
        w.put(1, 2, 2, 0);
        w.forget(1, 1);
        assertThat(w.seq(1, 1)).isEqualTo(DedupWindow.MISSING);
        assertThat(w.seq(1, 2)).isEqualTo(2);
    }

    /** Seeded random operations checked against a straightforward FIFO model. */
    @Test
    void matchesAFifoModelUnderRandomOperations() {
        for (long seed = 1; seed <= 20; seed++) {
            final Random random = new Random(seed);
            final int capacity = 1 + random.nextInt(64);
            final DedupWindow w = new DedupWindow(capacity);
            final ArrayDeque<Long> order = new ArrayDeque<>();
            final Map<Long, Long> model = new HashMap<>();
            for (int op = 0; op < 5_000; op++) {
                final int sender = random.nextInt(8);
                final long msgId = random.nextInt(200) - 100;
                final long key = ((long) sender << 32) ^ (msgId & 0xFFFFFFFFL);
                final long expected = model.getOrDefault(key, DedupWindow.MISSING);
                assertThat(w.seq(sender, msgId)).as("seed %d op %d", seed, op).isEqualTo(expected);
                if (expected == DedupWindow.MISSING) {
                    if (order.size() == capacity) {
                        model.remove(order.removeFirst());
                    }
                    w.put(sender, msgId, op, 0);
                    model.put(key, (long) op);
                    order.addLast(key);
                }
            }
        }
    }
}
