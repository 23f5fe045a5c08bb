package io.iris.client;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Reconnection delays: exponential growth with full jitter above a floor. Attempt {@code n} (0-based)
 * waits a uniformly random time in {@code [min, min(max, min * 2^(n+1))]}, so a fleet of clients that
 * lost the same server spreads its reconnections instead of arriving together. Stateless and
 * thread-safe; the caller counts attempts.
 */
final class Backoff {
    private final long minNanos;
    private final long maxNanos;

    Backoff(final long minNanos, final long maxNanos) {
        if (minNanos <= 0 || maxNanos < minNanos) {
            throw new IllegalArgumentException("need 0 < min <= max, got " + minNanos + ".." + maxNanos + " ns");
        }
        this.minNanos = minNanos;
        this.maxNanos = maxNanos;
    }

    long minNanos() {
        return minNanos;
    }

    long maxNanos() {
        return maxNanos;
    }

    /**
     * @param attempt how many reconnections failed in a row before this one (0 for the first).
     * @return how long to wait before the attempt, in nanoseconds.
     */
    long delayNanos(final int attempt) {
        final int shift = Math.min(Math.max(attempt, 0) + 1, 62);
        final long ceiling = minNanos > (maxNanos >> shift) ? maxNanos : Math.min(maxNanos, minNanos << shift);
        return minNanos + ThreadLocalRandom.current().nextLong(ceiling - minNanos + 1);
    }

    /**
     * The wait the server asked for (GOAWAY), never shortened, plus jitter of up to half of it (at least
     * up to {@code min}) so that the clients of a draining server do not all come back at once.
     *
     * @param baseNanos the server's reconnect-after delay.
     * @return the delay to use, in nanoseconds.
     */
    long afterNanos(final long baseNanos) {
        final long base = Math.max(baseNanos, 0);
        final long spread = Math.max(base / 2, minNanos);
        return base + ThreadLocalRandom.current().nextLong(spread + 1);
    }
}
