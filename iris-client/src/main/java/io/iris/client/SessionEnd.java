package io.iris.client;

import io.iris.protocol.ErrorCode;

/**
 * How one connection of the client ended, and so what to do next: retry with backoff, wait a fixed delay
 * (GOAWAY), back off no sooner than the server's advice (per-address refusals), or stop for good.
 * {@link ReconnectPolicy} turns it into a delay.
 */
final class SessionEnd {
    final String reason;
    final ErrorCode code;
    final Throwable cause;
    final boolean terminal;
    final boolean listenerFailure;
    /** Fixed delay before reconnecting, or -1 to use the backoff. */
    final long delayNanos;
    /** With the backoff: the least delay (the server's retry hint), or 0. */
    long minDelayNanos;
    boolean loggedIn;

    private SessionEnd(final String reason, final ErrorCode code, final Throwable cause, final boolean terminal,
                       final boolean listenerFailure, final long delayNanos) {
        this.reason = reason;
        this.code = code;
        this.cause = cause;
        this.terminal = terminal;
        this.listenerFailure = listenerFailure;
        this.delayNanos = delayNanos;
    }

    static SessionEnd retry(final String reason, final ErrorCode code, final Throwable cause) {
        return new SessionEnd(reason, code, cause, false, false, -1);
    }

    static SessionEnd terminal(final String reason, final ErrorCode code) {
        return new SessionEnd(reason, code, null, true, false, -1);
    }

    static SessionEnd terminal(final String reason, final Throwable cause) {
        return new SessionEnd(reason, null, cause, true, false, -1);
    }

    static SessionEnd listenerFailed(final String reason, final Throwable cause) {
        return new SessionEnd(reason, null, cause, false, true, -1);
    }

    static SessionEnd throttled(final String reason, final ErrorCode code, final long minDelayNanos) {
        final SessionEnd end = new SessionEnd(reason, code, null, false, false, -1);
        end.minDelayNanos = minDelayNanos;
        return end;
    }

    static SessionEnd after(final String reason, final long delayNanos) {
        return new SessionEnd(reason, null, null, false, false, delayNanos);
    }
}
