package io.iris.storage.chronicle;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A record torn by a power loss: Chronicle's header of the document reached the disk, a later page of it
 * did not (zeros). Found by the server-level power-loss test: the torn record was replayed, its zeros
 * made every delivery of that inbox fail, and a retry of its message was answered DUPLICATE. Now the
 * torn record and every record after it (none was acknowledged: a sync that covered them would have
 * covered it) are dropped, the inbox stays gap-free, a retry stores the message anew, and the records
 * the restarted store writes are kept by every later recovery.
 */
class TornRecordTest {
    private static final byte MARK = 0x5A;

    @TempDir
    Path dir;

    @Test
    void aTornRecordAndTheUnsyncedRecordsAfterItAreDroppedAndLaterRecordsKept() throws Exception {
        final ChronicleInboxStore.Builder b = ChronicleInboxStore.builder(dir).blockSize(256 * 1024)
            .minFreeBytes(16 << 20).retentionInterval(Duration.ZERO);
        final UnsafeBuffer small = new UnsafeBuffer(new byte[100]);
        final byte[] big = new byte[3000];
        Arrays.fill(big, MARK);
        try (ChronicleInboxStore store = b.open()) {
            for (int i = 1; i <= 10; i++) {
                store.append("alice", "bob", i, small, 0, small.capacity());
            }
            store.sync();
            assertThat(store.append("alice", "bob", 11, new UnsafeBuffer(big), 0, big.length)).isEqualTo(11);
            assertThat(store.append("alice", "bob", 12, small, 0, small.capacity())).isEqualTo(12);
            assertThat(store.append("carol", "bob", 13, small, 0, small.capacity())).isEqualTo(1);
        }
        tearTheMarkedRecord();

        try (ChronicleInboxStore store = b.open()) {
            assertThat(store.recoveryStats().dropped()).as("the torn record and the two after it").isEqualTo(3);
            assertThat(store.lastSeq("alice")).isEqualTo(10);
            assertThat(store.lastSeq("carol")).isZero();
            assertThat(readAll(store, "alice")).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
            assertThat(store.append("alice", "bob", 11, small, 0, small.capacity()))
                .as("the retry of the torn record's message is stored, under the next seq").isEqualTo(11);
            assertThat(store.append("alice", "bob", 14, small, 0, small.capacity())).isEqualTo(12);
            store.sync();
        }
        try (ChronicleInboxStore store = b.open()) {
            assertThat(store.recoveryStats().dropped()).as("the old torn tail is still dropped").isEqualTo(3);
            assertThat(store.lastSeq("alice")).as("the records written after the restart are kept").isEqualTo(12);
            assertThat(readAll(store, "alice")).hasSize(12);
            assertThat(store.append("alice", "bob", 14, small, 0, small.capacity())).isEqualTo(-12);
        }
    }

    /**
     * The page that lost its bytes held the start of the record: its type byte reads 0, which no record type
     * is. Seen once in the server-level power-loss test ("unknown type 0: written by a newer version?", and the
     * server would not start). It is a torn record like any other.
     */
    @Test
    void aRecordTornFromItsTypeByteOnIsDroppedLikeAnyTornRecord() throws Exception {
        final ChronicleInboxStore.Builder b = ChronicleInboxStore.builder(dir).blockSize(256 * 1024)
            .minFreeBytes(16 << 20).retentionInterval(Duration.ZERO);
        final UnsafeBuffer small = new UnsafeBuffer(new byte[100]);
        final byte[] big = new byte[3000];
        Arrays.fill(big, MARK);
        try (ChronicleInboxStore store = b.open()) {
            for (int i = 1; i <= 10; i++) {
                store.append("alice", "bob", i, small, 0, small.capacity());
            }
            store.sync();
            assertThat(store.append("alice", "bob", 11, new UnsafeBuffer(big), 0, big.length)).isEqualTo(11);
            assertThat(store.append("alice", "bob", 12, small, 0, small.capacity())).isEqualTo(12);
        }
        // type (1) + seq, clientMsgId, appendedAt (3 x 8) + "alice" (1 + 5) + "bob" (1 + 3) + length (4) before the payload
        tearTheMarkedRecord(1 + 24 + 6 + 4 + 4, 3000);

        try (ChronicleInboxStore store = b.open()) {
            assertThat(store.recoveryStats().dropped()).as("the torn record and the one after it").isEqualTo(2);
            assertThat(store.lastSeq("alice")).isEqualTo(10);
            assertThat(readAll(store, "alice")).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        }
    }

    private static List<Long> readAll(final ChronicleInboxStore store, final String user) {
        final List<Long> seqs = new ArrayList<>();
        store.read(user, 0, Integer.MAX_VALUE, (seq, buffer, offset, length) -> seqs.add(seq));
        return seqs;
    }

    /** Zeroes the second half of the 3,000-byte record, as if its last page never reached the disk. */
    private void tearTheMarkedRecord() throws Exception {
        tearTheMarkedRecord(-1500, 1500);
    }

    /**
     * Zeroes {@code length} bytes of the log from {@code before} bytes ahead of the 3,000-byte marked payload
     * (a negative {@code before} starts inside the payload).
     */
    private void tearTheMarkedRecord(final int before, final int length) throws Exception {
        final Path log;
        try (Stream<Path> files = Files.list(dir.resolve("wal"))) {
            log = files.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            final ByteBuffer all = ByteBuffer.allocate((int) Math.min(ch.size(), 8 << 20));
            ch.read(all, 0);
            int run = 0;
            int start = -1;
            for (int p = 0; p < all.capacity(); p++) {
                run = all.get(p) == MARK ? run + 1 : 0;
                if (run == 3000) {
                    start = p - 2999;
                    break;
                }
            }
            assertThat(start).as("the marked record in %s", log).isPositive();
            ch.write(ByteBuffer.allocate(length), start - before);
        }
    }
}
