package io.iris.api.storage;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DedupWindowTest {
    @Test
    void remembersKeysPerInboxAndForgetsTheOldestFirst() {
        final DedupWindow w = new DedupWindow(3, 1);
        w.put("bob", "alice", 1, 10);
        w.put("bob", "alice", 2, 11);
        w.put("carol", "alice", 1, 5);
        assertThat(w.get("bob", "alice", 1)).isEqualTo(10);
        assertThat(w.get("carol", "alice", 1)).isEqualTo(5);
        assertThat(w.get("bob", "dave", 1)).isZero();
        w.put("bob", "alice", 3, 12); // evicts (bob, alice, 1)
        assertThat(w.get("bob", "alice", 1)).isZero();
        assertThat(w.get("bob", "alice", 3)).isEqualTo(12);
        assertThat(w.size()).isEqualTo(3);
        assertThatThrownBy(() -> w.put("x", "y", 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Seeded random operations, including ring growth and wrap-around, checked against a FIFO model. */
    @Test
    void matchesAFifoModel() {
        final String[] users = {"a", "b", "c", "d"};
        for (long seed = 1; seed <= 20; seed++) {
            final Random random = new Random(seed);
            final int capacity = 1 + random.nextInt(100);
            final DedupWindow w = new DedupWindow(capacity, 1 + random.nextInt(8));
            final ArrayDeque<String> order = new ArrayDeque<>();
            final Map<String, Long> model = new HashMap<>();
            for (int op = 1; op <= 5_000; op++) {
                final String user = users[random.nextInt(users.length)];
                final String sender = users[random.nextInt(users.length)];
                final long msgId = random.nextInt(300) - 150;
                final String key = user + "/" + sender + "/" + msgId;
                final long expected = model.getOrDefault(key, 0L);
                assertThat(w.get(user, sender, msgId)).as("seed %d op %d", seed, op).isEqualTo(expected);
                if (expected == 0) {
                    if (order.size() == capacity) {
                        model.remove(order.removeFirst());
                    }
                    w.put(user, sender, msgId, op);
                    model.put(key, (long) op);
                    order.addLast(key);
                }
            }
        }
    }
}
