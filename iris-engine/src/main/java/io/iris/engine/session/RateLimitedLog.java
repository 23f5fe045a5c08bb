package io.iris.engine.session;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Writes at most one line per interval for events that can come in floods (refused logins: a client retrying
 * with a bad token, a scan): the first event of an interval is written at once, the ones after it are only
 * counted, and the next written line says how many were left out. So an operator sees that refusals happen,
 * one example of each burst and their number, and a flood cannot fill the disk or slow the I/O threads down
 * on logging. Thread-safe (the I/O threads share one).
 */
public final class RateLimitedLog {
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final Consumer<String> sink;
    private long lastWrittenNanos;
    private boolean written;
    private long suppressed;

    /**
     * @param intervalMillis at most one line per this many milliseconds (at least 1).
     * @param nanoClock      monotonic time in nanoseconds ({@code System::nanoTime}).
     * @param sink           where lines go (a logger method).
     */
    public RateLimitedLog(final long intervalMillis, final LongSupplier nanoClock, final Consumer<String> sink) {
        if (intervalMillis < 1) {
            throw new IllegalArgumentException("intervalMillis must be >= 1, was " + intervalMillis);
        }
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    /**
     * Writes {@code line}, or counts it when a line was written less than an interval ago.
     *
     * @param line the event, one line.
     */
    public void log(final String line) {
        final String out;
        synchronized (this) {
            final long now = nanoClock.getAsLong();
            if (written && now - lastWrittenNanos < intervalNanos) {
                suppressed++;
                return;
            }
            out = suppressed == 0 ? line
                : line + " (" + suppressed + " more like it not logged in the " + TimeUnit.NANOSECONDS.toSeconds(
                    now - lastWrittenNanos) + " s before)";
            written = true;
            lastWrittenNanos = now;
            suppressed = 0;
        }
        sink.accept(out);
    }
}
