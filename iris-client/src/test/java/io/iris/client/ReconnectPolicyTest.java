package io.iris.client;

import io.iris.protocol.ErrorCode;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** When {@link ReconnectPolicy} stops, waits the server's delay, or backs off (never below the advice). */
class ReconnectPolicyTest {
    private static final long MIN = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MAX = TimeUnit.MILLISECONDS.toNanos(80);

    private static ReconnectPolicy policy(final boolean reconnect) {
        return new ReconnectPolicy(reconnect, new Backoff(MIN, MAX));
    }

    private static SessionEnd loggedIn(final SessionEnd end) {
        end.loggedIn = true;
        return end;
    }

    @Test
    void stopsOnTerminalEndsAndWhenReconnectionIsOff() {
        assertThat(policy(true).delayNanos(SessionEnd.terminal("replaced", ErrorCode.DEVICE_REPLACED), 0))
            .isEqualTo(ReconnectPolicy.STOP);
        assertThat(policy(false).delayNanos(SessionEnd.retry("lost", null, null), 0)).isEqualTo(ReconnectPolicy.STOP);
    }

    @Test
    void waitsTheServersDelayAfterGoAway() {
        assertThat(policy(true).delayNanos(SessionEnd.after("GOAWAY", 1_234), 0)).isEqualTo(1_234);
    }

    @Test
    void backsOffMoreWithEachFailureInARowAndStartsOverAfterALogin() {
        final ReconnectPolicy policy = policy(true);
        for (int i = 0; i < 10; i++) {
            assertThat(policy.delayNanos(SessionEnd.retry("refused", null, null), 0)).isBetween(MIN, MAX);
        }
        // after ten failures the ceiling is MAX; a login resets the count: the first delay is at most 2 * MIN again
        for (int i = 0; i < 50; i++) {
            assertThat(policy.delayNanos(loggedIn(SessionEnd.retry("lost", null, null)), 0)).isBetween(MIN, 2 * MIN);
        }
    }

    @Test
    void neverComesBackSoonerThanTheServersAdvice() {
        final long advice = TimeUnit.SECONDS.toNanos(2);
        for (int i = 0; i < 50; i++) {
            assertThat(policy(true).delayNanos(SessionEnd.throttled("throttled", ErrorCode.LOGIN_THROTTLED, advice), 0))
                .isGreaterThanOrEqualTo(advice);
        }
    }

    @Test
    void aListenerThatKeepsFailingCountsAsThatManyFailedAttempts() {
        long longest = 0;
        for (int i = 0; i < 50; i++) {
            // 6 failures in a row: the ceiling is min(MAX, MIN * 2^7) = MAX instead of 2 * MIN for a first attempt
            final long delay = policy(true).delayNanos(SessionEnd.listenerFailed("listener", null), 6);
            assertThat(delay).isBetween(MIN, MAX);
            longest = Math.max(longest, delay);
        }
        assertThat(longest).as("backed off beyond a first attempt's ceiling").isGreaterThan(2 * MIN);
    }
}
