package io.iris.engine.ratelimit;

import io.iris.transport.limit.AddressRateLimiter;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Failed-login limits per source address: every refused token (bad, expired, revoked) takes a token from
 * its address's bucket ({@code failuresPerMinute} per minute, {@code burst} at once); while the bucket is
 * empty, LOGINs from that address are refused <i>before</i> the token is verified, so a flood of bad tokens
 * costs a table lookup each instead of a signature check. Successful logins take nothing and are never
 * slowed: a legitimate user is throttled only if its address produced the failures.
 *
 * <p>Thread-safe (logins run on every I/O thread); memory is the fixed table of an
 * {@link AddressRateLimiter}. The check of a successful login allocates nothing for an IPv4 address.
 */
public final class LoginThrottle {
    private final AddressRateLimiter failures;
    private final AtomicLong throttled = new AtomicLong();

    private LoginThrottle(final AddressRateLimiter failures) {
        this.failures = failures;
    }

    /**
     * @param failuresPerMinute sustained failed logins per minute per address; 0 disables the throttle.
     * @param burst             failed logins an address may make at once; 0 disables the throttle.
     * @param trackedAddresses  addresses tracked at once (the table's capacity).
     * @return a throttle.
     * @throws IllegalArgumentException for negative values or a capacity out of range.
     */
    public static LoginThrottle of(final int failuresPerMinute, final int burst, final int trackedAddresses) {
        if (failuresPerMinute < 0 || burst < 0) {
            throw new IllegalArgumentException("failuresPerMinute and burst must be >= 0 (0 disables), were "
                + failuresPerMinute + ", " + burst);
        }
        if (failuresPerMinute == 0 || burst == 0) {
            return disabled();
        }
        return new LoginThrottle(new AddressRateLimiter(failuresPerMinute, 1, TimeUnit.MINUTES, burst,
            trackedAddresses));
    }

    /** @return a throttle that never throttles. */
    public static LoginThrottle disabled() {
        return new LoginThrottle(null);
    }

    /**
     * Asks before verifying a LOGIN's token.
     *
     * @param address  the connection's source address, or null if unknown (never throttled).
     * @param nowNanos a monotonic clock reading.
     * @return 0 if the login may proceed; otherwise the milliseconds (at least 1) until the address may
     * try again; the caller refuses the login with {@code LOGIN_THROTTLED}.
     */
    public long retryAfterMillis(final InetAddress address, final long nowNanos) {
        if (failures == null || address == null) {
            return 0;
        }
        final long wait = failures.waitNanos(address, nowNanos);
        if (wait <= 0) {
            return 0;
        }
        throttled.incrementAndGet();
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait + 999_999));
    }

    /**
     * Records a refused token.
     *
     * @param address  the connection's source address, or null if unknown (not recorded).
     * @param nowNanos a monotonic clock reading.
     */
    public void failed(final InetAddress address, final long nowNanos) {
        if (failures != null && address != null) {
            failures.tryAcquire(address, nowNanos);
        }
    }

    /** @return true if this throttle can refuse logins. */
    public boolean enabled() {
        return failures != null;
    }

    /** @return LOGINs refused by this throttle since it was made. */
    public long throttledLogins() {
        return throttled.get();
    }

    @Override
    public String toString() {
        return failures == null ? "LoginThrottle{off}" : "LoginThrottle{" + failures.permits() + "/min, burst "
            + failures.burst() + '}';
    }
}
