package io.iris.testsupport;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition with a deadline: the one polling helper of Iris's tests (no fixed sleeps, no timing
 * asserts). The condition is polled every few milliseconds until it holds; past the deadline the caller fails
 * with an {@link AssertionError} naming what it waited for. An interrupt fails the wait too.
 */
public final class Await {
    /** Generous: the box is shared (2 cores, several builds); only a broken component takes this long. */
    public static final long DEADLINE_SECONDS = 60;
    /** Between two polls: short enough not to slow tests down, long enough not to burn a shared core. */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private Await() {
    }

    /**
     * Waits up to {@link #DEADLINE_SECONDS}.
     *
     * @param condition what must become true.
     * @param what      named in the failure.
     * @throws AssertionError if it does not become true in time, or the thread is interrupted.
     */
    public static void until(final BooleanSupplier condition, final String what) {
        until(condition, DEADLINE_SECONDS, what);
    }

    /**
     * @param condition       what must become true.
     * @param deadlineSeconds how long it may take before the test fails.
     * @param what            named in the failure.
     * @throws AssertionError if it does not become true in time, or the thread is interrupted.
     */
    public static void until(final BooleanSupplier condition, final long deadlineSeconds, final String what) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(deadlineSeconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + deadlineSeconds + " s waiting for " + what);
            }
            LockSupport.parkNanos(POLL_NANOS);
            if (Thread.interrupted()) {
                throw new AssertionError("interrupted while waiting for " + what);
            }
        }
    }
}
