package io.iris.storage.chronicle;

import io.iris.api.storage.StorageUnavailableException;
import io.iris.storage.tck.Tmpfs;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real full file system: a 48 MiB tmpfs mounted for the test ({@link Tmpfs}: skipped without root,
 * failed in CI). A filler file takes most of it; the store must refuse appends with
 * {@link StorageUnavailableException} before the disk is actually full (a write into a full sparse
 * mapping would SIGBUS), keep everything it accepted, and accept again once the filler is deleted.
 */
class DiskFullTest {
    @TempDir
    Path temp;
    private Tmpfs tmpfs;
    private Path mount;

    @BeforeEach
    void mountTmpfs() throws Exception {
        tmpfs = Tmpfs.mount(temp.resolve("tmpfs"), 48);
        mount = tmpfs.path();
    }

    @AfterEach
    void unmount() throws Exception {
        if (tmpfs != null) {
            tmpfs.close();
        }
    }

    @Test
    void appendsAreRefusedBeforeTheDiskIsFullAndResumeWhenSpaceReturns() throws Exception {
        final Path filler = mount.resolve("filler");
        try (RandomAccessFile f = new RandomAccessFile(filler.toFile(), "rw")) {
            final byte[] chunk = new byte[1 << 20];
            for (int i = 0; i < 30; i++) {
                f.write(chunk); // real blocks, not a sparse hole
            }
        }
        final ChronicleInboxStore.Builder b = ChronicleInboxStore.builder(mount.resolve("store"))
            .blockSize(1 << 20).minFreeBytes(8 << 20).retentionInterval(Duration.ZERO);
        final byte[] record = new byte[4096];
        int stored = 0;
        StorageUnavailableException refused = null;
        try (ChronicleInboxStore store = b.open()) {
            for (int i = 1; i <= 10_000 && refused == null; i++) {
                try {
                    record[0] = (byte) i;
                    assertThat(store.append("alice", "bob", i, new UnsafeBuffer(record), 0, record.length)).isEqualTo(i);
                    stored++;
                    if (i % 64 == 0) {
                        store.sync();
                    }
                } catch (final StorageUnavailableException e) {
                    refused = e;
                }
            }
            assertThat(refused).as("refused before 40 MB were written to a 48 MiB file system").isNotNull();
            assertThat(refused.getMessage()).contains("disk almost full");
            assertThat(stored).isGreaterThan(100);
            store.sync();
            store.ack("alice", "phone", 0); // acknowledgements still work on a full disk
            store.sync();
        }
        try (ChronicleInboxStore store = b.open()) {
            assertThat(store.lastSeq("alice")).isEqualTo(stored);
            final int[] count = {0};
            store.read("alice", 0, Integer.MAX_VALUE, (seq, buf, off, len) -> {
                assertThat(buf.getByte(off)).isEqualTo((byte) seq);
                count[0]++;
            });
            assertThat(count[0]).isEqualTo(stored);

            Files.delete(filler); // space returns
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            long seq = 0;
            while (seq == 0 && System.nanoTime() < deadline) {
                try {
                    seq = store.append("alice", "bob", 1_000_000, new UnsafeBuffer(record), 0, record.length);
                } catch (final StorageUnavailableException e) {
                    Thread.onSpinWait(); // the guard measures again within 50 ms
                }
            }
            assertThat(seq).isEqualTo(stored + 1);
            store.sync();
        }
    }
}
