package io.iris.storage.tck;

import org.agrona.concurrent.EpochClock;

/**
 * An {@link EpochClock} that moves only when told to: the TCK hands it to the store under test so
 * retention can be checked without waiting. Thread-safe.
 */
public final class ManualClock implements EpochClock {
    private volatile long millis;

    /**
     * @param startMillis the first reading, milliseconds since the epoch.
     */
    public ManualClock(final long startMillis) {
        this.millis = startMillis;
    }

    @Override
    public long time() {
        return millis;
    }

    /**
     * @param deltaMillis how far to move the clock forward, at least 0.
     * @return the new reading.
     */
    public synchronized long advance(final long deltaMillis) {
        if (deltaMillis < 0) {
            throw new IllegalArgumentException("the clock only moves forward: " + deltaMillis);
        }
        millis += deltaMillis;
        return millis;
    }
}
