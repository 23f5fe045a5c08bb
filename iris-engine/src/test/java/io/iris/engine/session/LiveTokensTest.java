package io.iris.engine.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class LiveTokensTest {
    @Test
    void tracksConnectionsPerTokenAndForgetsEmptyTokens() {
        final LiveTokens live = new LiveTokens();
        assertThat(live.connections("a")).isEmpty();
        live.add("a", 1);
        live.add("a", 2);
        live.add("b", 3);
        assertThat(live.connections("a")).containsExactly(1, 2);
        live.connections("a")[0] = 99; // a copy: the index is not affected
        assertThat(live.connections("a")).containsExactly(1, 2);
        live.remove("a", 1);
        live.remove("a", 7); // unknown connection: no effect
        live.remove("zzz", 1); // unknown token: no effect
        assertThat(live.connections("a")).containsExactly(2);
        live.remove("a", 2);
        live.remove("b", 3);
        assertThat(live.size()).isZero();
    }

    @Test
    void seededConcurrentAddsAndRemovesMatchASequentialModelPerThread() throws Exception {
        final LiveTokens live = new LiveTokens();
        final ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            final List<Future<Map<Long, String>>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                final int thread = t;
                results.add(pool.submit(() -> {
                    final Random random = new Random(42 + thread);
                    final Map<Long, String> mine = new HashMap<>(); // connection -> token, this thread's only
                    for (int i = 0; i < 20_000; i++) {
                        final long id = thread * 1_000_000L + random.nextInt(200);
                        if (mine.containsKey(id)) {
                            live.remove(mine.remove(id), id);
                        } else {
                            final String token = "t" + random.nextInt(20); // tokens shared between threads
                            live.add(token, id);
                            mine.put(id, token);
                        }
                    }
                    return mine;
                }));
            }
            final Map<String, List<Long>> expected = new HashMap<>();
            for (final Future<Map<Long, String>> f : results) {
                f.get().forEach((id, token) -> expected.computeIfAbsent(token, k -> new ArrayList<>()).add(id));
            }
            for (int k = 0; k < 20; k++) {
                final long[] want = expected.getOrDefault("t" + k, List.of()).stream().mapToLong(Long::longValue).toArray();
                assertThat(live.connections("t" + k)).as("t" + k).containsExactlyInAnyOrder(want);
            }
            assertThat(live.size()).isEqualTo(expected.size());
        } finally {
            pool.shutdownNow();
        }
    }
}
