package io.iris.engine;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.fail;

/** Waits for a condition with a deadline, for the engine's tests (no fixed sleeps, no timing asserts). */
public final class Await {
    /** Generous: the box is shared; only a broken engine takes this long. */
    private static final long DEADLINE_SECONDS = 60;

    private Await() {
    }

    /**
     * @param condition what must become true.
     * @param what      named in the failure.
     */
    public static void until(final BooleanSupplier condition, final String what) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + DEADLINE_SECONDS + " s waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }
}
