package io.iris.client;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackoffTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void delaysGrowExponentiallyWithinFloorAndCap() {
        final Backoff b = new Backoff(100 * MS, 5_000 * MS);
        for (int i = 0; i < 2_000; i++) {
            assertThat(b.delayNanos(0)).isBetween(100 * MS, 200 * MS);
            assertThat(b.delayNanos(1)).isBetween(100 * MS, 400 * MS);
            assertThat(b.delayNanos(5)).isBetween(100 * MS, 5_000 * MS);
            assertThat(b.delayNanos(1_000)).isBetween(100 * MS, 5_000 * MS);
            assertThat(b.delayNanos(Integer.MAX_VALUE)).isBetween(100 * MS, 5_000 * MS);
        }
    }

    @Test
    void delaysAreJittered() {
        final Backoff b = new Backoff(100 * MS, 5_000 * MS);
        final long first = b.delayNanos(10);
        boolean differs = false;
        for (int i = 0; i < 100 && !differs; i++) {
            differs = b.delayNanos(10) != first;
        }
        assertThat(differs).isTrue();
    }

    @Test
    void goAwayDelayIsNeverShortened() {
        final Backoff b = new Backoff(100 * MS, 5_000 * MS);
        for (int i = 0; i < 1_000; i++) {
            assertThat(b.afterNanos(1_000 * MS)).isBetween(1_000 * MS, 1_500 * MS);
            assertThat(b.afterNanos(0)).isBetween(0L, 100 * MS);
        }
    }

    @Test
    void refusesBadBounds() {
        assertThatThrownBy(() -> new Backoff(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(2, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
