package io.iris.storage.chronicle;

import io.iris.api.IrisConfig;
import io.iris.api.storage.InboxStore;
import io.iris.api.storage.StorageProvider;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Provides {@link ChronicleInboxStore} under the name {@code chronicle}. Keys (defaults in brackets):
 * <ul>
 *   <li>{@code storage.chronicle.dir} [data/chronicle]: data directory (log in {@code wal/}, checkpoint).</li>
 *   <li>{@code storage.chronicle.durability} [fsync]: {@code fsync} or {@code async} (see {@link Durability}).</li>
 *   <li>{@code storage.chronicle.rollCycle} [FAST_HOURLY]: a Chronicle roll cycle name: time per log file.</li>
 *   <li>{@code storage.chronicle.maxDiskBytes} [0 = none]: quota on the log files.</li>
 *   <li>{@code storage.chronicle.minFreeBytes} [256m]: usable space below which appends are refused.</li>
 *   <li>{@code storage.chronicle.blockSize} [64m]: Chronicle's mapping block size.</li>
 *   <li>{@code storage.chronicle.retentionIntervalMillis} [60000]: period of the retention pass, 0 = off.</li>
 *   <li>{@code storage.retentionSeconds} [2592000 = 30 days]: records are no longer read (and their log
 *       files go) once appended longer ago than this, acknowledged or not; 0 = never.</li>
 *   <li>{@code dedup.window} [262144]: recent appends whose dedup keys are kept, across restarts.</li>
 * </ul>
 */
public final class ChronicleStorageProvider implements StorageProvider {
    /** The data directory key. */
    static final String DIR = "storage.chronicle.dir";

    @Override
    public String name() {
        return "chronicle";
    }

    @Override
    public InboxStore create(final IrisConfig config) {
        // failures to open the directory (locked by another server, unreadable) name the key that chose it
        final String dir = config.getString(DIR, "data/chronicle");
        final ChronicleInboxStore.Builder builder = ChronicleInboxStore.builder(Path.of(dir))
            .durability(Durability.parse(config.getString("storage.chronicle.durability", "fsync")))
            .ttl(Duration.ofSeconds(nonNegative(config, StorageProvider.RETENTION_SECONDS,
                StorageProvider.DEFAULT_RETENTION_SECONDS)))
            .rollCycle(rollCycle(config.getString("storage.chronicle.rollCycle", RollCycles.FAST_HOURLY.name())))
            .maxDiskBytes(config.getLong("storage.chronicle.maxDiskBytes", 0))
            .minFreeBytes(config.getLong("storage.chronicle.minFreeBytes", ChronicleInboxStore.DEFAULT_MIN_FREE_BYTES))
            .blockSize(config.getLong("storage.chronicle.blockSize", ChronicleInboxStore.DEFAULT_BLOCK_SIZE))
            .retentionInterval(Duration.ofMillis(config.getLong("storage.chronicle.retentionIntervalMillis",
                ChronicleInboxStore.DEFAULT_RETENTION_INTERVAL.toMillis())))
            .dedupWindow(config.getInt(StorageProvider.DEDUP_WINDOW, StorageProvider.DEFAULT_DEDUP_WINDOW, 1, 1 << 26));
        try {
            return builder.open();
        } catch (final IllegalStateException e) {
            // the directory is locked by another store, or its contents are unusable: name the key that chose it
            throw new IllegalStateException(where(dir) + e.getMessage(), e);
        } catch (final UncheckedIOException e) {
            throw new UncheckedIOException(where(dir) + e.getMessage()
                + (e.getCause() == null ? "" : ": " + e.getCause()), e.getCause());
        }
    }

    private static String where(final String dir) {
        return "config key '" + DIR + "' = " + dir + " (" + Path.of(dir).toAbsolutePath().normalize() + "): ";
    }

    private static long nonNegative(final IrisConfig config, final String key, final long defaultValue) {
        final long v = config.getLong(key, defaultValue);
        if (v < 0) {
            throw new IllegalArgumentException("config key '" + key + "' = " + v + " must not be negative");
        }
        return v;
    }

    /**
     * @param name a Chronicle roll cycle name, e.g. FAST_HOURLY, FAST_DAILY (test cycles such as
     *             TEST_SECONDLY are accepted too).
     * @return the roll cycle.
     */
    public static RollCycle rollCycle(final String name) {
        final List<String> names = new ArrayList<>();
        for (final RollCycle c : RollCycles.all()) {
            final String n = ((Enum<?>) c).name();
            if (n.equalsIgnoreCase(name.trim())) {
                return c;
            }
            names.add(n);
        }
        throw new IllegalArgumentException("storage.chronicle.rollCycle '" + name + "' is not one of " + names);
    }
}
