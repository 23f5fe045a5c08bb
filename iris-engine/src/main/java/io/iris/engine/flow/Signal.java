package io.iris.engine.flow;

/**
 * The measured signals the overload level is derived from. Each has three enter thresholds (for SLOW,
 * SHED and CRITICAL) and three lower exit thresholds, in the signal's own unit, configured as
 * {@code <key>.enter} and {@code <key>.exit}.
 */
public enum Signal {
    /** Fill of the fullest shard command queue, as a fraction of its capacity. */
    QUEUE("flow.queue", "fraction of a shard queue", 1.0),
    /** Duration of the recent (or the running) group-commit storage sync, in milliseconds. */
    COMMIT_LATENCY("flow.commitLatencyMillis", "ms per storage sync", Double.MAX_VALUE),
    /** Heap in use just after the last garbage collection, as a fraction of the maximum heap. */
    HEAP("flow.heap", "fraction of the max heap after GC", 1.0),
    /** Unsent output bytes across all client connections, as a fraction of {@code flow.outbound.budgetBytes}. */
    OUTBOUND("flow.outbound", "fraction of flow.outbound.budgetBytes", Double.MAX_VALUE);

    private static final Signal[] VALUES = values();

    private final String key;
    private final String unit;
    private final double max;

    Signal(final String key, final String unit, final double max) {
        this.key = key;
        this.unit = unit;
        this.max = max;
    }

    /** @return the configuration key prefix of the signal's thresholds. */
    public String key() {
        return key;
    }

    /** @return what the signal's value measures. */
    public String unit() {
        return unit;
    }

    /** @return the largest meaningful threshold (1 for fractions of a hard capacity). */
    double max() {
        return max;
    }

    /**
     * @param ordinal a signal's {@link #ordinal()}.
     * @return that signal.
     */
    static Signal of(final int ordinal) {
        return VALUES[ordinal];
    }

    /** @return how many signals there are. */
    static int count() {
        return VALUES.length;
    }
}
