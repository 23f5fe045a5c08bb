package io.iris.storage.redis;

import io.iris.storage.tck.StoreOptions;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Durable append throughput through {@link RedisInboxStore} against a local {@code redis-server} that
 * this program starts (and stops) itself: the load the engine puts on the store, i.e. {@code threads}
 * shard threads, each appending batches of {@code batch} records of {@code size} bytes to its own
 * users and calling {@code sync()} once per batch. An append counts once the sync of its batch
 * returned. Not a unit test: run it by hand (see docs/benchmarks.md).
 *
 * <pre>
 * java -cp ... io.iris.storage.redis.RedisAppendBenchmark [runs=5] [seconds=5] [warmup=5] [fsync=always,everysec,off]
 *      [connections=1,4] [threads=1,2] [batch=64,256] [size=200]
 * </pre>
 */
public final class RedisAppendBenchmark {
    private RedisAppendBenchmark() {
    }

    /**
     * @param args {@code name=value}: runs, seconds, warmup, fsync (list of always/everysec/off), connections,
     *             threads and batch (lists), size.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception {
        final Map<String, String> a = new java.util.HashMap<>();
        for (final String arg : args) {
            final int eq = arg.indexOf('=');
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        final int runs = Integer.parseInt(a.getOrDefault("runs", "5"));
        final int seconds = Integer.parseInt(a.getOrDefault("seconds", "5"));
        final int warmup = Integer.parseInt(a.getOrDefault("warmup", "5"));
        final int size = Integer.parseInt(a.getOrDefault("size", "200"));
        final String[] fsyncs = a.getOrDefault("fsync", "always,everysec").split(",");
        final int[] threads = Arrays.stream(a.getOrDefault("threads", "1,2").split(",")).mapToInt(Integer::parseInt).toArray();
        final int[] batches = Arrays.stream(a.getOrDefault("batch", "64,256").split(",")).mapToInt(Integer::parseInt).toArray();
        final int[] lanes = Arrays.stream(a.getOrDefault("connections", "4").split(",")).mapToInt(Integer::parseInt).toArray();
        System.out.printf(Locale.ROOT, "# %s, JDK %s, %d cores; records of %d B, %d runs of %d s after %d s warm-up%n",
            redisVersion(), System.getProperty("java.version"),
            Runtime.getRuntime().availableProcessors(), size, runs, seconds, warmup);
        for (final String fsync : fsyncs) {
            final String[] redisArgs = fsync.equals("off")
                ? new String[0] : new String[]{"--appendonly", "yes", "--appendfsync", fsync};
            try (RedisServer server = RedisServer.start(redisArgs); TestStores stores = new TestStores(server.uri())) {
                for (final int c : lanes) {
                    for (final int t : threads) {
                        for (final int b : batches) {
                            final double[] results = new double[runs];
                            measure(stores, c, t, b, size, warmup); // warm-up, discarded
                            for (int r = 0; r < runs; r++) {
                                results[r] = measure(stores, c, t, b, size, seconds);
                            }
                            final double[] sorted = results.clone();
                            Arrays.sort(sorted);
                            System.out.printf(Locale.ROOT,
                                "appendfsync=%-8s connections=%d threads=%d batch=%-4d median %8.0f appends/s   runs %s%n",
                                fsync, c, t, b, sorted[runs / 2], format(results));
                        }
                    }
                }
            }
        }
    }

    private static double measure(final TestStores stores, final int connections, final int threads, final int batch, final int size,
                                  final int seconds) throws InterruptedException {
        final RedisInboxStore store = stores.open(new StoreOptions(262_144, 2_592_000L, SystemEpochClock.INSTANCE),
            TestStores.freshPrefix(), Map.of(RedisStoreConfig.CONNECTIONS, Integer.toString(connections)));
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong acked = new AtomicLong();
        final List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            final int shard = t;
            final Thread w = new Thread(() -> {
                final UnsafeBuffer record = new UnsafeBuffer(new byte[size]);
                long id = 0;
                while (!stop.get()) {
                    for (int i = 0; i < batch; i++) {
                        id++;
                        store.append("user-" + shard + "-" + (id % 1000), "sender-" + shard, id, record, 0, size);
                    }
                    store.sync();
                    acked.addAndGet(batch);
                }
            }, "bench-shard-" + t);
            workers.add(w);
        }
        final long start = System.nanoTime();
        for (final Thread w : workers) {
            w.start();
        }
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds)); // a benchmark's measuring interval, not a test wait
        final long count = acked.get();
        final long elapsed = System.nanoTime() - start;
        stop.set(true);
        for (final Thread w : workers) {
            w.join();
        }
        store.close();
        return count / (elapsed / 1e9);
    }

    private static String redisVersion() throws java.io.IOException {
        final Process p = new ProcessBuilder(RedisServer.binary("redis-server"), "--version").redirectErrorStream(true).start();
        return new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
    }

    private static String format(final double[] values) {
        final StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.0f", values[i]));
        }
        return b.append(']').toString();
    }
}
