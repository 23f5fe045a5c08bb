package io.iris.engine.ratelimit;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link TokenBucket} per logged-in user, shared by all of the user's connections: a session
 * {@link #acquire acquires} the bucket at login and {@link #release releases} it at close; the bucket
 * is dropped when the user's last session goes, so memory follows online users, not all users.
 */
public final class UserRateLimits {
    private final int ratePerSecond;
    private final int burst;
    private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    /**
     * @param ratePerSecond sustained sends per second per user.
     * @param burst         sends a user may make at once.
     */
    public UserRateLimits(final int ratePerSecond, final int burst) {
        new TokenBucket(ratePerSecond, burst); // validates
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
    }

    /**
     * @param userId a user logging in.
     * @return the user's bucket (shared with the user's other sessions).
     */
    public TokenBucket acquire(final String userId) {
        return buckets.compute(userId, (k, b) -> {
            final TokenBucket bucket = b == null ? new TokenBucket(ratePerSecond, burst) : b;
            bucket.sessions++; // under the map's lock for this key
            return bucket;
        });
    }

    /**
     * @param userId a user whose session closed; must match an earlier {@link #acquire}.
     */
    public void release(final String userId) {
        buckets.computeIfPresent(userId, (k, b) -> --b.sessions == 0 ? null : b);
    }

    /** @return how many users hold a bucket now. */
    public int size() {
        return buckets.size();
    }
}
