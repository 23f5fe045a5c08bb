package io.iris.storage.chronicle;

import io.iris.api.storage.StorageUnavailableException;
import io.iris.storage.tck.Tmpfs;
import io.iris.testsupport.Await;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Another process fills the disk while two threads (as two engine shards do) append and sync: both must
 * get the retryable {@link StorageUnavailableException} within a bounded time — not hang, not fault the
 * store into its fail-stop — and both must append again by themselves once the space is freed. Every
 * record whose sync returned is there after a restart.
 *
 * <p>This used to hang one shard for good: the SIGBUS of a write into a sparse page of a full file system
 * came inside Chronicle after it took its write lock, which was never released, and the other thread spun
 * on it. A 64 MiB tmpfs mounted for the test (skipped without root, failed in CI).
 */
class DiskFilledByAnotherProcessTest {
    private static final long DEADLINE_SECONDS = 30;

    @TempDir
    Path temp;
    private Tmpfs tmpfs;
    private Path mount;

    @BeforeEach
    void mountTmpfs() throws Exception {
        tmpfs = Tmpfs.mount(temp.resolve("tmpfs"), 64);
        mount = tmpfs.path();
    }

    @AfterEach
    void unmount() throws Exception {
        if (tmpfs != null) {
            tmpfs.close();
        }
    }

    @Test
    void everyWriterIsRefusedWhileAnotherProcessFillsTheDiskAndResumesWhenSpaceReturns() throws Exception {
        final ChronicleInboxStore.Builder b = ChronicleInboxStore.builder(mount.resolve("store"))
            .blockSize(1 << 20).minFreeBytes(4 << 20).retentionInterval(Duration.ZERO);
        final AtomicBoolean stop = new AtomicBoolean();
        final List<Writer> writers = new ArrayList<>();
        final Path filler = mount.resolve("filler");
        try (ChronicleInboxStore store = b.open()) {
            for (int t = 0; t < 2; t++) {
                writers.add(new Writer(store, t, stop));
            }
            writers.forEach(w -> w.thread.start());
            Await.until(() -> writers.stream().allMatch(w -> w.synced.size() >= 500), DEADLINE_SECONDS, "both writers appending");

            // another process takes every free byte, as fast as the machine allows
            final int dd = run("dd", "if=/dev/zero", "of=" + filler, "bs=1M");
            assertThat(dd).as("dd stops at a full disk").isNotZero();
            final long filled = System.nanoTime();
            for (final Writer w : writers) {
                Await.until(() -> w.refusedAfter(filled), DEADLINE_SECONDS, w + " refused with STORAGE_UNAVAILABLE after the disk filled up");
            }
            for (final Writer w : writers) {
                assertThat(w.error.get()).as("%s: no other failure", w).isNull();
            }

            Files.delete(filler); // space returns
            final long freed = System.nanoTime();
            for (final Writer w : writers) {
                Await.until(() -> w.storedAfter(freed), DEADLINE_SECONDS, w + " appending again after the space returned");
            }
            stop.set(true);
            for (final Writer w : writers) {
                w.thread.join(TimeUnit.SECONDS.toMillis(DEADLINE_SECONDS));
                assertThat(w.thread.isAlive()).as("%s stopped", w).isFalse();
                assertThat(w.error.get()).as("%s: no other failure", w).isNull();
                System.out.printf("disk-full test: %s synced %d records, refused %d times%n", w, w.synced.size(),
                    w.refusals.get());
            }
        } finally {
            stop.set(true);
            Files.deleteIfExists(filler);
        }
        try (ChronicleInboxStore store = b.open()) {
            for (final Writer w : writers) {
                final List<Long> found = new ArrayList<>();
                store.read(w.user, 0, Integer.MAX_VALUE, (seq, buffer, offset, length) -> found.add(seq));
                assertThat(found).as("%s: every synced record after a restart", w).containsAll(w.synced);
            }
        }
    }

    /** A thread that appends 2 KiB records to its own user and syncs every 16, retrying refusals. */
    private static final class Writer {
        final String user;
        final Thread thread;
        final List<Long> synced = new java.util.concurrent.CopyOnWriteArrayList<>();
        final AtomicLong refusals = new AtomicLong();
        final AtomicLong lastRefusal = new AtomicLong();
        final AtomicLong lastStored = new AtomicLong();
        final java.util.concurrent.atomic.AtomicReference<Throwable> error = new java.util.concurrent.atomic.AtomicReference<>();

        Writer(final ChronicleInboxStore store, final int index, final AtomicBoolean stop) {
            this.user = "writer-" + index;
            this.thread = new Thread(() -> run(store, stop), user);
            this.thread.setDaemon(true);
        }

        private void run(final ChronicleInboxStore store, final AtomicBoolean stop) {
            final UnsafeBuffer record = new UnsafeBuffer(new byte[2048]);
            final List<Long> pending = new ArrayList<>();
            long id = 0;
            final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!stop.get() && System.nanoTime() < end) {
                try {
                    final long seq = store.append(user, "s", ++id, record, 0, record.capacity());
                    if (seq > 0) {
                        pending.add(seq);
                    }
                    if (pending.size() == 16) {
                        store.sync();
                        synced.addAll(pending);
                        pending.clear();
                        lastStored.set(System.nanoTime());
                    }
                } catch (final StorageUnavailableException e) {
                    if (e.getMessage().contains("stopped")) {
                        error.compareAndSet(null, e); // the fail-stop: a fault got into the store
                        return;
                    }
                    refusals.incrementAndGet();
                    lastRefusal.set(System.nanoTime());
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                } catch (final Throwable t) {
                    error.compareAndSet(null, t);
                    return;
                }
            }
        }

        boolean refusedAfter(final long nanos) {
            return lastRefusal.get() - nanos > 0 || error.get() != null;
        }

        boolean storedAfter(final long nanos) {
            return lastStored.get() - nanos > 0 || error.get() != null;
        }

        @Override
        public String toString() {
            return user;
        }
    }

    private static int run(final String... command) throws Exception {
        try {
            final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (final IOException e) {
            return -1;
        }
    }
}
