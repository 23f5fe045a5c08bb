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

    @Test
    void publishesItsStateAndOpeningsOnlyWhenTheyChange() {
        final io.iris.api.counters.IrisCounters counters = new io.iris.api.counters.IrisCounters(8);
        final CircuitBreaker b = new CircuitBreaker(1, OPEN);
        b.publishTo(counters.gauge("state", "s"), counters.counter("opens", "o"));
        assertThat(counters.value("state")).isZero();
        b.onFailure(0, false);
        assertThat(counters.value("state")).isEqualTo(1);
        assertThat(b.acquire(OPEN)).isEqualTo(CircuitBreaker.Decision.PROBE);
        assertThat(counters.value("state")).isEqualTo(2);
        b.onFailure(OPEN, false);
        assertThat(counters.value("state")).isEqualTo(1);
        assertThat(counters.value("opens")).as("half-open to open is not a new opening").isEqualTo(1);
        b.acquire(2 * OPEN);
        b.onSuccess();
        assertThat(counters.value("state")).isZero();
    }
}
