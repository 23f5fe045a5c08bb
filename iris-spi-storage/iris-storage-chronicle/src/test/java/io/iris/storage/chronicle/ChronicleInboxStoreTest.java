package io.iris.storage.chronicle;

import io.iris.api.IrisConfig;
import io.iris.api.spi.Providers;
import io.iris.api.storage.InboxStore;
import io.iris.api.storage.StorageProvider;
import io.iris.api.storage.StorageUnavailableException;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the TCK does not cover: log files and their deletion, the checkpoint, the disk guard, the
 * durability modes, the provider. Time is a settable clock and log files roll every second
 * ({@code TEST_SECONDLY}), so retention is tested without waiting.
 */
class ChronicleInboxStoreTest {
    private static final long T0 = 1_800_000_000_000L;

    @TempDir
    Path dir;
    private final SetTimeProvider clock = new SetTimeProvider(T0 * 1_000_000L);
    private final List<ChronicleInboxStore> stores = new ArrayList<>();

    @AfterEach
    void closeAll() {
        stores.forEach(ChronicleInboxStore::close);
    }

    private ChronicleInboxStore.Builder builder() {
        return builder(dir);
    }

    private ChronicleInboxStore.Builder builder(final Path where) {
        return ChronicleInboxStore.builder(where).rollCycle(TestRollCycles.TEST_SECONDLY).timeProvider(clock)
            .blockSize(256 * 1024).minFreeBytes(16 << 20).retentionInterval(Duration.ZERO);
    }

    private ChronicleInboxStore open(final ChronicleInboxStore.Builder b) {
        final ChronicleInboxStore s = b.open();
        stores.add(s);
        return s;
    }

    private ChronicleInboxStore reopen(final ChronicleInboxStore store, final ChronicleInboxStore.Builder b) {
        store.close();
        stores.remove(store);
        return open(b);
    }

    private static long append(final InboxStore store, final String user, final long id, final String text) {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return store.append(user, "sender", id, new UnsafeBuffer(bytes), 0, bytes.length);
    }

    private static List<String> read(final InboxStore store, final String user) {
        final List<String> out = new ArrayList<>();
        store.read(user, 0, 10_000, (seq, b, o, l) -> out.add(seq + ":" + b.getStringWithoutLengthUtf8(o, l)));
        return out;
    }

    private long logFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("wal"))) {
            return files.filter(p -> p.toString().endsWith(".cq4")).count();
        }
    }

    @Test
    void acknowledgedCyclesAreDeletedAndTheSequenceAndCursorsSurviveViaTheCheckpoint() throws IOException {
        final ChronicleInboxStore.Builder b = builder().dedupWindow(4);
        ChronicleInboxStore store = open(b);
        for (int i = 1; i <= 10; i++) {
            assertThat(append(store, "alice", i, "a" + i)).isEqualTo(i);
            assertThat(append(store, "bob", i, "b" + i)).isEqualTo(i);
        }
        store.recordLastSeen("alice", 1_234_567L); // its SEEN record is in the first file too
        store.sync();
        clock.advanceMillis(1_000); // the next records go to a new log file
        for (int i = 1; i <= 5; i++) {
            append(store, "carol", i, "c" + i);
        }
        store.ack("alice", "phone", 10);
        store.ack("bob", "phone", 10);
        store.sync();
        assertThat(logFiles()).isEqualTo(2);

        assertThat(store.runRetention()).isEqualTo(1);
        assertThat(logFiles()).isEqualTo(1);
        assertThat(store.stats().deletedCycles()).isEqualTo(1);
        assertThat(read(store, "alice")).isEmpty();
        assertThat(read(store, "carol")).containsExactly("1:c1", "2:c2", "3:c3", "4:c4", "5:c5");

        store = reopen(store, b);
        assertThat(store.lastSeq("alice")).as("from the checkpoint: its records' file is gone").isEqualTo(10);
        assertThat(store.cursor("alice", "phone")).isEqualTo(10);
        assertThat(store.lastSeen("alice")).as("last seen from the checkpoint").isEqualTo(1_234_567L);
        assertThat(store.oldestSeq("alice")).as("a new device starts after 10").isEqualTo(11);
        assertThat(append(store, "alice", 11, "a11")).isEqualTo(11);
        assertThat(read(store, "alice")).containsExactly("11:a11");
        assertThat(read(store, "carol")).hasSize(5);
        assertThat(append(store, "carol", 5, "c5 again")).as("dedup window replayed").isEqualTo(-5);
    }

    @Test
    void registeredGaugesFollowTheLogDirectory() throws IOException {
        final ChronicleInboxStore store = open(builder());
        final io.iris.api.counters.IrisCounters counters = new io.iris.api.counters.IrisCounters(16);
        store.registerCounters(counters);
        final long before = counters.value("iris_storage_chronicle_wal_bytes");
        final long filesBefore = counters.value("iris_storage_chronicle_wal_files");
        assertThat(filesBefore).isPositive();
        assertThat(counters.value("iris_storage_chronicle_usable_bytes")).isPositive();
        append(store, "alice", 1, "a1");
        clock.advanceMillis(1_000); // a new log file: the store measures its disk
        append(store, "alice", 2, "a2");
        store.sync();
        assertThat(counters.value("iris_storage_chronicle_wal_files")).as("the new log file").isGreaterThan(filesBefore);
        assertThat(counters.value("iris_storage_chronicle_wal_bytes")).isGreaterThan(before);
        final long measured = store.stats().diskBytes(); // measures the disk: publishes too
        assertThat(counters.value("iris_storage_chronicle_wal_bytes")).isEqualTo(measured);
    }

    @Test
    void aFileHoldingAnyOfTheDedupWindowsAppendsIsKept() throws IOException {
        final ChronicleInboxStore store = open(builder().dedupWindow(1_000));
        for (int i = 1; i <= 10; i++) {
            append(store, "alice", i, "a" + i);
        }
        clock.advanceMillis(1_000);
        append(store, "bob", 1, "b1");
        store.ack("alice", "phone", 10);
        store.sync();
        assertThat(store.runRetention()).isZero();
        assertThat(logFiles()).isEqualTo(2);
        assertThat(append(store, "alice", 3, "again")).isEqualTo(-3);
    }

    @Test
    void unacknowledgedRecordsExpireAfterTheTtlAndTheirFilesGo() throws IOException {
        final ChronicleInboxStore.Builder b = builder().dedupWindow(1).ttl(Duration.ofSeconds(10));
        ChronicleInboxStore store = open(b);
        append(store, "alice", 1, "old");
        store.ack("alice", "phone", 0); // a device that never acknowledges
        store.sync();
        clock.advanceMillis(5_000);
        append(store, "alice", 2, "newer");
        store.sync();
        clock.advanceMillis(6_000); // "old" is 11 s old, "newer" 6 s
        assertThat(read(store, "alice")).containsExactly("2:newer");
        append(store, "bob", 1, "b1");
        store.sync();
        assertThat(store.runRetention()).as("the first file's cycle ended over 10 s ago").isEqualTo(1);
        assertThat(logFiles()).isEqualTo(2);

        store = reopen(store, b);
        assertThat(read(store, "alice")).containsExactly("2:newer");
        assertThat(store.lastSeq("alice")).isEqualTo(2);
        clock.advanceMillis(10_000);
        assertThat(read(store, "alice")).isEmpty();
        assertThat(append(store, "alice", 3, "x")).isEqualTo(3);
    }

    @Test
    void overTheQuotaAppendsAreRefusedRetryablyAndResumeWhenRetentionFreesSpace() {
        final ChronicleInboxStore store = open(builder().dedupWindow(1).maxDiskBytes(8 << 20)); // 1 MiB blocks with TEST_SECONDLY
        final String text = "x".repeat(2_000);
        int stored = 0;
        StorageUnavailableException refused = null;
        for (int i = 1; i <= 5_000 && refused == null; i++) {
            try {
                assertThat(append(store, "alice", i, text)).isEqualTo(i);
                stored++;
                if (i % 100 == 0) {
                    store.sync();
                    clock.advanceMillis(1_000); // spread over several files
                }
            } catch (final StorageUnavailableException e) {
                refused = e;
            }
        }
        assertThat(refused).as("refused before 5,000 appends of 2 KB").isNotNull();
        assertThat(refused.getMessage()).contains("maxDiskBytes");
        assertThat(store.lastSeq("alice")).as("a refused append stores nothing").isEqualTo(stored);
        assertThat(store.stats().diskBytes()).isLessThanOrEqualTo(8 << 20);
        store.sync();

        store.ack("alice", "phone", stored);
        clock.advanceMillis(1_000);
        assertThat(store.runRetention()).isPositive();
        assertThat(append(store, "alice", 10_000, "after")).isEqualTo(stored + 1);
        store.sync();
        assertThat(read(store, "alice")).containsExactly((stored + 1) + ":after");
    }

    @Test
    void fsyncForcesOncePerSyncWithAppendsAndAsyncNever() {
        final ChronicleInboxStore fsync = open(builder());
        fsync.sync();
        assertThat(fsync.stats().syncs()).as("nothing written, nothing forced").isZero();
        append(fsync, "alice", 1, "m");
        append(fsync, "alice", 2, "m");
        fsync.sync();
        assertThat(fsync.stats().syncs()).isEqualTo(1);
        fsync.close();
        stores.remove(fsync);

        final ChronicleInboxStore async = open(builder(dir.resolve("async")).durability(Durability.ASYNC));
        append(async, "alice", 3, "m");
        async.sync();
        assertThat(async.stats().syncs()).isZero();
        assertThat(async.lastSeq("alice")).isEqualTo(1);
    }

    @Test
    void aSecondStoreOnTheSameDirectoryIsRefused() {
        open(builder());
        assertThatThrownBy(() -> builder().open()).isInstanceOf(IllegalStateException.class).hasMessageContaining("in use");
    }

    @Test
    void aDamagedCheckpointStopsTheStart() throws IOException {
        open(builder()).close();
        stores.clear();
        Files.write(dir.resolve("checkpoint"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13});
        assertThatThrownBy(() -> builder().open()).isInstanceOf(IllegalStateException.class).hasMessageContaining("checksum");
    }

    @Test
    void theProviderIsFoundByNameAndReadsItsKeys() {
        final StorageProvider provider = Providers.load(StorageProvider.class, "chronicle",
            getClass().getClassLoader());
        final InboxStore store = provider.create(IrisConfig.of(Map.of(
            "storage.chronicle.dir", dir.resolve("p").toString(),
            "storage.chronicle.durability", "async",
            "storage.chronicle.rollCycle", "FAST_DAILY",
            "storage.chronicle.blockSize", "1m",
            "storage.chronicle.minFreeBytes", "16m",
            StorageProvider.RETENTION_SECONDS, "0",
            StorageProvider.DEDUP_WINDOW, "8")));
        try {
            assertThat(((ChronicleInboxStore) store).durability()).isEqualTo(Durability.ASYNC);
            assertThat(append(store, "u", 1, "m")).isEqualTo(1);
        } finally {
            store.close();
        }
        assertThatThrownBy(() -> provider.create(IrisConfig.of(Map.of("storage.chronicle.durability", "sometimes"))))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fsync or async");
        assertThatThrownBy(() -> provider.create(IrisConfig.of(Map.of("storage.chronicle.rollCycle", "YEARLY"))))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("FAST_HOURLY");
    }
}
