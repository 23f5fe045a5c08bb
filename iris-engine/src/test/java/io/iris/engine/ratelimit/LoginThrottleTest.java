package io.iris.engine.ratelimit;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Failed-login limits with a manual clock. */
class LoginThrottleTest {
    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);
    private static final long T0 = 123_456_789L;

    @Test
    void throttlesAnAddressAfterItsBurstOfFailuresUntilATokenComesBack() throws Exception {
        final LoginThrottle throttle = LoginThrottle.of(6, 3, 1024); // a failure forgiven every 10 s
        final InetAddress bad = InetAddress.getByName("198.51.100.9");
        final InetAddress good = InetAddress.getByName("198.51.100.10");
        for (int i = 0; i < 3; i++) {
            assertThat(throttle.retryAfterMillis(bad, T0)).as("attempt %d", i).isZero();
            throttle.failed(bad, T0);
        }
        assertThat(throttle.retryAfterMillis(bad, T0)).isEqualTo(10_000);
        assertThat(throttle.retryAfterMillis(bad, T0 + MINUTE / 6 - 1_000_000)).isEqualTo(1);
        assertThat(throttle.retryAfterMillis(good, T0)).as("another address").isZero();
        assertThat(throttle.throttledLogins()).isEqualTo(2);

        assertThat(throttle.retryAfterMillis(bad, T0 + MINUTE / 6)).as("one failure forgiven").isZero();
        throttle.failed(bad, T0 + MINUTE / 6);
        assertThat(throttle.retryAfterMillis(bad, T0 + MINUTE / 6)).isPositive();
        assertThat(throttle.retryAfterMillis(bad, T0 + 10 * MINUTE)).as("at rest").isZero();
    }

    @Test
    void successfulLoginsTakeNothing() throws Exception {
        final LoginThrottle throttle = LoginThrottle.of(1, 1, 64);
        final InetAddress a = InetAddress.getByName("2001:db8::5");
        for (int i = 0; i < 1000; i++) {
            assertThat(throttle.retryAfterMillis(a, T0 + i)).isZero(); // checked, never failed
        }
        throttle.failed(a, T0);
        assertThat(throttle.retryAfterMillis(InetAddress.getByName("2001:db8::6"), T0)).as("same /64").isPositive();
        assertThat(throttle.retryAfterMillis(InetAddress.getByName("2001:db8:0:1::6"), T0)).isZero();
    }

    @Test
    void zeroDisablesAndUnknownAddressesAreNotThrottled() throws Exception {
        for (final LoginThrottle off : new LoginThrottle[] {LoginThrottle.of(0, 5, 64), LoginThrottle.of(5, 0, 64),
            LoginThrottle.disabled()}) {
            final InetAddress a = InetAddress.getByName("127.0.0.1");
            for (int i = 0; i < 100; i++) {
                off.failed(a, T0);
            }
            assertThat(off.retryAfterMillis(a, T0)).isZero();
            assertThat(off.enabled()).isFalse();
        }
        final LoginThrottle on = LoginThrottle.of(1, 1, 64);
        on.failed(null, T0);
        assertThat(on.retryAfterMillis(null, T0)).isZero();
        assertThatThrownBy(() -> LoginThrottle.of(-1, 1, 64)).hasMessageContaining("must be >= 0");
    }
}
