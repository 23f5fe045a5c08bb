package io.iris.transport;

import io.iris.protocol.ErrorCode;

/**
 * What a connection does when its unsent output grows: the answer differs by who is at the other end, so
 * it is chosen per {@link Listener} ({@link NioServerConfig#writePolicy()}) and per outbound connection
 * ({@link ConnectOptions#writePolicy()}).
 *
 * <ul>
 *   <li>{@link #closeAtHighWaterMark(int)} — for clients. A write that would take the unsent output past
 *       the mark closes the connection with {@link ErrorCode#SLOW_CONSUMER}; the client's inbox keeps its
 *       messages, so nothing is lost, and a stuck client cannot hold server memory.</li>
 *   <li>{@link #waterMarks(int, int, int)} — for node links (Netty's {@code WriteBufferWaterMark}). Above
 *       {@code high} the connection turns {@linkplain Connection#isWritable() unwritable} and the handler is
 *       told ({@link ConnectionHandler#onWritabilityChanged}), so the producer stops; once the output falls
 *       to {@code low} or below it turns writable again. Writes made while unwritable are still accepted up
 *       to {@code hardLimit}; a write past the hard limit closes the connection with
 *       {@link ErrorCode#SLOW_CONSUMER} like a client's, as a last guard against a producer that ignores
 *       writability.</li>
 * </ul>
 *
 * Immutable; the factories validate and fail fast naming the bad value.
 */
public final class WritePolicy {
    /** Default mark of {@link #closeAtHighWaterMark}: 4 MiB. */
    public static final int DEFAULT_HIGH_WATER_MARK = 4 * 1024 * 1024;
    /** Default low-water mark of {@link #waterMarks}: 1 MiB. */
    public static final int DEFAULT_LINK_LOW_WATER_MARK = 1024 * 1024;
    /** Default high-water mark of {@link #waterMarks}: 4 MiB. */
    public static final int DEFAULT_LINK_HIGH_WATER_MARK = 4 * 1024 * 1024;
    /** Default hard cap of {@link #waterMarks}: 64 MiB. */
    public static final int DEFAULT_LINK_HARD_LIMIT = 64 * 1024 * 1024;

    private static final WritePolicy CLIENT_DEFAULT = closeAtHighWaterMark(DEFAULT_HIGH_WATER_MARK);
    private static final WritePolicy LINK_DEFAULT =
        waterMarks(DEFAULT_LINK_LOW_WATER_MARK, DEFAULT_LINK_HIGH_WATER_MARK, DEFAULT_LINK_HARD_LIMIT);

    private final boolean closes;
    private final int low;
    private final int high;
    private final int hardLimit;

    private WritePolicy(final boolean closes, final int low, final int high, final int hardLimit) {
        this.closes = closes;
        this.low = low;
        this.high = high;
        this.hardLimit = hardLimit;
    }

    /** @return {@code closeAtHighWaterMark(}{@value #DEFAULT_HIGH_WATER_MARK}{@code )}: the clients' default. */
    public static WritePolicy clientDefault() {
        return CLIENT_DEFAULT;
    }

    /** @return {@code waterMarks(1 MiB, 4 MiB, 64 MiB)}: the node links' default. */
    public static WritePolicy linkDefault() {
        return LINK_DEFAULT;
    }

    /**
     * @param highWaterMark unsent bytes a connection may hold, at least 1; a write past it closes the
     *                      connection with SLOW_CONSUMER.
     * @return the client policy.
     */
    public static WritePolicy closeAtHighWaterMark(final int highWaterMark) {
        if (highWaterMark < 1) {
            throw new IllegalArgumentException("highWaterMark must be >= 1, was " + highWaterMark);
        }
        return new WritePolicy(true, highWaterMark, highWaterMark, highWaterMark);
    }

    /**
     * @param low       unsent bytes at or below which an unwritable connection turns writable again, &gt;= 0.
     * @param high      unsent bytes above which the connection turns unwritable; greater than {@code low}.
     * @param hardLimit unsent bytes a connection may hold at all, at least {@code high}; a write past it closes
     *                  the connection with SLOW_CONSUMER.
     * @return the water-mark policy.
     */
    public static WritePolicy waterMarks(final int low, final int high, final int hardLimit) {
        if (low < 0) {
            throw new IllegalArgumentException("low water mark must be >= 0, was " + low);
        }
        if (high <= low) {
            throw new IllegalArgumentException("high water mark must be > low (" + low + "), was " + high);
        }
        if (hardLimit < high) {
            throw new IllegalArgumentException("hard limit must be >= the high water mark (" + high + "), was "
                + hardLimit);
        }
        return new WritePolicy(false, low, high, hardLimit);
    }

    /** @return true for {@link #closeAtHighWaterMark}, false for {@link #waterMarks}. */
    public boolean closesAtHighWaterMark() {
        return closes;
    }

    /** @return the low-water mark ({@link #highWaterMark()} under {@link #closeAtHighWaterMark}). */
    public int lowWaterMark() {
        return low;
    }

    /** @return the high-water mark. */
    public int highWaterMark() {
        return high;
    }

    /** @return the most unsent bytes a connection may hold before it is closed with SLOW_CONSUMER. */
    public int hardLimit() {
        return hardLimit;
    }

    @Override
    public String toString() {
        return closes ? "closeAtHighWaterMark(" + high + ")" : "waterMarks(" + low + ", " + high + ", " + hardLimit + ")";
    }
}
