package io.iris.engine.ratelimit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A token bucket of {@code ratePerSecond} tokens per second holding at most {@code burst} tokens,
 * implemented as the equivalent generic cell rate algorithm: one {@code long} holds the "theoretical
 * arrival time" of the next token, updated by compare-and-set, so acquiring is one CAS, lock-free and
 * allocation-free, and several I/O threads (devices of one user) can share one bucket.
 *
 * <p>The state is a field of the bucket itself (a {@link VarHandle}, not an {@code AtomicLong}) and the
 * count of sessions sharing it lives here too (see {@link UserRateLimits}): one bucket per online user
 * is one object, which matters at tens of thousands of connections per node.
 */
public final class TokenBucket {
    private static final VarHandle ARRIVAL;

    static {
        try {
            ARRIVAL = MethodHandles.lookup().findVarHandle(TokenBucket.class, "theoreticalArrival", long.class);
        } catch (final ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long intervalNanos;
    private final long toleranceNanos;
    @SuppressWarnings("unused") // accessed through ARRIVAL
    private volatile long theoreticalArrival = Long.MIN_VALUE;
    /** Sessions sharing this bucket; guarded by {@link UserRateLimits}' map entry. */
    int sessions;

    /**
     * @param ratePerSecond sustained tokens per second, at least 1.
     * @param burst         tokens available at once, at least 1.
     */
    public TokenBucket(final int ratePerSecond, final int burst) {
        if (ratePerSecond < 1 || burst < 1) {
            throw new IllegalArgumentException("rate and burst must be at least 1: " + ratePerSecond + ", " + burst);
        }
        this.intervalNanos = 1_000_000_000L / ratePerSecond;
        this.toleranceNanos = intervalNanos * (burst - 1);
    }

    /**
     * Takes one token.
     *
     * @param nowNanos a monotonic clock reading ({@link System#nanoTime()}).
     * @return 0 if a token was taken; otherwise the nanoseconds until one is available (nothing taken).
     */
    public long tryAcquire(final long nowNanos) {
        while (true) {
            final long tat = (long) ARRIVAL.getVolatile(this);
            final long base = tat == Long.MIN_VALUE || tat - nowNanos < 0 ? nowNanos : tat;
            final long wait = base - toleranceNanos - nowNanos;
            if (wait > 0) {
                return wait;
            }
            if (ARRIVAL.compareAndSet(this, tat, base + intervalNanos)) {
                return 0;
            }
        }
    }
}
