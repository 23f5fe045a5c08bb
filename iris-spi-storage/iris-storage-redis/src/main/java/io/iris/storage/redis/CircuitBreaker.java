package io.iris.storage.redis;

import org.agrona.concurrent.status.AtomicCounter;

/**
 * Closed / open / half-open breaker in front of Redis, so a dead server is not hammered and callers
 * fail fast with a retryable error instead of each waiting for a timeout.
 *
 * <ul>
 *   <li>Closed: every operation passes. {@code failureThreshold} consecutive failures, or one
 *       connection loss, open it.</li>
 *   <li>Open: operations are refused without touching Redis until {@code openNanos} have passed;
 *       then the first caller gets {@link Decision#PROBE} (half-open) and must report how its probe
 *       went; everyone else is still refused meanwhile.</li>
 *   <li>A successful probe closes the breaker; a failed one opens it again.</li>
 * </ul>
 * Thread-safe; the closed path reads one volatile field.
 */
final class CircuitBreaker {
    /** What an operation may do. */
    enum Decision {
        /** Go ahead. */
        PASS,
        /** Go ahead as the one probe; report with {@link #onSuccess()} or {@link #onFailure}. */
        PROBE,
        /** Fail fast: the breaker is open. */
        REJECT
    }

    private static final int CLOSED = 0;
    private static final int OPEN = 1;
    private static final int HALF_OPEN = 2;

    private final int failureThreshold;
    private final long openNanos;
    private volatile int state = CLOSED;
    private int failures;
    private long reopensAt;
    private long opened;
    /** Set to the state on each change, once {@link #publishTo} gave one; null before. */
    private AtomicCounter stateGauge;
    private AtomicCounter opensCounter;

    /**
     * @param failureThreshold consecutive failures that open the breaker, at least 1.
     * @param openNanos        how long it stays open before a probe.
     */
    CircuitBreaker(final int failureThreshold, final long openNanos) {
        if (failureThreshold < 1 || openNanos < 0) {
            throw new IllegalArgumentException("threshold " + failureThreshold + ", open " + openNanos + "ns");
        }
        this.failureThreshold = failureThreshold;
        this.openNanos = openNanos;
    }

    /**
     * @param nowNanos {@link System#nanoTime()}.
     * @return whether the caller may go to Redis.
     */
    Decision acquire(final long nowNanos) {
        if (state == CLOSED) {
            return Decision.PASS;
        }
        synchronized (this) {
            if (state == CLOSED) {
                return Decision.PASS;
            }
            if (state == OPEN && nowNanos - reopensAt >= 0) {
                setState(HALF_OPEN);
                return Decision.PROBE;
            }
            return Decision.REJECT;
        }
    }

    /** An operation (or the probe) succeeded. */
    synchronized void onSuccess() {
        failures = 0;
        if (state != CLOSED) {
            setState(CLOSED);
        }
    }

    /**
     * @param nowNanos       {@link System#nanoTime()}.
     * @param connectionLost true when the connection is gone: opens at once.
     */
    synchronized void onFailure(final long nowNanos, final boolean connectionLost) {
        failures++;
        if (state == HALF_OPEN || connectionLost || failures >= failureThreshold) {
            if (state == CLOSED) {
                opened++;
                if (opensCounter != null) {
                    opensCounter.increment();
                }
            }
            setState(OPEN);
            reopensAt = nowNanos + openNanos;
        }
    }

    /**
     * From now on, publishes the state (0 closed, 1 open, 2 half-open) and each opening; sets the state now.
     *
     * @param state gauge of the state.
     * @param opens counter of closed-to-open transitions.
     */
    synchronized void publishTo(final AtomicCounter state, final AtomicCounter opens) {
        this.stateGauge = state;
        this.opensCounter = opens;
        state.setOrdered(this.state);
    }

    private void setState(final int next) {
        state = next;
        if (stateGauge != null) {
            stateGauge.setOrdered(next);
        }
    }

    /** @return true while operations are refused. */
    boolean isOpen() {
        return state != CLOSED;
    }

    /**
     * @param nowNanos {@link System#nanoTime()}.
     * @return milliseconds until the next probe may run, 0 if closed or due.
     */
    synchronized long millisUntilProbe(final long nowNanos) {
        return state == OPEN ? Math.max(0, (reopensAt - nowNanos) / 1_000_000) : 0;
    }

    /** @return how many times the breaker went from closed to open. */
    synchronized long timesOpened() {
        return opened;
    }
}
