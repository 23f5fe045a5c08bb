package io.iris.api.flow;

/**
 * How overloaded an engine is, from the least to the most. The engine derives the level from measured
 * signals (shard queue depth, group-commit latency, heap after GC, outbound backlog); each level's action
 * applies to client SENDs and embedding-API sends alike. A refused SEND is always answered with the
 * retryable {@code OVERLOADED} status and a retry-after that grows with the level, never dropped silently.
 * Logins, acknowledgements, logouts and presence queries are served at every level.
 */
public enum OverloadLevel {
    /** Every SEND is admitted. */
    NORMAL,
    /** A fixed fraction of SENDs (one in {@code flow.slow.shedOneIn}) is refused, so senders back off early. */
    SLOW,
    /** Every SEND is refused. */
    SHED,
    /** Every SEND is refused and new connections are refused with {@code SERVER_FULL}. */
    CRITICAL;

    private static final OverloadLevel[] VALUES = values();

    /**
     * @param ordinal a level's {@link #ordinal()}.
     * @return that level.
     * @throws ArrayIndexOutOfBoundsException if out of range.
     */
    public static OverloadLevel of(final int ordinal) {
        return VALUES[ordinal];
    }
}
