package io.iris.storage.chronicle;

import java.util.Locale;

/** When {@link ChronicleInboxStore#sync()} returns, how durable is what was appended before it. */
public enum Durability {
    /**
     * Forced to the storage device: {@code FileChannel.force(false)} (fdatasync) on every log file
     * written since the last sync. Survives a process crash and a power loss. The default.
     */
    FSYNC,
    /**
     * In the OS page cache only: survives a process crash (SIGKILL included) but not a machine crash or
     * power loss, which lose the last seconds of acknowledged messages. Explicit opt-in.
     */
    ASYNC;

    /** @return the name used in configuration: {@code fsync} or {@code async}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param name {@code fsync} or {@code async}, any case.
     * @return the mode.
     * @throws IllegalArgumentException for anything else.
     */
    public static Durability parse(final String name) {
        for (final Durability d : values()) {
            if (d.configName().equalsIgnoreCase(name.trim())) {
                return d;
            }
        }
        throw new IllegalArgumentException("storage.chronicle.durability must be fsync or async, not '" + name + "'");
    }
}
