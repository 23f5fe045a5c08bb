package io.iris.storage.chronicle;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

import org.agrona.concurrent.status.AtomicCounter;

/**
 * Keeps the log off a full disk. Chronicle Queue writes through memory-mapped files that grow sparse,
 * so a write that finds the file system full does not fail cleanly: the page fault raises SIGBUS,
 * which the JVM reports later, asynchronously, as an {@link InternalError} — possibly after the
 * append seemed to succeed. The only safe policy is never to get there: appends are refused while the
 * file system's usable space is under {@code minFreeBytes}, or while the log's files (their logical
 * size, which includes the chunk Chronicle maps ahead) are within {@link #QUOTA_HEADROOM_BLOCKS}
 * blocks of {@code maxDiskBytes} (a file grows by a block plus a quarter of overlap, and a new cycle
 * starts a new file). Small ACK records may use half of each reserve, so that acknowledgements, which
 * let retention free space, keep working when appends no longer do.
 *
 * <p>Measuring costs a {@code statfs} and a directory listing, so it is done at most every
 * {@link #CHECK_NANOS}, or sooner after {@code checkBytes} bytes were written (an eighth of the free
 * space reserve, and with a quota at most half a block). Thread-safe.
 */
final class DiskGuard {
    /** Longest time between two measurements. */
    static final long CHECK_NANOS = 50_000_000L;
    /** Appends stop this many blocks short of the quota. */
    static final int QUOTA_HEADROOM_BLOCKS = 3;

    private final Path walDir;
    private final FileStore fileStore;
    private final long minFreeBytes;
    private final long maxDiskBytes;
    private final long blockSize;
    private final long checkBytes;
    private long lastCheck = System.nanoTime() - 2 * CHECK_NANOS;
    private long writtenSinceCheck;
    private volatile long usableBytes;
    private volatile long usedBytes;
    private volatile long files;
    /** Gauges each measurement is published to ({@link #publishTo}); null until then. */
    private AtomicCounter usedGauge;
    private AtomicCounter filesGauge;
    private AtomicCounter usableGauge;

    /**
     * @param walDir       the queue directory.
     * @param minFreeBytes appends are refused below this much usable space on the file system.
     * @param maxDiskBytes quota for the queue's files, 0 for none.
     * @param blockSize    Chronicle's block (mapping chunk) size: how much a file may grow at once.
     * @throws IOException if the file system cannot be queried.
     */
    DiskGuard(final Path walDir, final long minFreeBytes, final long maxDiskBytes, final long blockSize)
        throws IOException {
        this.walDir = walDir;
        this.fileStore = Files.getFileStore(walDir);
        this.minFreeBytes = minFreeBytes;
        this.maxDiskBytes = maxDiskBytes;
        this.blockSize = blockSize;
        final long byReserve = Math.max(64 * 1024, minFreeBytes / 8);
        this.checkBytes = maxDiskBytes > 0 ? Math.min(byReserve, blockSize / 2) : byReserve;
        measure();
    }

    /**
     * @param bytes about to be written.
     * @return null if an append of this size may be written, else why not.
     */
    synchronized String refuseAppend(final int bytes) {
        refreshIfDue(bytes);
        if (usableBytes < minFreeBytes) {
            return "disk almost full: " + usableBytes + " bytes usable, storage.chronicle.minFreeBytes is " + minFreeBytes;
        }
        if (maxDiskBytes > 0 && usedBytes + QUOTA_HEADROOM_BLOCKS * blockSize > maxDiskBytes) {
            return "log uses " + usedBytes + " bytes, storage.chronicle.maxDiskBytes is " + maxDiskBytes;
        }
        return null;
    }

    /** @return true if a small ACK record may be written now. */
    synchronized boolean allowAck() {
        refreshIfDue(64);
        return usableBytes >= minFreeBytes / 2
            && (maxDiskBytes == 0 || usedBytes + QUOTA_HEADROOM_BLOCKS * blockSize / 2 <= maxDiskBytes);
    }

    private void refreshIfDue(final int bytes) {
        writtenSinceCheck += bytes;
        final long now = System.nanoTime();
        if (writtenSinceCheck >= checkBytes || now - lastCheck >= CHECK_NANOS) {
            measure();
        }
    }

    /** Measures usable space and the log's size now. */
    synchronized void measure() {
        lastCheck = System.nanoTime();
        writtenSinceCheck = 0;
        try {
            usableBytes = fileStore.getUsableSpace();
        } catch (final IOException e) {
            usableBytes = 0; // cannot tell: treat as full
        }
        long used = 0;
        long count = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(walDir)) {
            for (final Path f : entries) {
                try {
                    used += Files.size(f);
                    count++;
                } catch (final IOException ignored) {
                    // deleted meanwhile
                }
            }
        } catch (final IOException e) {
            used = usedBytes;
            count = files;
        }
        usedBytes = used;
        files = count;
        if (usedGauge != null) {
            usedGauge.setOrdered(used);
            filesGauge.setOrdered(count);
            usableGauge.setOrdered(usableBytes);
        }
    }

    /**
     * From now on every measurement (on log-file rolls, every few writes, on retention ticks) also sets these
     * gauges; sets them now.
     *
     * @param used   bytes of the files in the log directory.
     * @param count  files in the log directory.
     * @param usable usable bytes on its file system.
     */
    synchronized void publishTo(final AtomicCounter used, final AtomicCounter count, final AtomicCounter usable) {
        this.usedGauge = used;
        this.filesGauge = count;
        this.usableGauge = usable;
        measure();
    }

    /** @return usable bytes on the file system at the last measurement. */
    long usableBytes() {
        return usableBytes;
    }

    /** @return bytes of the log's files (logical sizes) at the last measurement. */
    long usedBytes() {
        return usedBytes;
    }
}
