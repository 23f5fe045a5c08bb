package io.iris.transport.limit;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The per-address token buckets, driven by a manual clock. */
class AddressRateLimiterTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    /** An arbitrary clock origin, negative to catch comparisons that are not wrap-safe. */
    private static final long T0 = -5_000_000_000_000L;

    private static InetAddress ip(final String literal) throws UnknownHostException {
        return InetAddress.getByName(literal); // a literal: no name lookup
    }

    @Test
    void allowsTheBurstThenRefusesWithTheWaitUntilTheNextToken() throws Exception {
        final AddressRateLimiter limiter = new AddressRateLimiter(10, 1, TimeUnit.SECONDS, 5, 1024);
        final InetAddress a = ip("203.0.113.7");
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.tryAcquire(a, T0)).as("token %d of the burst", i).isZero();
        }
        final long wait = limiter.tryAcquire(a, T0);
        assertThat(wait).as("one token per 100 ms").isEqualTo(SECOND / 10);
        assertThat(limiter.waitNanos(a, T0)).isEqualTo(wait);
        // refusals take nothing: still the same wait
        assertThat(limiter.tryAcquire(a, T0)).isEqualTo(wait);
        assertThat(limiter.tryAcquire(a, T0 + wait - 1)).isEqualTo(1);
        assertThat(limiter.tryAcquire(a, T0 + wait)).isZero();
        assertThat(limiter.tryAcquire(a, T0 + wait)).isPositive();
    }

    @Test
    void sustainsTheRateAndRecoversTheFullBurstAtRest() throws Exception {
        final AddressRateLimiter limiter = new AddressRateLimiter(10, 1, TimeUnit.SECONDS, 3, 64);
        final InetAddress a = ip("198.51.100.1");
        long now = T0;
        int granted = 0;
        for (int step = 0; step < 100; step++) { // 10 s in steps of 100 ms: the rate, plus the burst once
            while (limiter.tryAcquire(a, now) == 0) {
                granted++;
                assertThat(granted).as("bounded").isLessThan(1000);
            }
            now += SECOND / 10;
        }
        assertThat(granted).isEqualTo(3 + 99);
        now += 10 * SECOND; // long at rest: the bucket is full again, but no fuller than the burst
        assertThat(limiter.waitNanos(a, now)).isZero();
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryAcquire(a, now)).isZero();
        }
        assertThat(limiter.tryAcquire(a, now)).isPositive();
        assertThat(limiter.limitedAddresses(now)).isEqualTo(1);
        assertThat(limiter.limitedAddresses(now + SECOND)).isZero();
    }

    @Test
    void perMinuteRates() throws Exception {
        final AddressRateLimiter limiter = new AddressRateLimiter(6, 1, TimeUnit.MINUTES, 2, 64);
        final InetAddress a = ip("192.0.2.200");
        assertThat(limiter.tryAcquire(a, T0)).isZero();
        assertThat(limiter.tryAcquire(a, T0)).isZero();
        assertThat(limiter.tryAcquire(a, T0)).isEqualTo(10 * SECOND);
        assertThat(limiter.tryAcquire(a, T0 + 10 * SECOND)).isZero();
    }

    @Test
    void addressesAreLimitedIndependently() throws Exception {
        final AddressRateLimiter limiter = new AddressRateLimiter(1, 1, TimeUnit.SECONDS, 1, 64);
        assertThat(limiter.tryAcquire(ip("127.0.0.1"), T0)).isZero();
        assertThat(limiter.tryAcquire(ip("127.0.0.1"), T0)).isPositive();
        assertThat(limiter.tryAcquire(ip("127.0.0.2"), T0)).isZero();
        assertThat(limiter.waitNanos(ip("127.0.0.3"), T0)).as("unknown address: full bucket").isZero();
        assertThat(limiter.limitedAddresses(T0)).as("peeking stores nothing").isEqualTo(2);
    }

    @Test
    void ipv6IsLimitedPerSlash64AndIpv4MappedIsIpv4() throws Exception {
        final AddressRateLimiter limiter = new AddressRateLimiter(1, 1, TimeUnit.SECONDS, 2, 64);
        assertThat(limiter.tryAcquire(ip("2001:db8:aaaa:1::1"), T0)).isZero();
        assertThat(limiter.tryAcquire(ip("2001:db8:aaaa:1:ffff:ffff:ffff:fffe"), T0)).as("same /64").isZero();
        assertThat(limiter.tryAcquire(ip("2001:db8:aaaa:1::9"), T0)).as("same /64, burst used").isPositive();
        assertThat(limiter.tryAcquire(ip("2001:db8:aaaa:2::1"), T0)).as("another /64").isZero();
        assertThat(limiter.tryAcquire(ip("::1"), T0)).isZero();

        assertThat(AddressKey.of(ip("::ffff:10.1.2.3"))).isEqualTo(AddressKey.of(ip("10.1.2.3")));
        assertThat(AddressKey.of(ip("10.1.2.3")).toString()).isEqualTo("10.1.2.3");
        assertThat(AddressKey.of(ip("2001:db8:aaaa:1::1")).toString()).isEqualTo("2001:db8:aaaa:1::/64");
        assertThat(AddressKey.of(ip("255.255.255.255")).lo()).isEqualTo(0xFFFF_FFFF_FFFFL);
        assertThat(AddressKey.of(ip("2001:db8:aaaa:1::1"))).isNotEqualTo(AddressKey.of(ip("2001:db8:aaaa:3::1")));
    }

    @Test
    void staysWithinItsCapacityUnderAFloodOfDistinctAddressesAndKeepsTheLimitedOnes() throws Exception {
        final AddressRateLimiter limiter = new AddressRateLimiter(1, 1, TimeUnit.SECONDS, 3, 1000);
        assertThat(limiter.capacity()).isEqualTo(1024);
        final InetAddress attacker = ip("192.0.2.66");
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryAcquire(attacker, T0)).isZero();
        }
        assertThat(limiter.tryAcquire(attacker, T0)).isPositive();

        final Random random = new Random(42);
        final byte[] v4 = new byte[4];
        final byte[] v6 = new byte[16];
        for (int i = 0; i < 200_000; i++) {
            final InetAddress a;
            if ((i & 1) == 0) {
                random.nextBytes(v4);
                a = InetAddress.getByAddress(v4);
            } else {
                random.nextBytes(v6);
                a = InetAddress.getByAddress(v6);
            }
            assertThat(limiter.tryAcquire(a, T0)).as("a first connection is always allowed").isZero();
        }
        assertThat(limiter.limitedAddresses(T0)).isLessThanOrEqualTo(limiter.capacity());
        assertThat(limiter.evictions()).as("the table was full of live buckets").isPositive();
        // the victims were the addresses that used least of their allowance, never the one being limited
        assertThat(limiter.tryAcquire(attacker, T0)).isPositive();
        // a second later every one-shot bucket is at rest again: reusable without eviction
        final long evictions = limiter.evictions();
        assertThat(limiter.limitedAddresses(T0 + SECOND)).isEqualTo(1); // only the attacker (3 tokens used)
        for (int i = 0; i < 5_000; i++) {
            random.nextBytes(v4);
            assertThat(limiter.tryAcquire(InetAddress.getByAddress(v4), T0 + SECOND)).isZero();
        }
        assertThat(limiter.evictions() - evictions).as("at-rest slots are reused first").isLessThan(5_000);
    }

    @Test
    void rejectsBadSettings() {
        assertThatThrownBy(() -> new AddressRateLimiter(0, 1, TimeUnit.SECONDS, 1, 8))
            .hasMessageContaining("permits must be at least 1, was 0");
        assertThatThrownBy(() -> new AddressRateLimiter(1, 1, TimeUnit.SECONDS, 0, 8))
            .hasMessageContaining("burst must be at least 1, was 0");
        assertThatThrownBy(() -> new AddressRateLimiter(1, 1, TimeUnit.SECONDS, 1, 0))
            .hasMessageContaining("capacity must be in");
        assertThatThrownBy(() -> new AddressRateLimiter(1, 1, TimeUnit.DAYS, Integer.MAX_VALUE, 8))
            .hasMessageContaining("spans more time than a long holds");
        assertThat(new AddressRateLimiter(1, 1, TimeUnit.SECONDS, 1, 1).capacity()).isEqualTo(AddressRateLimiter.WAYS);
        assertThat(new AddressRateLimiter(1, 1, TimeUnit.SECONDS, 1, 4096).capacity()).isEqualTo(4096);
    }
}
