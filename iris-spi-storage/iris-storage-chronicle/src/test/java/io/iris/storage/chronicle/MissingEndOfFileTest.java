package io.iris.storage.chronicle;

import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A log file whose end-of-file marker never reached the disk, followed by a newer file: recovery reads on
 * into the newer file. This is the state a power loss left before the store forced the previous file at
 * a roll (and what a data directory written by an older version may hold): recovery stopped at the end
 * of the first file, every later record was lost and its seq handed out again.
 */
class MissingEndOfFileTest {
    /** Chronicle's end-of-data header word: not complete, metadata, no length. */
    private static final int END_OF_DATA = 0xC0000000;
    private static final long T0 = 1_800_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void recoveryReadsPastAFileWithoutItsEndMarkerIntoTheNextOne() throws Exception {
        final SetTimeProvider clock = new SetTimeProvider(T0 * 1_000_000L);
        final ChronicleInboxStore.Builder b = ChronicleInboxStore.builder(dir).rollCycle(TestRollCycles.TEST_SECONDLY)
            .timeProvider(clock).blockSize(256 * 1024).minFreeBytes(16 << 20).retentionInterval(Duration.ZERO);
        final byte[] record = new byte[100];
        try (ChronicleInboxStore store = b.open()) {
            for (int i = 1; i <= 10; i++) {
                store.append("alice", "bob", i, new UnsafeBuffer(record), 0, record.length);
            }
            store.sync();
            clock.currentTimeMillis(T0 + 1_000);
            for (int i = 11; i <= 20; i++) {
                store.append("alice", "bob", i, new UnsafeBuffer(record), 0, record.length);
            }
            store.sync();
        }
        final List<Path> logs;
        try (Stream<Path> files = Files.list(dir.resolve("wal"))) {
            logs = files.filter(p -> p.toString().endsWith(".cq4")).sorted().toList();
        }
        assertThat(logs).hasSize(2);
        eraseEndOfData(logs.get(0));

        clock.currentTimeMillis(T0 + 2_000);
        try (ChronicleInboxStore store = b.open()) {
            assertThat(store.recoveryStats().appends()).as("records recovered from both files").isEqualTo(20);
            assertThat(store.lastSeq("alice")).isEqualTo(20);
            assertThat(store.append("alice", "bob", 21, new UnsafeBuffer(record), 0, record.length))
                .as("the next seq, not a reused one").isEqualTo(21);
            assertThat(store.append("alice", "bob", 15, new UnsafeBuffer(record), 0, record.length))
                .as("a retry of a record from the second file is a duplicate").isEqualTo(-15);
        }
    }

    /** Zeroes the end-of-data marker after the last record of a log file, as if it never reached the disk. */
    private static void eraseEndOfData(final Path file) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            final ByteBuffer all = ByteBuffer.allocate((int) Math.min(ch.size(), 4 << 20)).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(all, 0);
            int marker = -1;
            for (int p = 0; p + 4 <= all.capacity(); p += 4) {
                if (all.getInt(p) == END_OF_DATA) {
                    marker = p;
                }
            }
            assertThat(marker).as("an end-of-data marker in %s", file).isPositive();
            ch.write(ByteBuffer.allocate(4), marker);
        }
    }
}
