package io.iris.storage.chronicle;

import net.openhft.posix.PosixAPI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.function.IntFunction;

/**
 * Keeps real disk blocks allocated ahead of the log's write position, so that a write through
 * Chronicle's memory mapping never needs the file system to find a block.
 *
 * <h2>Why</h2>
 * Chronicle grows its files sparse and writes through a shared mapping. When the file system is full,
 * the page fault of a write into a hole raises SIGBUS, which the JVM reports asynchronously as an
 * {@link InternalError} from inside Chronicle — after Chronicle took its write lock, which it then never
 * releases: the store has to stop, and with Chronicle's lock alone another thread would spin on it for
 * ever. {@link DiskGuard} refuses appends below a free-space reserve, but another process can eat that
 * reserve between two of its measurements. So the store also asks for the blocks it is about to write
 * into, with {@code fallocate(FALLOC_FL_KEEP_SIZE)}, a chunk at a time (a quarter of Chronicle's block,
 * 1 to 16 MiB) and at least
 * {@link #SLACK} ahead of the last record's end: when that call fails the append is refused cleanly
 * (retryable, nothing written), and it is tried again on the next append, so appends resume by
 * themselves once space returns. Blocks already allocated are never touched, so the call is safe while
 * other threads read the mapping.
 *
 * <p>What this does not cover: the first few pages a new log file gets at a roll (its header and first
 * index, written by Chronicle before the store knows the file), which stay under {@link DiskGuard}'s
 * reserve alone; and a file system without {@code fallocate} (then {@link #reserve} reports nothing and
 * the guard's reserve is the only protection). See docs/durability.md, "Disk full".
 *
 * <p>Not thread-safe: the store calls it under its write lock.
 */
final class LogSpace implements AutoCloseable {
    /** How far ahead of the last record's end the allocation must reach before the next write (index arrays included). */
    static final long SLACK = 512L << 10;

    private static final int FALLOC_FL_KEEP_SIZE = 1;
    private static final int O_RDWR = 2;
    private static final int ENOSPC = 28;
    private static final int EOPNOTSUPP = 95;

    private static final Logger LOG = LoggerFactory.getLogger(LogSpace.class);

    private final IntFunction<Path> fileOf;
    private final long chunk;
    private final PosixAPI posix;
    private boolean supported;
    private volatile int cycle = Integer.MIN_VALUE; // read without the lock by cycle()
    private int fd = -1;
    private long end;
    private long allocatedEnd;
    private String lastRefusal;

    /**
     * @param fileOf    the log file of a cycle.
     * @param blockSize Chronicle's block size.
     */
    LogSpace(final IntFunction<Path> fileOf, final long blockSize) {
        this.fileOf = fileOf;
        this.chunk = Math.max(1L << 20, Math.min(16L << 20, blockSize / 4));
        PosixAPI p;
        try {
            p = PosixAPI.posix();
        } catch (final RuntimeException | LinkageError e) {
            p = null;
        }
        this.posix = p;
        this.supported = p != null;
    }

    /**
     * @param bytes about to be written after the last record (the record and its header).
     * @return null if the blocks they land in are allocated (or cannot be known: no record written yet in
     *         this process, or no {@code fallocate}), else why the append must be refused.
     */
    String reserve(final int bytes) {
        if (fd < 0) {
            return null;
        }
        if (allocatedEnd - end >= bytes + SLACK) {
            return null;
        }
        extend(bytes);
        return allocatedEnd - end >= bytes + SLACK ? null : lastRefusal;
    }

    /**
     * Records where the last write ended, and allocates ahead of it when due.
     *
     * @param writtenCycle the cycle (log file) written.
     * @param writtenEnd   the file offset just after the record.
     */
    void wrote(final int writtenCycle, final long writtenEnd) {
        if (writtenCycle != cycle) {
            cycle = writtenCycle;
            closeFile();
            if (supported) {
                open(writtenCycle);
            }
            allocatedEnd = writtenEnd; // what lies before the record is written, so allocated
        }
        end = writtenEnd;
        if (fd >= 0 && allocatedEnd - end < SLACK + chunk / 2) {
            extend(0); // failure is remembered; the next reserve() refuses if the slack runs out
        }
    }

    private void open(final int newCycle) {
        final int f = posix.open(fileOf.apply(newCycle).toString(), O_RDWR, 0);
        if (f < 0) { // left to the free-space reserve alone
            LOG.warn("cannot open {} to reserve disk space ahead of the log: {}", fileOf.apply(newCycle),
                posix.strerror(posix.lastError()));
            return;
        }
        fd = f;
    }

    private void extend(final int bytes) {
        final long length = Math.max(chunk, bytes + SLACK);
        if (posix.fallocate(fd, FALLOC_FL_KEEP_SIZE, allocatedEnd, length) == 0) {
            allocatedEnd += length;
            lastRefusal = null;
            return;
        }
        final int errno = posix.lastError();
        if (errno == EOPNOTSUPP) {
            supported = false; // this file system cannot: the free-space reserve is all there is
            closeFile();
            LOG.warn("the log's file system does not support fallocate: only storage.chronicle.minFreeBytes keeps "
                + "writes off a full disk");
            return;
        }
        lastRefusal = (errno == ENOSPC ? "disk full" : "cannot reserve disk space")
            + ": fallocate of " + length + " bytes for the log failed: " + posix.strerror(errno);
    }

    /** @return the cycle of the file written last in this process; may be read without the store's lock. */
    int cycle() {
        return cycle;
    }

    private void closeFile() {
        if (fd >= 0) {
            posix.close(fd);
            fd = -1;
        }
    }

    @Override
    public void close() {
        closeFile();
        cycle = Integer.MIN_VALUE;
    }
}
