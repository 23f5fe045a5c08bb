package io.iris.engine.ratelimit;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A token bucket of {@code ratePerSecond} tokens per second holding at most {@code burst} tokens,
 * implemented as the equivalent generic cell rate algorithm: one {@link AtomicLong} holds the
 * "theoretical arrival time" of the next token, so acquiring is one CAS, lock-free and
 * allocation-free, and several I/O threads (devices of one user) can share one bucket.
 */
public final class TokenBucket {
    private final long intervalNanos;
    private final long toleranceNanos;
    private final AtomicLong theoreticalArrival = new AtomicLong(Long.MIN_VALUE);

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
            final long tat = theoreticalArrival.get();
            final long base = tat == Long.MIN_VALUE || tat - nowNanos < 0 ? nowNanos : tat;
            final long wait = base - toleranceNanos - nowNanos;
            if (wait > 0) {
                return wait;
            }
            if (theoreticalArrival.compareAndSet(tat, base + intervalNanos)) {
                return 0;
            }
        }
    }
}
