package io.iris.benchmarks;

import io.iris.storage.chronicle.ChronicleInboxStore;
import io.iris.storage.chronicle.Durability;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Measures the start-up recovery of {@link ChronicleInboxStore}: writes {@code records} APPENDs
 * (100-byte records over {@code users} inboxes; with {@code acked}, every inbox then acknowledged so
 * nothing stays live), closes the store, and opens it {@code runs} times, printing the recovery time
 * each time (checkpoint read, full log replay, index rebuild, final force). Not a unit test: timing only.
 *
 * <pre>
 * java -Xmx4g -cp benchmarks/target/iris-benchmarks.jar io.iris.benchmarks.ChronicleRecoveryMain \
 *     [records=1000000] [users=10000] [acked=false] [runs=3] [dir=/tmp/...]
 * </pre>
 */
public final class ChronicleRecoveryMain {
    private ChronicleRecoveryMain() {
    }

    /**
     * @param args {@code key=value}: records, users, acked, runs, dir.
     * @throws IOException if the directory cannot be created or deleted.
     */
    public static void main(final String[] args) throws IOException {
        long records = 1_000_000;
        int users = 10_000;
        boolean acked = false;
        int runs = 3;
        Path dir = null;
        for (final String a : args) {
            final String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "records": records = Long.parseLong(kv[1]); break;
                case "users": users = Integer.parseInt(kv[1]); break;
                case "acked": acked = Boolean.parseBoolean(kv[1]); break;
                case "runs": runs = Integer.parseInt(kv[1]); break;
                case "dir": dir = Path.of(kv[1]); break;
                default: throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        final boolean temporary = dir == null;
        if (temporary) {
            dir = Files.createTempDirectory("iris-recovery");
        }
        final ChronicleInboxStore.Builder builder = ChronicleInboxStore.builder(dir).retentionInterval(Duration.ZERO);
        try {
            final long writeStart = System.nanoTime();
            try (ChronicleInboxStore store = builder.durability(Durability.ASYNC).open()) {
                final String[] ids = new String[users];
                for (int i = 0; i < users; i++) {
                    ids[i] = "user-" + i;
                }
                final UnsafeBuffer record = new UnsafeBuffer(new byte[100]);
                for (long i = 1; i <= records; i++) {
                    store.append(ids[(int) (i % users)], "sender-" + (i % 97), i, record, 0, record.capacity());
                }
                if (acked) {
                    for (final String u : ids) {
                        store.ack(u, "phone", store.lastSeq(u));
                    }
                }
                store.sync();
                System.out.printf("wrote %,d records over %,d users in %.1f s; log: %,d MiB%n", records, users,
                    (System.nanoTime() - writeStart) / 1e9, store.stats().diskBytes() >> 20);
            }
            for (int run = 1; run <= runs; run++) {
                final long start = System.nanoTime();
                try (ChronicleInboxStore store = builder.durability(Durability.FSYNC).open()) {
                    final ChronicleInboxStore.RecoveryStats r = store.recoveryStats();
                    System.out.printf("run %d: recovered %,d records (%,d live, %,d users) in %,d ms "
                            + "(open to ready: %,d ms), heap used %,d MiB%n", run, r.records(), r.liveRecords(),
                        r.users(), r.millis(), (System.nanoTime() - start) / 1_000_000, usedHeapMiB());
                }
            }
        } finally {
            if (temporary) {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    private static long usedHeapMiB() {
        final Runtime rt = Runtime.getRuntime();
        return (rt.totalMemory() - rt.freeMemory()) >> 20;
    }
}
