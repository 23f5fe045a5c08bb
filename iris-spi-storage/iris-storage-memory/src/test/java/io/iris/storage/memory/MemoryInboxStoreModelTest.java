package io.iris.storage.memory;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded random runs of the store against a plain model (lists and maps): appends of varied sizes with
 * repeated dedup keys, acks from several devices, reads. They exercise what the allocation-free layout
 * adds: buffer compaction and growth, index wrap-around, restarting an emptied inbox at the front, and
 * the dedup window's eviction (backward-shift deletion in its open-addressing index).
 */
class MemoryInboxStoreModelTest {
    private static final String[] USERS = {"u0", "u1", "u2", "u3"};
    private static final String[] SENDERS = {"s0", "s1", "s2"};
    private static final String[] DEVICES = {"phone", "laptop"};

    @Test
    void matchesAPlainModelOverRandomOperations() {
        for (long seed = 1; seed <= 20; seed++) {
            run(seed, 1 + (int) (seed * 7 % 50), 5_000);
        }
    }

    @Test
    void largeWindowFillsGrowsAndEvictsLikeAFifo() {
        run(99, 3_000, 20_000);
    }

    private static void run(final long seed, final int window, final int steps) {
        final Random random = new Random(seed);
        final MemoryInboxStore store = new MemoryInboxStore(window, 16); // small start: exercises the growth
        final Model model = new Model(window);
        final byte[] bytes = new byte[9_000];
        for (int step = 0; step < steps; step++) {
            final String user = USERS[random.nextInt(USERS.length)];
            final int op = random.nextInt(10);
            if (op < 6) {
                final String sender = SENDERS[random.nextInt(SENDERS.length)];
                final long msgId = random.nextInt(window * 2 + 10);
                final int length = random.nextInt(20) == 0 ? 1 + random.nextInt(bytes.length) : 1 + random.nextInt(200);
                for (int i = 0; i < length; i++) {
                    bytes[i] = (byte) (step + i);
                }
                final long got = store.append(user, sender, msgId, new UnsafeBuffer(bytes), 0, length);
                final long want = model.append(user, sender, msgId, java.util.Arrays.copyOf(bytes, length));
                assertThat(got).as("seed %d step %d append", seed, step).isEqualTo(want);
            } else if (op < 9) {
                final String device = DEVICES[random.nextInt(DEVICES.length)];
                final long last = model.lastSeq(user);
                final long upTo = last == 0 ? 0 : Math.max(0, last - random.nextInt(5));
                store.ack(user, device, upTo);
                model.ack(user, device, upTo);
                assertThat(store.size(user)).as("seed %d step %d size", seed, step).isEqualTo(model.size(user));
                assertThat(store.cursor(user, device)).isEqualTo(model.cursor(user, device));
            } else {
                final long after = Math.max(0, model.lastSeq(user) - random.nextInt(30));
                final int max = 1 + random.nextInt(10);
                final List<String> got = new ArrayList<>();
                store.read(user, after, max, (seq, b, o, l) -> {
                    final byte[] copy = new byte[l];
                    b.getBytes(o, copy);
                    got.add(seq + ":" + java.util.Arrays.hashCode(copy) + ":" + l);
                });
                assertThat(got).as("seed %d step %d read", seed, step).isEqualTo(model.read(user, after, max));
            }
            assertThat(store.lastSeq(user)).isEqualTo(model.lastSeq(user));
        }
    }

    /** The obvious implementation of the contract. */
    private static final class Model {
        private final int window;
        private final LinkedHashMap<String, Long> dedup = new LinkedHashMap<>();
        private final Map<String, Long> lastSeq = new HashMap<>();
        private final Map<String, ArrayDeque<long[]>> seqs = new HashMap<>();
        private final Map<String, Map<Long, byte[]>> records = new HashMap<>();
        private final Map<String, Map<String, Long>> cursors = new HashMap<>();

        Model(final int window) {
            this.window = window;
        }

        long append(final String user, final String sender, final long msgId, final byte[] record) {
            final String key = user + "|" + sender + "|" + msgId;
            final Long original = dedup.get(key);
            if (original != null) {
                return -original;
            }
            final long seq = lastSeq.merge(user, 1L, Long::sum);
            dedup.put(key, seq);
            if (dedup.size() > window) {
                dedup.remove(dedup.keySet().iterator().next());
            }
            seqs.computeIfAbsent(user, k -> new ArrayDeque<>()).add(new long[] {seq});
            records.computeIfAbsent(user, k -> new HashMap<>()).put(seq, record);
            return seq;
        }

        long lastSeq(final String user) {
            return lastSeq.getOrDefault(user, 0L);
        }

        void ack(final String user, final String device, final long upTo) {
            final Map<String, Long> c = cursors.computeIfAbsent(user, k -> new HashMap<>());
            final long clamped = Math.min(upTo, lastSeq(user));
            c.merge(device, clamped, Math::max);
            final long min = c.values().stream().mapToLong(Long::longValue).min().orElse(0);
            final ArrayDeque<long[]> q = seqs.get(user);
            while (q != null && !q.isEmpty() && q.peekFirst()[0] <= min) {
                records.get(user).remove(q.pollFirst()[0]);
            }
        }

        long cursor(final String user, final String device) {
            return cursors.getOrDefault(user, Map.of()).getOrDefault(device, 0L);
        }

        int size(final String user) {
            final ArrayDeque<long[]> q = seqs.get(user);
            return q == null ? 0 : q.size();
        }

        List<String> read(final String user, final long after, final int max) {
            final List<String> out = new ArrayList<>();
            final ArrayDeque<long[]> q = seqs.get(user);
            if (q == null) {
                return out;
            }
            for (final long[] s : q) {
                if (s[0] > after && out.size() < max) {
                    final byte[] r = records.get(user).get(s[0]);
                    out.add(s[0] + ":" + java.util.Arrays.hashCode(r) + ":" + r.length);
                }
            }
            return out;
        }
    }
}
