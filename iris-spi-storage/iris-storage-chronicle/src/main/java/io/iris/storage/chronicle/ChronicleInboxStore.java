package io.iris.storage.chronicle;

import io.iris.api.counters.IrisCounters;
import io.iris.api.storage.DedupWindow;
import io.iris.api.storage.InboxStore;
import io.iris.api.storage.InboxVisitor;
import io.iris.api.storage.StorageUnavailableException;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.RollingResourcesCache;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@link InboxStore} whose only durable structure is a write-ahead log on Chronicle Queue: the
 * embedded durable default ({@code storage=chronicle}).
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>{@link Durability#FSYNC} (default): when {@link #sync()} returns, every record appended before
 *       it was forced to the storage device with {@code FileChannel.force(false)} (fdatasync) on each log
 *       file written since the previous sync (plus the directory when a file is new, and the previous file
 *       when the log rolled: Chronicle's end-of-file marker in it is what lets a reader go on). A power
 *       loss after that loses nothing of it, as long as the device honours flushes; a record torn by a
 *       power loss before its sync is found by its checksum and dropped with the unsynced records after
 *       it ({@link WalRecords}). {@code PowerLossTest} checks this on a real file system.</li>
 *   <li>{@link Durability#ASYNC}: {@code sync()} returns at once; records are in the OS page cache, so
 *       they survive a crash or SIGKILL of the process but not of the machine (power loss, kernel
 *       panic): the kernel writes them back on its own schedule (typically within 30 s).</li>
 *   <li>Seqs start at 1 and are contiguous per user, forever: deleting old log files never resets them
 *       (see the checkpoint below).</li>
 *   <li>Dedup: the keys of at least the last {@code dedupWindow} appends of the store, across restarts
 *       (a log file is kept while it holds any of them, and start-up replays them).</li>
 *   <li>Retention: a record is trimmed once every known device of its user acknowledged it, and is no
 *       longer read once it was appended more than {@code ttl} ago (measured with the store's clock),
 *       acknowledged or not. A log file (one cycle) is deleted once it holds no live record (or its
 *       whole cycle is past the TTL) and none of the dedup window's appends.</li>
 *   <li>Disk: appends are refused with {@link StorageUnavailableException} (retryable, nothing stored)
 *       while the file system has less than {@code minFreeBytes} usable or the log would pass
 *       {@code maxDiskBytes}, or while the file system cannot give the blocks the next records will be
 *       written into ({@link LogSpace}); they resume by themselves when space returns.</li>
 *   <li>A failed fsync or a fault in the mapped memory stops the store for good ("fail-stop", as
 *       PostgreSQL does since fsyncgate): every later append, sync, read, {@code lastSeq} and
 *       {@code cursor} throws {@link StorageUnavailableException}, because after a failed fsync the
 *       kernel may have dropped the dirty pages, a later fsync could lie, and the store can no longer
 *       tell which appended records are durable: serving any of them could hand out a message that a
 *       power loss then takes back (and whose seq would be reused). Restart the process to recover
 *       from the log.</li>
 * </ul>
 *
 * <h2>Why it is built this way</h2>
 * One Chronicle Queue holds a log of typed records ({@link WalRecords}): APPEND (user, seq, sender,
 * clientMsgId, record bytes, checksum), ACK (user, device, cursor), SEEN and OPENED. Nothing else is
 * written per message, so an
 * append costs one memory-mapped write and a sync costs one fdatasync per file written, however many
 * records the batch holds. Everything else is memory rebuilt from the log at start-up: per user the
 * last seq, the device cursors and an index from each retained seq to its queue index
 * ({@link UserInbox}), so a backlog read is a {@code moveToIndex} (skipped for consecutive records) and
 * a zero-copy view of the mapped record. The in-memory state is bounded by retention: trimmed and
 * expired records leave the index.
 *
 * <p>Chronicle rolls to a new file per time cycle ({@code rollCycle}, default hourly), so retention
 * frees disk by deleting whole files: a file goes once every record in it is trimmed, or once its cycle
 * ended more than {@code ttl} ago; reads stop returning an expired record at once (the index keeps each
 * record's append time). The state a deleted file may hold last (a user's last seq, a device's
 * cursor) is first written to a {@link Checkpoint}; both only grow, so start-up takes the maximum of
 * the checkpoint and the log, which makes the order in which they were written irrelevant.
 *
 * <p>Threads: appends from several shard threads each use their own Chronicle appender, and every write
 * into Chronicle happens under the store's {@code writeLock} (taken before Chronicle's own, so a fault
 * inside Chronicle never leaves another thread spinning on Chronicle's lock); each user's state has its
 * own monitor, held while the user's
 * record is written, so a user's log order is its seq order. The dedup window and the cycle ledger
 * have their own short locks (always taken after a user's, never before). Syncs are serialised, so a
 * sync that returns has forced every write that completed before it began. Retention runs on one
 * daemon thread. Reads use one Chronicle tailer per thread.
 */
public final class ChronicleInboxStore implements InboxStore {
    static {
        // Chronicle reports usage to google-analytics.com unless told not to (the library is also excluded
        // from the build); set before any Chronicle class initialises, unless the application chose.
        if (System.getProperty("chronicle.analytics.disable") == null) {
            System.setProperty("chronicle.analytics.disable", "true");
        }
        // nor print its start-up banner (release-notes invitation, process id) on the embedding application's
        // console; its remaining INFO chatter is for the application's logging configuration to silence
        if (System.getProperty("chronicle.announcer.disable") == null) {
            System.setProperty("chronicle.announcer.disable", "true");
        }
    }

    /** Default number of recent dedup keys kept (and replayed at start-up). */
    public static final int DEFAULT_DEDUP_WINDOW = 262_144;
    /** Default time after which a record nobody acknowledged expires ({@code storage.retentionSeconds}). */
    public static final Duration DEFAULT_TTL = Duration.ofDays(30);
    /** Default reserve of usable disk space below which appends are refused. */
    public static final long DEFAULT_MIN_FREE_BYTES = 256L << 20;
    /** Default size of Chronicle's mapping blocks (and of a new log file's first allocation). */
    public static final long DEFAULT_BLOCK_SIZE = 64L << 20;
    /** Default period of the retention pass. */
    public static final Duration DEFAULT_RETENTION_INTERVAL = Duration.ofMinutes(1);

    private static final Logger LOG = LoggerFactory.getLogger(ChronicleInboxStore.class);
    private static final String CHECKPOINT = "checkpoint";
    private static final String DAMAGED = "damaged";
    private static final String SUFFIX = ".cq4";
    private static final int APPEND_OVERHEAD = 2 * 64 + 32;
    private static final int ACK_OVERHEAD = 2 * 64 + 32;

    private final Path dir;
    private final Path walDir;
    private final Path checkpointFile;
    private final Durability durability;
    private final long ttlMillis;
    private final int dedupWindow;
    private final TimeProvider time;
    private final RollCycle rollCycle;
    private final long epoch;
    private final SingleChronicleQueue queue;
    private final RollingResourcesCache files;
    private final ConcurrentHashMap<String, UserInbox> users = new ConcurrentHashMap<>();
    private final DedupWindow dedup;
    private final CycleLedger ledger = new CycleLedger();
    private final DiskGuard guard;
    private final Object syncLock = new Object();
    /**
     * Taken around every write into Chronicle (before Chronicle's own write lock, which a fault inside it
     * leaves held): after a fault, threads wait here and then see the failure, instead of spinning on
     * Chronicle's lock for ever. Guards {@link #space}.
     */
    private final Object writeLock = new Object();
    private final LogSpace space;
    private final Map<Integer, FileChannel> channels = new HashMap<>(); // guarded by syncLock
    private int forcedNewest = Integer.MIN_VALUE; // guarded by syncLock: the newest cycle a sync forced
    private final ThreadLocal<Reader> readers;
    private final ThreadLocal<UnsafeBuffer> writeViews = ThreadLocal.withInitial(UnsafeBuffer::new);
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final ScheduledExecutorService retention;
    private final RecoveryStats recovery;
    private volatile int expiredBefore = Integer.MIN_VALUE;
    private volatile StorageUnavailableException failure;
    private volatile boolean closed;
    private volatile long syncs;
    private volatile long deletedCycles;
    private long lastAckWarning;

    /** A thread's tailer and record view. */
    private static final class Reader {
        final ExcerptTailer tailer;
        final UnsafeBuffer view = new UnsafeBuffer(0, 0);

        Reader(final ExcerptTailer tailer) {
            this.tailer = tailer;
        }
    }

    /**
     * What start-up found and how long it took.
     *
     * @param records      log records replayed.
     * @param appends      APPEND records among them.
     * @param users        users known afterwards.
     * @param liveRecords  records retained (readable) afterwards.
     * @param cycles       log files.
     * @param millis       wall time of the whole recovery (checkpoint, replay, index, final force).
     * @param seqConflicts APPENDs whose seq was not above the user's previous one (should be 0).
     * @param setAside     log files moved to {@code damaged/} because they had no header (see {@link #setAsideHeaderless}).
     * @param dropped      records dropped at a torn tail of the log (a power loss before their sync; see
     *                     {@link WalRecords}).
     */
    public record RecoveryStats(long records, long appends, int users, long liveRecords, int cycles, long millis,
                                long seqConflicts, int setAside, long dropped) {
    }

    /**
     * Disk and retention figures.
     *
     * @param diskBytes     logical size of the log files (what they may occupy once filled).
     * @param usableBytes   usable space left on the file system.
     * @param cycles        log files retained.
     * @param liveRecords   records not yet trimmed or expired.
     * @param users         users known.
     * @param deletedCycles log files deleted by retention since start.
     * @param syncs         syncs that forced the log since start.
     */
    public record Stats(long diskBytes, long usableBytes, int cycles, long liveRecords, int users,
                        long deletedCycles, long syncs) {
    }

    private ChronicleInboxStore(final Builder b) {
        final long start = System.nanoTime();
        this.dir = b.dir.toAbsolutePath();
        this.walDir = dir.resolve("wal");
        this.checkpointFile = dir.resolve(CHECKPOINT);
        this.durability = b.durability;
        this.ttlMillis = b.ttl.toMillis();
        this.dedupWindow = b.dedupWindow;
        this.time = b.timeProvider;
        this.rollCycle = b.rollCycle;
        this.dedup = new DedupWindow(b.dedupWindow, Math.min(b.dedupWindow, 4096));
        FileChannel lc = null;
        SingleChronicleQueue q = null;
        try {
            Files.createDirectories(walDir);
            lc = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = lc.tryLock();
            } catch (final OverlappingFileLockException e) {
                l = null;
            }
            if (l == null) {
                throw new IllegalStateException("data directory " + dir + " is in use by another store or process");
            }
            this.lockChannel = lc;
            this.lock = l;
            final SingleChronicleQueueBuilder qb = SingleChronicleQueueBuilder.single(walDir.toFile())
                .rollCycle(rollCycle)
                .blockSize(b.blockSize)
                .timeProvider(time)
                .syncMode(SyncMode.NONE); // durability is ours: FileChannel.force in sync(), nothing on release
            final long block = qb.blockSize(); // Chronicle raises it to fit the roll cycle's index
            if (b.maxDiskBytes != 0 && b.maxDiskBytes < 8 * block) {
                throw new IllegalArgumentException("maxDiskBytes (" + b.maxDiskBytes + ") must be 0 or at least 8 x "
                    + "the block size, which is " + block + " for roll cycle " + rollCycle);
            }
            final int setAside = setAsideHeaderless(walDir, dir.resolve(DAMAGED));
            q = qb.build();
            this.queue = q;
            this.epoch = q.epoch();
            this.files = new RollingResourcesCache(rollCycle, epoch, name -> new File(walDir.toFile(), name + SUFFIX),
                f -> f.getName().substring(0, f.getName().length() - SUFFIX.length()));
            this.space = new LogSpace(this::fileOf, block);
            this.readers = ThreadLocal.withInitial(() -> new Reader(queue.createTailer()));
            this.guard = new DiskGuard(walDir, b.minFreeBytes, b.maxDiskBytes, block);
            this.recovery = recover(start, setAside);
        } catch (final IOException e) {
            closeQuietly(q, lc);
            throw new UncheckedIOException("cannot open the chronicle store in " + dir, e);
        } catch (final RuntimeException | Error e) {
            closeQuietly(q, lc);
            throw e;
        }
        if (b.retentionInterval.isZero()) {
            retention = null;
        } else {
            retention = Executors.newSingleThreadScheduledExecutor(r -> {
                final Thread t = new Thread(r, "iris-chronicle-retention");
                t.setDaemon(true);
                return t;
            });
            final long period = b.retentionInterval.toMillis();
            retention.scheduleWithFixedDelay(this::retentionTick, period, period, TimeUnit.MILLISECONDS);
        }
        LOG.info("chronicle store {} ({}): recovered {} records ({} appends, {} dropped at a torn tail) of {} users "
                + "in {} ms; {} live records in {} log files, {} MiB on disk, {} MiB usable; dedup window {}, ttl {}",
            dir, durability.configName(), recovery.records(), recovery.appends(), recovery.dropped(), recovery.users(),
            recovery.millis(),
            recovery.liveRecords(), recovery.cycles(), guard.usedBytes() >> 20, guard.usableBytes() >> 20,
            dedupWindow, Duration.ofMillis(ttlMillis));
        if (recovery.seqConflicts() > 0) {
            LOG.error("chronicle store {}: {} APPEND records repeat a seq of their inbox; the log was written by a "
                + "damaged or concurrent process", dir, recovery.seqConflicts());
        }
    }

    /**
     * @param dir the data directory (created if missing); the log goes to {@code dir/wal}.
     * @return a builder with every other setting at its default.
     */
    public static Builder builder(final Path dir) {
        return new Builder(dir);
    }

    // ---------------------------------------------------------------------------------------------
    // recovery

    /**
     * Moves every log file whose first header word is zero to {@code damaged}: such a file was created (and
     * perhaps sized) but its header never reached the disk — a power loss before the kernel wrote it back.
     * It holds no record this store ever made durable (a sync forces a file's header together with its
     * records), and Chronicle would wait {@code timeoutMS} for some writer to finish its header before
     * going on. Files are moved, never deleted: one that has non-zero bytes after a zero header is
     * reported as damaged.
     *
     * @return how many files were moved.
     */
    static int setAsideHeaderless(final Path walDir, final Path damaged) throws IOException {
        final List<Path> headerless = new ArrayList<>();
        try (DirectoryStream<Path> list = Files.newDirectoryStream(walDir, "*" + SUFFIX)) {
            for (final Path p : list) {
                if (firstLong(p) == 0) {
                    headerless.add(p);
                }
            }
        }
        if (headerless.isEmpty()) {
            return 0;
        }
        Files.createDirectories(damaged);
        for (final Path p : headerless) {
            final boolean allZero = allZero(p);
            final Path to = damaged.resolve(p.getFileName());
            Files.move(p, to, StandardCopyOption.REPLACE_EXISTING);
            if (allZero) {
                LOG.warn("chronicle store: log file {} holds only zeros (never written back before a crash); moved "
                    + "to {}", p, to);
            } else {
                LOG.error("chronicle store: log file {} has no header but holds data; it cannot be read and was moved "
                    + "to {} (keep it for diagnosis)", p, to);
            }
        }
        Checkpoint.forceDirectory(damaged);
        Checkpoint.forceDirectory(walDir);
        return headerless.size();
    }

    private static long firstLong(final Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            final ByteBuffer b = ByteBuffer.allocate(8);
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // read the first 8 bytes (a shorter file counts as zero)
            }
            return b.hasRemaining() ? 0 : b.getLong(0);
        }
    }

    private static boolean allZero(final Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            final ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
            while (ch.read(b.clear()) > 0) {
                b.flip();
                while (b.remaining() >= 8) {
                    if (b.getLong() != 0) {
                        return false;
                    }
                }
                while (b.hasRemaining()) {
                    if (b.get() != 0) {
                        return false;
                    }
                }
            }
            return true;
        }
    }

    private RecoveryStats recover(final long startNanos, final int setAside) throws IOException {
        for (final Checkpoint.UserState s : Checkpoint.read(checkpointFile)) {
            final UserInbox u = inbox(s.userId());
            u.lastSeq = Math.max(u.lastSeq, s.lastSeq());
            u.lastSeen = s.lastSeen();
            for (int i = 0; i < s.devices().length; i++) {
                u.advance(s.devices()[i], s.cursors()[i]);
            }
        }
        final long now = time.currentTimeMillis();
        expiredBefore = expiredBeforeAt(now);
        final HashMap<String, String> ids = new HashMap<>();
        final StringBuilder a = new StringBuilder(64);
        final StringBuilder c = new StringBuilder(64);
        final UnsafeBuffer scratch = new UnsafeBuffer(0, 0);
        long records = 0;
        long appends = 0;
        long conflicts = 0;
        long voided = 0;
        boolean torn = false; // after a torn APPEND every record is void, up to the next OPENED (see WalRecords)
        try (ExcerptTailer tailer = queue.createTailer()) {
            tailer.toStart();
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        if (moveToNextFile(tailer)) {
                            continue;
                        }
                        break;
                    }
                    records++;
                    final long q = dc.index();
                    final int cycle = rollCycle.toCycle(q);
                    final Bytes<?> in = dc.wire().bytes();
                    final long start = in.readPosition();
                    final byte type = in.readByte();
                    if (type == WalRecords.OPENED) {
                        torn = false;
                        ledger.onRecord(cycle);
                        continue;
                    }
                    if (torn) {
                        voided++;
                        ledger.onRecord(cycle);
                        continue;
                    }
                    if (type == 0) { // no record type is 0: the page holding this record's start never reached the disk
                        torn = tornAt(q);
                        voided++;
                        ledger.onRecord(cycle);
                        continue;
                    }
                    if (type == WalRecords.APPEND || type == WalRecords.APPEND_UNCHECKED) {
                        long seq = 0;
                        long clientMsgId = 0;
                        long appendedAt = 0;
                        boolean whole;
                        try {
                            seq = in.readLong();
                            clientMsgId = in.readLong();
                            appendedAt = in.readLong();
                            in.readUtf8(a);
                            in.readUtf8(c);
                            in.readSkip(in.readInt());
                            whole = type == WalRecords.APPEND_UNCHECKED || WalRecords.checkAppend(in, start, scratch);
                        } catch (final RuntimeException e) { // a torn length can point anywhere
                            whole = false;
                        }
                        if (!whole) {
                            torn = tornAt(q);
                            voided++;
                            ledger.onRecord(cycle);
                            continue;
                        }
                        appends++;
                        final String user = intern(ids, a);
                        final String sender = intern(ids, c);
                        final UserInbox u = inbox(user);
                        if (u.indexSize() > 0 && seq <= u.indexLast()) {
                            conflicts++;
                        }
                        final boolean live = seq > u.trimPoint() && seq > u.indexLast()
                            && !expired(appendedAt + 999, now);
                        if (live) {
                            u.index(seq, q, appendedAt);
                        }
                        u.lastSeq = Math.max(u.lastSeq, seq);
                        ledger.onAppend(cycle, live);
                        synchronized (dedup) {
                            if (dedup.get(user, sender, clientMsgId) == 0) { // a window resized since may repeat a key
                                dedup.put(user, sender, clientMsgId, seq);
                            }
                        }
                    } else if (type == WalRecords.ACK) {
                        final long upTo = in.readLong();
                        in.readUtf8(a);
                        in.readUtf8(c);
                        if (a.length() == 0 || c.length() == 0) { // zeros from a page that never reached the disk
                            torn = tornAt(q);
                            voided++;
                            ledger.onRecord(cycle);
                            continue;
                        }
                        final UserInbox u = inbox(intern(ids, a));
                        u.advance(c.toString(), upTo);
                        trim(u);
                        ledger.onRecord(cycle);
                    } else if (type == WalRecords.SEEN) {
                        final long seen = in.readLong();
                        in.readUtf8(a);
                        if (a.length() == 0) { // zeros from a page that never reached the disk
                            torn = tornAt(q);
                            voided++;
                            ledger.onRecord(cycle);
                            continue;
                        }
                        inbox(intern(ids, a)).lastSeen = seen;
                        ledger.onRecord(cycle);
                    } else {
                        throw new IllegalStateException("log record " + Long.toHexString(q) + " in " + walDir
                            + " has unknown type " + type + ": written by a newer version?");
                    }
                }
            }
        }
        long live = 0;
        for (final UserInbox u : users.values()) {
            trim(u);
            live += u.indexSize();
        }
        synchronized (syncLock) {
            // the first write of this process in a newer file makes Chronicle mark the end of the newest file
            // replayed (the previous process died without doing so): the sync after it must force that file too
            forcedNewest = Math.max(forcedNewest, ledger.newestCycle());
        }
        if (torn) {
            writeOpened(); // the records of this process are valid again for the next recovery
            LOG.warn("chronicle store {}: dropped {} log records at the torn tail of the log", dir, voided);
        }
        forceDirty(); // whatever was replayed (and the OPENED record) is durable before anything is served from it
        // Chronicle's table store, and the directory entries of a new data directory, are never forced later
        final Path metadata = walDir.resolve("metadata.cq4t");
        if (Files.exists(metadata)) {
            try (FileChannel ch = FileChannel.open(metadata, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
        }
        Checkpoint.forceDirectory(walDir);
        Checkpoint.forceDirectory(dir);
        final int cycles = ledger.cycles().length;
        return new RecoveryStats(records, appends, users.size(), live, cycles,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), conflicts, setAside, voided);
    }

    private void writeOpened() {
        synchronized (writeLock) {
            final ExcerptAppender appender = queue.acquireAppender();
            final long end;
            try (DocumentContext dc = appender.writingDocument()) {
                WalRecords.writeOpened(dc.wire().bytes(), time.currentTimeMillis());
                end = dc.wire().bytes().writePosition();
            }
            final int cycle = rollCycle.toCycle(appender.lastIndexAppended());
            space.wrote(cycle, end);
            ledger.onRecord(cycle);
        }
    }

    /**
     * Logs a torn record found by recovery: a power loss took part of it before its sync (a checksum that does
     * not match, or zeros where a type or an id must be).
     *
     * @return true: recovery voids it and every record after it up to the next OPENED.
     */
    private boolean tornAt(final long index) {
        LOG.warn("chronicle store {}: log record {} is torn (a power loss took part of it before its sync); it and "
            + "the records after it were never acknowledged and are dropped", dir, Long.toHexString(index));
        return true;
    }

    /**
     * At the end of a log file that has no end-of-file marker, moves the tailer to the next file, if there
     * is one. A reader goes on to the next file only past that marker, which Chronicle writes into a file
     * when the log rolls; a power loss can take it away (a sync now forces it, but a directory written
     * before may lack it), and a reader that stops there would lose every later record and hand their
     * seqs out again.
     *
     * @return true if the tailer moved to a later file.
     */
    private boolean moveToNextFile(final ExcerptTailer tailer) {
        final int current = tailer.cycle();
        if (current == Integer.MIN_VALUE) {
            return false; // no log file at all
        }
        final int next;
        try {
            next = queue.nextCycle(current, TailerDirection.FORWARD);
        } catch (final java.text.ParseException e) {
            throw new IllegalStateException("cannot list the log files of " + walDir + ": " + e.getMessage(), e);
        }
        if (next <= current || !tailer.moveToCycle(next)) {
            return false;
        }
        LOG.warn("chronicle store {}: log file {} has no end-of-file marker (a crash before it reached the disk); "
            + "reading on in {}", dir, fileOf(current).getFileName(), fileOf(next).getFileName());
        return true;
    }

    private static String intern(final HashMap<String, String> ids, final StringBuilder text) {
        final String s = text.toString();
        final String known = ids.putIfAbsent(s, s);
        return known == null ? s : known;
    }

    // ---------------------------------------------------------------------------------------------
    // InboxStore

    @Override
    public long append(final String userId, final String senderId, final long clientMsgId, final DirectBuffer record,
                       final int offset, final int length) {
        checkWritable();
        if (length < 1) {
            throw new IllegalArgumentException("record length must be at least 1: " + length);
        }
        if (rollCycle.current(time, epoch) != space.cycle()) {
            guard.measure(); // this write starts a new file, whose first pages only the free-space reserve protects
        }
        final String refusal = guard.refuseAppend(length + APPEND_OVERHEAD);
        if (refusal != null) {
            throw new StorageUnavailableException(refusal, null);
        }
        final UserInbox u = inbox(userId);
        synchronized (u) { // one user's appends are serialized: dedup check-then-put and log order are atomic
            final long original;
            synchronized (dedup) {
                original = dedup.get(userId, senderId, clientMsgId);
            }
            if (original > 0) {
                return -original;
            }
            final long seq = u.lastSeq + 1;
            final long now = time.currentTimeMillis();
            final long q;
            synchronized (writeLock) {
                try {
                    checkWritable(); // after a fault nobody enters Chronicle's write path again (its lock may be held)
                    final String noSpace = space.reserve(length + APPEND_OVERHEAD);
                    if (noSpace != null) {
                        throw new StorageUnavailableException(noSpace, null);
                    }
                    final ExcerptAppender appender = queue.acquireAppender();
                    final long end;
                    try (DocumentContext dc = appender.writingDocument()) {
                        try {
                            WalRecords.writeAppend(dc.wire().bytes(), seq, clientMsgId, now, userId, senderId, record,
                                offset, length, writeViews.get());
                            end = dc.wire().bytes().writePosition();
                        } catch (final Throwable t) {
                            dc.rollbackOnClose();
                            throw t;
                        }
                    }
                    q = appender.lastIndexAppended();
                    space.wrote(rollCycle.toCycle(q), end);
                } catch (final InternalError e) {
                    throw fail("fault in the log's mapped memory (disk full or I/O error?)", e);
                } catch (final StorageUnavailableException e) {
                    throw e;
                } catch (final RuntimeException e) {
                    checkWritable();
                    throw new StorageUnavailableException("append to the log failed: " + e, e);
                }
            }
            ledger.onAppend(rollCycle.toCycle(q), true);
            u.lastSeq = seq;
            u.index(seq, q, now);
            synchronized (dedup) {
                dedup.put(userId, senderId, clientMsgId, seq);
            }
            return seq;
        }
    }

    @Override
    public void sync() {
        checkWritable();
        if (durability == Durability.ASYNC) {
            return;
        }
        forceDirty();
    }

    private void forceDirty() {
        synchronized (syncLock) {
            checkWritable();
            final int[] dirty = ledger.takeDirty();
            if (dirty.length == 0) {
                return;
            }
            int newestDirty = Integer.MIN_VALUE;
            try {
                for (final int cycle : dirty) {
                    force(cycle);
                    newestDirty = Math.max(newestDirty, cycle);
                }
                if (newestDirty > forcedNewest && forcedNewest != Integer.MIN_VALUE && !contains(dirty, forcedNewest)) {
                    // the log rolled: Chronicle wrote an end-of-file marker into the previous file, and recovery
                    // reads no further than a file without one, so that write must reach the disk as well
                    force(forcedNewest);
                }
            } catch (final IOException | RuntimeException e) {
                ledger.restoreDirty(dirty);
                throw fail("fsync of the log failed", e);
            }
            forcedNewest = Math.max(forcedNewest, newestDirty);
            syncs++;
            final int newest = ledger.newestCycle();
            channels.entrySet().removeIf(e -> {
                if (e.getKey() < newest - 1) {
                    closeQuietly(e.getValue());
                    return true;
                }
                return false;
            });
        }
    }

    private void force(final int cycle) throws IOException {
        final FileChannel ch = channel(cycle);
        if (ch != null) {
            ch.force(false);
        }
    }

    private static boolean contains(final int[] values, final int value) {
        for (final int v : values) {
            if (v == value) {
                return true;
            }
        }
        return false;
    }

    /** @return the open channel of a cycle's file (forcing the directory the first time), null if gone. */
    private FileChannel channel(final int cycle) throws IOException {
        FileChannel ch = channels.get(cycle);
        if (ch == null) {
            final Path file = fileOf(cycle);
            if (!Files.exists(file)) {
                return null;
            }
            ch = FileChannel.open(file, StandardOpenOption.WRITE);
            channels.put(cycle, ch);
            Checkpoint.forceDirectory(walDir); // the new file's directory entry must survive too
        }
        return ch;
    }

    @Override
    public int read(final String userId, final long afterSeq, final int maxRecords, final InboxVisitor visitor) {
        checkWritable();
        final UserInbox u = users.get(userId);
        if (u == null || maxRecords <= 0) {
            return 0;
        }
        synchronized (u) {
            dropExpired(u, time.currentTimeMillis());
            final long last = u.indexLast();
            long seq = Math.max(afterSeq + 1, u.indexFirst);
            if (seq > last) {
                return 0;
            }
            final Reader reader = readers.get();
            final ExcerptTailer tailer = reader.tailer;
            int n = 0;
            try {
                for (; seq <= last && n < maxRecords; seq++) {
                    final long q = u.queueIndexOf(seq);
                    if (q == UserInbox.HOLE) {
                        continue;
                    }
                    if (tailer.index() != q && !tailer.moveToIndex(q)) {
                        throw new StorageUnavailableException("record " + seq + " of " + userId + " at log index "
                            + Long.toHexString(q) + " is missing from " + walDir, null);
                    }
                    try (DocumentContext dc = tailer.readingDocument()) {
                        final Bytes<?> in = dc.wire().bytes();
                        final byte type = dc.isPresent() ? in.readByte() : 0;
                        if ((type != WalRecords.APPEND && type != WalRecords.APPEND_UNCHECKED) || in.readLong() != seq) {
                            throw new StorageUnavailableException("log index " + Long.toHexString(q) + " in " + walDir
                                + " does not hold record " + seq + " of " + userId, null);
                        }
                        final int length = WalRecords.skipToRecord(in);
                        reader.view.wrap(in.addressForRead(in.readPosition(), length), length);
                        visitor.onRecord(seq, reader.view, 0, length);
                    }
                    n++;
                }
            } catch (final InternalError e) {
                throw fail("fault in the log's mapped memory while reading", e);
            }
            return n;
        }
    }

    @Override
    public long lastSeq(final String userId) {
        checkWritable();
        final UserInbox u = users.get(userId);
        if (u == null) {
            return 0;
        }
        synchronized (u) {
            return u.lastSeq;
        }
    }

    /** {@inheritDoc} Expired records are dropped from the user's index first, as {@link #read} does. */
    @Override
    public long oldestSeq(final String userId) {
        checkWritable();
        final UserInbox u = users.get(userId);
        if (u == null) {
            return 1;
        }
        synchronized (u) {
            dropExpired(u, time.currentTimeMillis());
            return u.oldestSeq();
        }
    }

    @Override
    public long cursor(final String userId, final String deviceId) {
        checkWritable();
        final UserInbox u = users.get(userId);
        if (u == null) {
            return 0;
        }
        synchronized (u) {
            return Math.max(0, u.cursor(deviceId));
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>The new cursor is logged (made durable by the next sync) unless the disk is full or the store
     * failed: then it holds in memory only, and a restart may deliver those records again (clients
     * drop them by seq).
     */
    @Override
    public void ack(final String userId, final String deviceId, final long upToSeq) {
        checkOpen();
        final UserInbox u = inbox(userId);
        synchronized (u) {
            final long upTo = Math.max(0, Math.min(upToSeq, u.lastSeq));
            if (!u.advance(deviceId, upTo)) {
                return;
            }
            logSmall(WalRecords.ACK, u.cursor(deviceId), u.userId, deviceId);
            trim(u);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Logged as a SEEN record (durable with the next sync) and kept in the checkpoint, so it outlives the
     * log cycle it was written in. With the disk almost full or the store failed it holds in memory only.
     */
    @Override
    public void recordLastSeen(final String userId, final long epochMillis) {
        checkOpen();
        final UserInbox u = inbox(userId);
        synchronized (u) {
            u.lastSeen = epochMillis;
            logSmall(WalRecords.SEEN, epochMillis, userId, null);
        }
    }

    @Override
    public long lastSeen(final String userId) {
        checkWritable();
        final UserInbox u = users.get(userId);
        if (u == null) {
            return 0;
        }
        synchronized (u) {
            return u.lastSeen;
        }
    }

    /**
     * Logs a small record that may be lost without harm to the contract (its state is kept in memory and
     * in the checkpoint): an ACK ({@code value} = cursor) or a SEEN ({@code value} = time, no device).
     * Skipped, with a rate-limited warning, on an almost full disk or a failed store.
     */
    private void logSmall(final byte type, final long value, final String userId, final String deviceId) {
        if (failure != null || !guard.allowAck()) {
            warnAckNotLogged("disk almost full or store failed");
            return;
        }
        synchronized (writeLock) {
            try {
                final String noSpace = failure != null ? "store failed" : space.reserve(ACK_OVERHEAD);
                if (noSpace != null) {
                    warnAckNotLogged(noSpace);
                    return;
                }
                final ExcerptAppender appender = queue.acquireAppender();
                final long end;
                try (DocumentContext dc = appender.writingDocument()) {
                    try {
                        if (type == WalRecords.ACK) {
                            WalRecords.writeAck(dc.wire().bytes(), value, userId, deviceId);
                        } else {
                            WalRecords.writeSeen(dc.wire().bytes(), value, userId);
                        }
                        end = dc.wire().bytes().writePosition();
                    } catch (final Throwable t) {
                        dc.rollbackOnClose();
                        throw t;
                    }
                }
                final int cycle = rollCycle.toCycle(appender.lastIndexAppended());
                space.wrote(cycle, end);
                ledger.onRecord(cycle);
            } catch (final InternalError e) {
                fail("fault in the log's mapped memory (disk full or I/O error?)", e);
            } catch (final RuntimeException e) {
                warnAckNotLogged(e.toString());
            }
        }
    }

    private void warnAckNotLogged(final String why) {
        final long now = System.currentTimeMillis();
        if (now - lastAckWarning > 10_000) {
            lastAckWarning = now;
            LOG.warn("chronicle store {}: cursor or last-seen time kept in memory only ({})", dir, why);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (retention != null) {
            retention.shutdownNow();
            try {
                retention.awaitTermination(10, TimeUnit.SECONDS);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (syncLock) {
            if (failure == null) {
                try {
                    forceDirty();
                } catch (final StorageUnavailableException e) {
                    LOG.error("chronicle store {}: final sync failed", dir, e);
                }
            }
            closed = true;
            channels.values().forEach(ChronicleInboxStore::closeQuietly);
            channels.clear();
        }
        synchronized (writeLock) {
            space.close();
        }
        closeQuietly(queue, null);
        try {
            lock.release();
        } catch (final IOException ignored) {
            // closing anyway
        }
        closeQuietly(lockChannel);
    }

    // ---------------------------------------------------------------------------------------------
    // retention

    private void retentionTick() {
        try {
            runRetention();
        } catch (final RuntimeException e) {
            LOG.warn("chronicle store {}: retention pass failed: {}", dir, e.toString());
        }
    }

    /**
     * One retention pass (the store runs it every {@code retentionInterval}): expires records past the
     * TTL, then deletes every log file that holds no live record and none of the dedup window's appends,
     * after writing the {@link Checkpoint}.
     *
     * @return how many log files were deleted.
     * @throws StorageUnavailableException if the checkpoint could not be written (nothing is deleted then).
     */
    public synchronized int runRetention() {
        checkOpen();
        final long now = time.currentTimeMillis();
        final int eb = expiredBeforeAt(now);
        if (eb > expiredBefore) {
            expiredBefore = eb;
        }
        for (final UserInbox u : users.values()) {
            synchronized (u) {
                dropExpired(u, now);
            }
        }
        final List<Integer> doomed = new ArrayList<>();
        for (final int c : ledger.deletable(expiredBefore, dedupWindow)) {
            doomed.add(c);
        }
        doomed.addAll(orphanCycles());
        if (doomed.isEmpty()) {
            guard.measure();
            return 0;
        }
        final List<Checkpoint.UserState> snapshot = new ArrayList<>(users.size());
        for (final UserInbox u : users.values()) {
            synchronized (u) {
                snapshot.add(new Checkpoint.UserState(u.userId, u.lastSeq, u.lastSeen, u.devices(), u.cursors()));
            }
        }
        forceDirty(); // the log now holds at least what the snapshot says: a checkpoint never runs ahead of it
        try {
            Checkpoint.write(checkpointFile, snapshot);
        } catch (final IOException e) {
            throw new StorageUnavailableException("cannot write checkpoint " + checkpointFile + ": " + e, e);
        }
        int deleted = 0;
        synchronized (syncLock) {
            for (final int c : doomed) {
                final FileChannel ch = channels.remove(c);
                if (ch != null) {
                    closeQuietly(ch);
                }
                try {
                    if (Files.deleteIfExists(fileOf(c))) {
                        deleted++;
                    }
                } catch (final IOException e) {
                    LOG.warn("chronicle store {}: cannot delete {}: {}", dir, fileOf(c), e.toString());
                }
                ledger.remove(c);
            }
        }
        try {
            Checkpoint.forceDirectory(walDir);
        } catch (final IOException e) {
            LOG.warn("chronicle store {}: cannot force {}: {}", dir, walDir, e.toString());
        }
        queue.refreshDirectoryListing();
        guard.measure();
        deletedCycles += deleted;
        LOG.info("chronicle store {}: retention deleted {} log files; {} remain, {} MiB on disk, {} live records",
            dir, deleted, ledger.cycles().length, guard.usedBytes() >> 20, ledger.liveRecords());
        return deleted;
    }

    /** @return cycles with a file in the log directory but no record the store knows of, older than the newest. */
    private List<Integer> orphanCycles() {
        final List<Integer> out = new ArrayList<>();
        final int newest = ledger.newestCycle();
        try (DirectoryStream<Path> list = Files.newDirectoryStream(walDir, "*" + SUFFIX)) {
            for (final Path p : list) {
                final String name = p.getFileName().toString();
                final int cycle;
                try {
                    cycle = files.parseCount(name.substring(0, name.length() - SUFFIX.length()));
                } catch (final RuntimeException e) {
                    continue; // not a file of this roll cycle
                }
                if (cycle < newest && !ledger.contains(cycle)) {
                    out.add(cycle);
                }
            }
        } catch (final IOException e) {
            LOG.warn("chronicle store {}: cannot list {}: {}", dir, walDir, e.toString());
        }
        return out;
    }

    /** @return the first cycle whose end is less than the TTL ago: every cycle below it is expired. */
    private int expiredBeforeAt(final long nowMillis) {
        if (ttlMillis == 0) {
            return Integer.MIN_VALUE;
        }
        return (int) Math.floorDiv(nowMillis - ttlMillis - epoch, (long) rollCycle.lengthInMillis());
    }

    /** @return true if a record appended at (or before) {@code appendedAt} is older than the TTL. */
    private boolean expired(final long appendedAt, final long now) {
        return ttlMillis > 0 && appendedAt < now - ttlMillis;
    }

    /** Drops the expired entries (and holes) at the front of a user's index. */
    private void dropExpired(final UserInbox u, final long now) {
        while (u.indexSize() > 0) {
            final long q = u.firstQueueIndex();
            // times are kept rounded down to the second: the record may be up to 999 ms younger
            if (q != UserInbox.HOLE && !expired(u.firstAppendedAt() + 999, now)) {
                return;
            }
            u.dropFirst();
            if (q != UserInbox.HOLE) {
                ledger.onDead(rollCycle.toCycle(q), 1);
            }
        }
        u.shrink();
    }

    /** Drops the index entries every known device acknowledged. */
    private void trim(final UserInbox u) {
        final long point = u.trimPoint();
        int runCycle = Integer.MIN_VALUE;
        long run = 0;
        while (u.indexSize() > 0 && u.indexFirst <= point) {
            final long q = u.dropFirst();
            if (q == UserInbox.HOLE) {
                continue;
            }
            final int cycle = rollCycle.toCycle(q);
            if (cycle != runCycle) {
                if (run > 0) {
                    ledger.onDead(runCycle, run);
                }
                runCycle = cycle;
                run = 0;
            }
            run++;
        }
        if (run > 0) {
            ledger.onDead(runCycle, run);
        }
        u.shrink();
    }

    // ---------------------------------------------------------------------------------------------
    // reporting

    /**
     * Registers {@code iris_storage_chronicle_wal_bytes}, {@code _wal_files} and {@code _usable_bytes}: gauges
     * set whenever the store measures its disk anyway (a new log file, every few writes, retention ticks).
     */
    @Override
    public void registerCounters(final IrisCounters counters) {
        guard.publishTo(
            counters.gauge("iris_storage_chronicle_wal_bytes", "Bytes of the files in the chronicle log directory."),
            counters.gauge("iris_storage_chronicle_wal_files", "Files in the chronicle log directory."),
            counters.gauge("iris_storage_chronicle_usable_bytes", "Usable bytes on the log directory's file system."));
    }

    /** @return what start-up recovered and how long it took. */
    public RecoveryStats recoveryStats() {
        return recovery;
    }

    /** @return disk usage and retention figures now (measures the disk). */
    public Stats stats() {
        guard.measure();
        return new Stats(guard.usedBytes(), guard.usableBytes(), ledger.cycles().length, ledger.liveRecords(), users.size(),
            deletedCycles, syncs);
    }

    /** @return the durability mode. */
    public Durability durability() {
        return durability;
    }

    /** @return the data directory. */
    public Path directory() {
        return dir;
    }

    @Override
    public String toString() {
        return "ChronicleInboxStore[" + dir + ", " + durability.configName() + "]";
    }

    // ---------------------------------------------------------------------------------------------
    // helpers

    private UserInbox inbox(final String userId) {
        UserInbox u = users.get(userId);
        if (u == null) {
            u = users.computeIfAbsent(userId, UserInbox::new);
        }
        return u;
    }

    private Path fileOf(final int cycle) {
        return files.resourceFor(cycle).path.toPath();
    }

    private StorageUnavailableException fail(final String what, final Throwable cause) {
        synchronized (syncLock) {
            if (failure == null) {
                failure = new StorageUnavailableException("chronicle store " + dir + " stopped: " + what
                    + "; restart the process to recover from the log", cause);
                LOG.error("chronicle store {}: {}; refusing every write until restart", dir, what, cause);
            }
            return failure;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("store is closed");
        }
    }

    /** Throws if closed, or if the store stopped after a failure (see the class comment). */
    private void checkWritable() {
        checkOpen();
        final StorageUnavailableException f = failure;
        if (f != null) {
            throw new StorageUnavailableException(f.getMessage(), f);
        }
    }

    private static void closeQuietly(final AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (final Exception ignored) {
                // closing anyway
            }
        }
    }

    private static void closeQuietly(final AutoCloseable a, final AutoCloseable b) {
        closeQuietly(a);
        closeQuietly(b);
    }

    /**
     * Configures and opens a {@link ChronicleInboxStore}. Setters validate at once; {@link #open()}
     * replays the log. Not thread-safe.
     */
    public static final class Builder {
        private final Path dir;
        private Durability durability = Durability.FSYNC;
        private RollCycle rollCycle = RollCycles.FAST_HOURLY;
        private Duration ttl = DEFAULT_TTL;
        private int dedupWindow = DEFAULT_DEDUP_WINDOW;
        private long maxDiskBytes;
        private long minFreeBytes = DEFAULT_MIN_FREE_BYTES;
        private long blockSize = DEFAULT_BLOCK_SIZE;
        private Duration retentionInterval = DEFAULT_RETENTION_INTERVAL;
        private TimeProvider timeProvider = SystemTimeProvider.INSTANCE;

        private Builder(final Path dir) {
            this.dir = Objects.requireNonNull(dir, "dir");
        }

        /**
         * @param durability {@link Durability#FSYNC} (default) or {@link Durability#ASYNC}.
         * @return this.
         */
        public Builder durability(final Durability durability) {
            this.durability = Objects.requireNonNull(durability, "durability");
            return this;
        }

        /**
         * @param rollCycle how much time one log file covers (default {@link RollCycles#FAST_HOURLY}); also
         *                  the granularity of retention and TTL. Must stay the same across restarts.
         * @return this.
         */
        public Builder rollCycle(final RollCycle rollCycle) {
            this.rollCycle = Objects.requireNonNull(rollCycle, "rollCycle");
            return this;
        }

        /**
         * @param ttl how long a record nobody acknowledged is kept (default 30 days); zero keeps records
         *            until acknowledged, however old.
         * @return this.
         */
        public Builder ttl(final Duration ttl) {
            Objects.requireNonNull(ttl, "ttl");
            require(!ttl.isNegative(), "ttl must not be negative: " + ttl);
            this.ttl = ttl;
            return this;
        }

        /**
         * @param dedupWindow recent appends whose dedup keys are kept (default 262,144), at least 1.
         * @return this.
         */
        public Builder dedupWindow(final int dedupWindow) {
            require(dedupWindow >= 1, "dedup window must be at least 1: " + dedupWindow);
            this.dedupWindow = dedupWindow;
            return this;
        }

        /**
         * @param maxDiskBytes quota on the log files' size, 0 (default) for none; else at least 8 blocks
         *                     (the block size Chronicle uses: at least 128 KiB for FAST_HOURLY, 1 MiB for
         *                     TEST_SECONDLY). Appends stop 3 blocks short of it.
         * @return this.
         */
        public Builder maxDiskBytes(final long maxDiskBytes) {
            require(maxDiskBytes >= 0, "maxDiskBytes must not be negative: " + maxDiskBytes);
            this.maxDiskBytes = maxDiskBytes;
            return this;
        }

        /**
         * @param minFreeBytes usable space the file system must keep, else appends are refused (default 256 MiB).
         * @return this.
         */
        public Builder minFreeBytes(final long minFreeBytes) {
            require(minFreeBytes >= 0, "minFreeBytes must not be negative: " + minFreeBytes);
            this.minFreeBytes = minFreeBytes;
            return this;
        }

        /**
         * @param blockSize Chronicle's mapping block size (default 64 MiB), 64 KiB to 1 GiB; a record may
         *                  be at most a quarter of it.
         * @return this.
         */
        public Builder blockSize(final long blockSize) {
            require(blockSize >= 64 * 1024 && blockSize <= 1L << 30, "blockSize must be in [64 KiB, 1 GiB]: " + blockSize);
            this.blockSize = blockSize;
            return this;
        }

        /**
         * @param retentionInterval period of the retention pass (default 1 minute); zero disables the
         *                          background pass ({@link #runRetention()} still works).
         * @return this.
         */
        public Builder retentionInterval(final Duration retentionInterval) {
            Objects.requireNonNull(retentionInterval, "retentionInterval");
            require(!retentionInterval.isNegative(), "retentionInterval must not be negative: " + retentionInterval);
            this.retentionInterval = retentionInterval;
            return this;
        }

        /**
         * @param timeProvider the clock for log cycles and TTL (tests use a settable one).
         * @return this.
         */
        public Builder timeProvider(final TimeProvider timeProvider) {
            this.timeProvider = Objects.requireNonNull(timeProvider, "timeProvider");
            return this;
        }

        /**
         * Opens the store: takes the directory's lock, reads the checkpoint, replays the log.
         *
         * @return the store.
         * @throws IllegalStateException if the directory is in use, or the checkpoint or log is damaged.
         * @throws UncheckedIOException  if the directory cannot be opened.
         */
        public ChronicleInboxStore open() {
            return new ChronicleInboxStore(this);
        }

        private static void require(final boolean ok, final String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
