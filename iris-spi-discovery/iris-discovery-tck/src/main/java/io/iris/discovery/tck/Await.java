package io.iris.discovery.tck;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.fail;

/** Waits for a condition with a deadline, for the discovery tests (no fixed sleeps, no timing asserts). */
public final class Await {
    /** Generous: the box is shared; only a broken provider takes this long. */
    public static final long DEADLINE_SECONDS = 30;

    private Await() {
    }

    /**
     * @param condition what must become true.
     * @param what      named in the failure.
     */
    public static void until(final BooleanSupplier condition, final String what) {
        until(condition, DEADLINE_SECONDS, what);
    }

    /**
     * @param condition       what must become true.
     * @param deadlineSeconds how long it may take before the test fails.
     * @param what            named in the failure.
     */
    public static void until(final BooleanSupplier condition, final long deadlineSeconds, final String what) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(deadlineSeconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + deadlineSeconds + " s waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            if (Thread.interrupted()) {
                fail("interrupted while waiting for " + what);
            }
        }
    }
}
