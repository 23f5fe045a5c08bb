package io.iris.storage.redis;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CircuitBreakerTest {
    private static final long OPEN = 1_000;

    @Test
    void opensAfterConsecutiveFailuresAndLetsOneProbeThroughLater() {
        final CircuitBreaker b = new CircuitBreaker(3, OPEN);
        long now = 0;
        b.onFailure(now, false);
        b.onFailure(now, false);
        assertThat(b.acquire(now)).isEqualTo(CircuitBreaker.Decision.PASS);
        b.onSuccess(); // not consecutive any more
        b.onFailure(now, false);
        b.onFailure(now, false);
        assertThat(b.isOpen()).isFalse();
        b.onFailure(now, false);
        assertThat(b.isOpen()).isTrue();
        assertThat(b.acquire(now + OPEN - 1)).isEqualTo(CircuitBreaker.Decision.REJECT);
        assertThat(b.acquire(now + OPEN)).isEqualTo(CircuitBreaker.Decision.PROBE);
        assertThat(b.acquire(now + OPEN)).as("one probe at a time").isEqualTo(CircuitBreaker.Decision.REJECT);
        now += OPEN;
        b.onFailure(now, true); // the probe failed: open again, for another period
        assertThat(b.acquire(now + OPEN / 2)).isEqualTo(CircuitBreaker.Decision.REJECT);
        assertThat(b.acquire(now + OPEN)).isEqualTo(CircuitBreaker.Decision.PROBE);
        b.onSuccess();
        assertThat(b.acquire(now + OPEN)).isEqualTo(CircuitBreaker.Decision.PASS);
        assertThat(b.timesOpened()).isEqualTo(1);
    }

    @Test
    void aLostConnectionOpensAtOnce() {
        final CircuitBreaker b = new CircuitBreaker(100, OPEN);
        b.onFailure(0, true);
        assertThat(b.isOpen()).isTrue();
        assertThat(b.millisUntilProbe(0)).isZero(); // 1000 ns is under a millisecond
        assertThat(b.acquire(10)).isEqualTo(CircuitBreaker.Decision.REJECT);
    }
}
