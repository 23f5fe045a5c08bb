package io.iris.client;

/**
 * Decides, after each connection of the client ended, whether to connect again and after how long:
 * <ul>
 *   <li>stop when the end is terminal, or at the first end with reconnection disabled;</li>
 *   <li>after GOAWAY, the server's delay (already jittered by the session) as it stands;</li>
 *   <li>otherwise the {@link Backoff} of the number of failed attempts in a row (reset by a login), never
 *   sooner than the server's retry advice plus jitter; a listener that keeps failing on the same message
 *   counts as that many failed attempts, so redelivery slows down too.</li>
 * </ul>
 * Not thread-safe: the client's thread owns it.
 */
final class ReconnectPolicy {
    /** Returned by {@link #delayNanos} when the client must stop. */
    static final long STOP = -1;

    private final boolean reconnect;
    private final Backoff backoff;
    private int attempt;

    ReconnectPolicy(final boolean reconnect, final Backoff backoff) {
        this.reconnect = reconnect;
        this.backoff = backoff;
    }

    /** @return the backoff, for the server-asked delays the session jitters itself (GOAWAY). */
    Backoff backoff() {
        return backoff;
    }

    /**
     * @param end              how the connection ended.
     * @param listenerFailures how many times in a row the listener failed on the message it is given.
     * @return how long to wait before connecting again, in nanoseconds, or {@link #STOP}.
     */
    long delayNanos(final SessionEnd end, final int listenerFailures) {
        if (end.loggedIn) {
            attempt = 0;
        }
        if (end.terminal || !reconnect) {
            return STOP;
        }
        if (end.delayNanos >= 0) {
            return end.delayNanos;
        }
        if (end.listenerFailure) {
            attempt = Math.max(attempt, listenerFailures);
        }
        long delayNanos = backoff.delayNanos(attempt++);
        if (end.minDelayNanos > 0) {
            delayNanos = Math.max(delayNanos, backoff.afterNanos(end.minDelayNanos));
        }
        return delayNanos;
    }
}
