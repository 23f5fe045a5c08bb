package io.iris.storage.chronicle;

import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * After a power loss a log file can exist with nothing written in it (zeros: created, sized, never
 * written back). Such a file holds no record; start-up must recognise it at once and set it aside, not
 * wait for a header that no process will ever write (Chronicle's own wait took 10 s a file).
 */
class ZeroFilledLogTest {
    private static final long T0 = 1_800_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void aZeroFilledLogFileIsSetAsideAndTheRecordsBeforeItAreRecovered() throws Exception {
        final SetTimeProvider clock = new SetTimeProvider(T0 * 1_000_000L);
        final ChronicleInboxStore.Builder b = ChronicleInboxStore.builder(dir).rollCycle(TestRollCycles.TEST_SECONDLY)
            .timeProvider(clock).blockSize(256 * 1024).minFreeBytes(16 << 20).retentionInterval(Duration.ZERO);
        final byte[] record = new byte[100];
        Path written;
        try (ChronicleInboxStore store = b.open()) {
            for (int i = 1; i <= 10; i++) {
                store.append("alice", "bob", i, new UnsafeBuffer(record), 0, record.length);
            }
            store.sync();
            written = onlyLogFile();
        }
        // the next two cycles' files exist but hold zeros, as a power loss leaves files never written back
        final long size = Files.size(written);
        for (int c = 1; c <= 2; c++) {
            final String name = written.getFileName().toString();
            final Path zero = written.resolveSibling(nextSecond(name, c));
            try (RandomAccessFile f = new RandomAccessFile(zero.toFile(), "rw")) {
                f.setLength(size);
            }
        }
        clock.currentTimeMillis(T0 + 3_000);
        try (ChronicleInboxStore store = b.open()) {
            assertThat(store.lastSeq("alice")).isEqualTo(10);
            assertThat(store.recoveryStats().setAside()).as("zero-filled log files set aside").isEqualTo(2);
            assertThat(store.append("alice", "bob", 11, new UnsafeBuffer(record), 0, record.length)).isEqualTo(11);
            store.sync();
        }
        try (Stream<Path> aside = Files.list(dir.resolve("damaged"))) {
            assertThat(aside.count()).isEqualTo(2);
        }
        try (ChronicleInboxStore store = b.open()) {
            assertThat(store.lastSeq("alice")).isEqualTo(11);
            assertThat(store.recoveryStats().setAside()).isZero();
        }
    }

    @Test
    void logFilesThatAreAllZerosAreSetAsideAtOnce() throws Exception {
        final SetTimeProvider clock = new SetTimeProvider(T0 * 1_000_000L);
        final ChronicleInboxStore.Builder b = ChronicleInboxStore.builder(dir).rollCycle(TestRollCycles.TEST_SECONDLY)
            .timeProvider(clock).blockSize(256 * 1024).minFreeBytes(16 << 20).retentionInterval(Duration.ZERO)
            .durability(Durability.ASYNC);
        final byte[] record = new byte[100];
        try (ChronicleInboxStore store = b.open()) {
            store.append("alice", "bob", 1, new UnsafeBuffer(record), 0, record.length);
        }
        // async mode, power loss before the kernel wrote anything back: the file exists, sized, all zeros
        final Path written = onlyLogFile();
        final long size = Files.size(written);
        try (RandomAccessFile f = new RandomAccessFile(written.toFile(), "rw")) {
            f.setLength(0);
            f.setLength(size);
        }
        clock.currentTimeMillis(T0 + 1_000);
        try (ChronicleInboxStore store = b.open()) {
            // Chronicle alone waited 10 s for the header of such a file, then found nothing either
            assertThat(store.recoveryStats().setAside()).isEqualTo(1);
            assertThat(store.recoveryStats().records()).isZero();
            assertThat(store.append("alice", "bob", 2, new UnsafeBuffer(record), 0, record.length)).isEqualTo(1);
        }
    }

    private Path onlyLogFile() throws Exception {
        try (Stream<Path> files = Files.list(dir.resolve("wal"))) {
            final List<Path> logs = files.filter(p -> p.toString().endsWith(".cq4")).toList();
            assertThat(logs).hasSize(1);
            return logs.get(0);
        }
    }

    /** TEST_SECONDLY names files yyyyMMdd-HHmmss..., then a suffix: the name of the file {@code seconds} later. */
    private static String nextSecond(final String name, final int seconds) {
        final java.time.format.DateTimeFormatter f = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
        final java.time.LocalDateTime t = java.time.LocalDateTime.parse(name.substring(0, 15), f).plusSeconds(seconds);
        return t.format(f) + name.substring(15);
    }
}
