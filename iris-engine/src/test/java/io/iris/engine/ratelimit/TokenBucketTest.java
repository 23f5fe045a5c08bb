package io.iris.engine.ratelimit;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenBucketTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void allowsTheBurstThenTheRate() {
        final TokenBucket bucket = new TokenBucket(100, 500);
        final long t0 = 1_000 * SECOND;
        int taken = 0;
        while (bucket.tryAcquire(t0) == 0) {
            taken++;
        }
        assertThat(taken).isEqualTo(500);
        final long wait = bucket.tryAcquire(t0);
        assertThat(wait).isPositive().isLessThanOrEqualTo(SECOND / 100);
        assertThat(bucket.tryAcquire(t0 + wait)).isZero();
        // one second later: exactly 100 more tokens
        int later = 0;
        while (bucket.tryAcquire(t0 + wait + SECOND) == 0) {
            later++;
        }
        assertThat(later).isEqualTo(100);
    }

    @Test
    void refillsToTheBurstAfterIdleTime() {
        final TokenBucket bucket = new TokenBucket(10, 5);
        final long t0 = 7 * SECOND;
        for (int i = 0; i < 5; i++) {
            assertThat(bucket.tryAcquire(t0)).isZero();
        }
        assertThat(bucket.tryAcquire(t0)).isPositive();
        final long muchLater = t0 + 3600 * SECOND;
        int taken = 0;
        while (bucket.tryAcquire(muchLater) == 0) {
            taken++;
        }
        assertThat(taken).isEqualTo(5);
    }

    @Test
    void sharedBucketsAreReleasedWithTheLastSession() {
        final UserRateLimits limits = new UserRateLimits(10, 10);
        final TokenBucket a = limits.acquire("alice");
        assertThat(limits.acquire("alice")).isSameAs(a);
        limits.release("alice");
        assertThat(limits.size()).isEqualTo(1);
        limits.release("alice");
        assertThat(limits.size()).isZero();
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new TokenBucket(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenBucket(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
