package io.iris.transport;

import io.iris.api.counters.IrisCounters;

/**
 * Immutable loop-wide settings of a {@link NioTransport}: how many event loops serve all its listeners and
 * outbound connections, the capacity of each loop's command queue, and the counters registry. Per-listener
 * settings are in {@link NioServerConfig}, per-outbound-connection ones in {@link ConnectOptions}. Start from
 * {@link #defaults()}; every wither validates and fails fast naming the field and the bad value.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>field</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>ioThreads</td><td>{@value #DEFAULT_IO_THREADS}</td><td>event loops (threads {@code iris-io-<n>}),
 *       1..{@value #MAX_IO_THREADS} (the loop index is stored in the low 8 bits of connection ids). Adding a
 *       listener or an outbound connection adds no thread</td></tr>
 *   <tr><td>commandQueueBytes</td><td>8 MiB</td><td>capacity of each loop's cross-thread command queue; a
 *       power of two, at least 4 KiB. The largest single {@link NioTransport#offer} is an eighth of it</td></tr>
 *   <tr><td>counters</td><td>a private registry</td><td>the {@link IrisCounters} the transport's counters are
 *       allocated in ({@code iris_transport_*})</td></tr>
 * </table>
 */
public final class NioTransportConfig {
    /** Default number of event loops. */
    public static final int DEFAULT_IO_THREADS = 1;
    /** Most event loops: the loop index lives in the low 8 bits of a connection id. */
    public static final int MAX_IO_THREADS = 256;
    /** Default command queue capacity per event loop: 8 MiB. */
    public static final int DEFAULT_COMMAND_QUEUE_BYTES = 8 * 1024 * 1024;
    /** Smallest accepted command queue capacity. */
    public static final int MIN_COMMAND_QUEUE_BYTES = 4096;

    private static final NioTransportConfig DEFAULTS =
        new NioTransportConfig(DEFAULT_IO_THREADS, DEFAULT_COMMAND_QUEUE_BYTES, null);

    private final int ioThreads;
    private final int commandQueueBytes;
    private final IrisCounters counters;

    private NioTransportConfig(final int ioThreads, final int commandQueueBytes, final IrisCounters counters) {
        if (ioThreads < 1 || ioThreads > MAX_IO_THREADS) {
            throw new IllegalArgumentException("ioThreads must be in [1, " + MAX_IO_THREADS + "], was " + ioThreads);
        }
        if (commandQueueBytes < MIN_COMMAND_QUEUE_BYTES || Integer.bitCount(commandQueueBytes) != 1) {
            throw new IllegalArgumentException("commandQueueBytes must be a power of two >= "
                + MIN_COMMAND_QUEUE_BYTES + ", was " + commandQueueBytes);
        }
        this.ioThreads = ioThreads;
        this.commandQueueBytes = commandQueueBytes;
        this.counters = counters;
    }

    /** @return the default configuration. */
    public static NioTransportConfig defaults() {
        return DEFAULTS;
    }

    /**
     * @param ioThreads number of event loops, 1..{@value #MAX_IO_THREADS}.
     * @return a copy with this count.
     */
    public NioTransportConfig withIoThreads(final int ioThreads) {
        return new NioTransportConfig(ioThreads, commandQueueBytes, counters);
    }

    /**
     * @param commandQueueBytes capacity of each loop's command queue: a power of two, at least
     *                          {@value #MIN_COMMAND_QUEUE_BYTES}.
     * @return a copy with this capacity.
     */
    public NioTransportConfig withCommandQueueBytes(final int commandQueueBytes) {
        return new NioTransportConfig(ioThreads, commandQueueBytes, counters);
    }

    /**
     * @param counters the registry to allocate the transport's counters in; null for a private one.
     * @return a copy with this registry.
     */
    public NioTransportConfig withCounters(final IrisCounters counters) {
        return new NioTransportConfig(ioThreads, commandQueueBytes, counters);
    }

    /** @return the number of event loops. */
    public int ioThreads() {
        return ioThreads;
    }

    /** @return the capacity in bytes of each loop's command queue. */
    public int commandQueueBytes() {
        return commandQueueBytes;
    }

    /** @return the counters registry, or null for a private one made by the transport. */
    public IrisCounters counters() {
        return counters;
    }

    @Override
    public String toString() {
        return "NioTransportConfig{ioThreads=" + ioThreads + ", commandQueueBytes=" + commandQueueBytes
            + ", counters=" + (counters == null ? "private" : "shared") + '}';
    }
}
