package io.iris.engine.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class TokenRevocationsTest {
    private static final long NOW = 1_700_000_000_000L;

    @Test
    void revokedUntilExpiryPlusGraceInclusive() {
        final TokenRevocations r = new TokenRevocations(10, Duration.ofSeconds(30));
        assertThat(r.isRevoked("a", NOW)).isFalse();
        assertThat(r.revoke("a", NOW + 1_000, NOW)).isTrue();
        assertThat(r.isRevoked("a", NOW)).isTrue();
        assertThat(r.isRevoked("a", NOW + 31_000)).isTrue(); // exp + grace: the authenticator still accepts it
        assertThat(r.isRevoked("a", NOW + 31_001)).isFalse(); // the token is refused as expired from here on
        assertThat(r.size()).isZero(); // and the expired entry met by isRevoked was dropped
        assertThat(r.isRevoked("b", NOW)).isFalse();
        assertThat(r.isRevoked(null, NOW)).isFalse();
    }

    @Test
    void revokingAnExpiredTokenStoresNothingAndRevokingAgainKeepsTheLaterExpiry() {
        final TokenRevocations r = new TokenRevocations(10, Duration.ZERO);
        assertThat(r.revoke("old", NOW - 1, NOW)).isFalse();
        assertThat(r.size()).isZero();
        r.revoke("a", NOW + 10_000, NOW);
        r.revoke("a", NOW + 5_000, NOW);
        assertThat(r.isRevoked("a", NOW + 10_000)).isTrue();
        r.revoke("a", NOW + 20_000, NOW);
        assertThat(r.isRevoked("a", NOW + 20_000)).isTrue();
        assertThat(r.size()).isEqualTo(1);
        assertThat(r.revoke("far", Long.MAX_VALUE, NOW)).isTrue(); // saturates, no overflow into the past
        assertThat(r.isRevoked("far", Long.MAX_VALUE)).isTrue();
    }

    @Test
    void expiredRevocationsArePurged() {
        final TokenRevocations r = new TokenRevocations(1_000, Duration.ofSeconds(1));
        for (int i = 0; i < 100; i++) {
            r.revoke("t" + i, NOW + i * 1_000L, NOW);
        }
        assertThat(r.size()).isEqualTo(100);
        assertThat(r.purgeExpired(NOW + 50_500)).isEqualTo(50); // t0..t49 expired at i*1000 + 1000 <= 50_500
        assertThat(r.size()).isEqualTo(50);
        assertThat(r.isRevoked("t49", NOW + 50_500)).isFalse();
        assertThat(r.isRevoked("t50", NOW + 50_500)).isTrue();
        // revoke() sweeps on its own once the purge interval has passed
        r.revoke("late", NOW + 10_000_000, NOW + 50_500 + TokenRevocations.PURGE_INTERVAL_MILLIS);
        assertThat(r.size()).isEqualTo(1);
    }

    @Test
    void fullListRefusesNewRevocationsLoudlyUntilEntriesExpire() {
        final TokenRevocations r = new TokenRevocations(3, Duration.ZERO);
        r.revoke("a", NOW + 1_000, NOW);
        r.revoke("b", NOW + 2_000, NOW);
        r.revoke("c", NOW + 60_000, NOW);
        assertThatThrownBy(() -> r.revoke("d", NOW + 60_000, NOW))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("full").hasMessageContaining("3");
        assertThat(r.isRevoked("a", NOW)).isTrue(); // nothing was evicted
        r.revoke("c", NOW + 90_000, NOW); // an existing id still fits
        // once a and b expired, the purge before refusing makes room
        assertThat(r.revoke("d", NOW + 60_000, NOW + 2_001)).isTrue();
        assertThat(r.size()).isEqualTo(2);
    }

    @Test
    void argumentsAreChecked() {
        assertThatThrownBy(() -> new TokenRevocations(0, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenRevocations(1, Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        final TokenRevocations r = new TokenRevocations(1, Duration.ZERO);
        assertThatThrownBy(() -> r.revoke("", NOW, NOW)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> r.revoke(null, NOW, NOW)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void concurrentRevokesAndChecksAgreeWithASequentialModel() throws Exception {
        final TokenRevocations r = new TokenRevocations(100_000, Duration.ZERO);
        final ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            final List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                final int thread = t;
                done.add(pool.submit(() -> {
                    final Random random = new Random(thread);
                    for (int i = 0; i < 5_000; i++) {
                        final String id = "t" + thread + "-" + i;
                        r.revoke(id, NOW + 1 + random.nextInt(1_000_000), NOW);
                        assertThat(r.isRevoked(id, NOW)).isTrue();
                        assertThat(r.isRevoked("t" + ((thread + 1) % 4) + "-x" + i, NOW)).isFalse();
                    }
                    return null;
                }));
            }
            for (final Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(r.size()).isEqualTo(20_000);
        assertThat(r.purgeExpired(NOW + 1_000_001)).isEqualTo(20_000);
    }
}
