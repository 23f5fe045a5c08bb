package io.iris.engine.auth;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The set of revoked token ids ({@code jti}), each kept only while a token carrying it could still be
 * accepted: until the token's expiry plus a grace period (the largest leeway an authenticator applies to
 * {@code exp}). After that the entry is useless, because the token is refused as expired anyway, and it is
 * dropped, so memory is bounded by the tokens revoked within one token lifetime.
 *
 * <h2>Bounds</h2>
 * At most {@code maxEntries} live entries. Expired ones are purged lazily: an expired entry met by
 * {@link #isRevoked} is removed, and {@link #revoke} sweeps the whole map at most once per
 * {@value #PURGE_INTERVAL_MILLIS} ms, and always before refusing a revocation for lack of room. When the
 * map is full of live entries, {@link #revoke} throws {@link IllegalStateException} rather than evict one:
 * silently un-revoking a token would be a security failure, while a loud refusal lets the operator raise
 * the limit or shorten token lifetimes.
 *
 * <p>Thread-safe: {@link #isRevoked} is one lock-free map lookup (it runs on I/O threads at login);
 * {@link #revoke} and {@link #purgeExpired} are rare and serialised.
 */
public final class TokenRevocations {
    /** Default for {@code maxEntries}. */
    public static final int DEFAULT_MAX_ENTRIES = 100_000;
    /** Period of the sweep {@link #revoke} triggers. */
    public static final long PURGE_INTERVAL_MILLIS = 60_000;

    /** Token id to the epoch millis until which it is revoked (inclusive). */
    private final ConcurrentHashMap<String, Long> revokedUntil = new ConcurrentHashMap<>();
    private final int maxEntries;
    private final long graceMillis;
    private long nextPurgeMillis = Long.MIN_VALUE;

    /**
     * @param maxEntries most revocations kept at once; at least 1.
     * @param grace      how long after a token's expiry its revocation is kept: the leeway the authenticator
     *                   applies to {@code exp} (or more); not negative.
     * @throws IllegalArgumentException for a bad argument.
     */
    public TokenRevocations(final int maxEntries, final Duration grace) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be >= 1, got " + maxEntries);
        }
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative, got " + grace);
        }
        this.maxEntries = maxEntries;
        this.graceMillis = grace.toMillis();
    }

    /**
     * Revokes {@code tokenId} until {@code expiresAtMillis} + grace. Revoking an id again keeps the later of
     * the two instants. An id whose token has already expired (beyond the grace) is not stored.
     *
     * @param tokenId         the token id; non-empty.
     * @param expiresAtMillis the token's expiry ({@code exp}), epoch millis.
     * @param nowMillis       the current time, epoch millis.
     * @return true if the id is now (still) revoked, false if the token was already expired.
     * @throws IllegalStateException if {@code maxEntries} live revocations are held already.
     */
    public synchronized boolean revoke(final String tokenId, final long expiresAtMillis, final long nowMillis) {
        checkTokenId(tokenId);
        final long until = JwtAuthenticator.saturatedAdd(expiresAtMillis, graceMillis);
        if (until < nowMillis) {
            return false;
        }
        if (nowMillis >= nextPurgeMillis) {
            purgeExpired(nowMillis);
        }
        if (!revokedUntil.containsKey(tokenId) && revokedUntil.size() >= maxEntries) {
            purgeExpired(nowMillis);
            if (revokedUntil.size() >= maxEntries) {
                throw new IllegalStateException("token revocation list is full (" + maxEntries
                    + " unexpired entries); raise auth.jwt.maxRevocations or shorten token lifetimes");
            }
        }
        revokedUntil.merge(tokenId, until, Math::max);
        return true;
    }

    /**
     * @param tokenId   a token id, or {@code null} (a token without an id is never revoked).
     * @param nowMillis the current time, epoch millis.
     * @return true if the id is revoked at {@code nowMillis}.
     */
    public boolean isRevoked(final String tokenId, final long nowMillis) {
        if (tokenId == null) {
            return false;
        }
        final Long until = revokedUntil.get(tokenId);
        if (until == null) {
            return false;
        }
        if (until < nowMillis) {
            revokedUntil.remove(tokenId, until);
            return false;
        }
        return true;
    }

    /**
     * Drops every entry whose token has expired beyond the grace.
     *
     * @param nowMillis the current time, epoch millis.
     * @return how many entries were dropped.
     */
    public synchronized int purgeExpired(final long nowMillis) {
        final int before = revokedUntil.size();
        revokedUntil.values().removeIf(until -> until < nowMillis);
        nextPurgeMillis = JwtAuthenticator.saturatedAdd(nowMillis, PURGE_INTERVAL_MILLIS);
        return before - revokedUntil.size();
    }

    /** @return entries held now, expired ones not yet purged included. */
    public int size() {
        return revokedUntil.size();
    }

    /** @return the most entries kept at once. */
    public int maxEntries() {
        return maxEntries;
    }

    static void checkTokenId(final String tokenId) {
        Objects.requireNonNull(tokenId, "tokenId");
        if (tokenId.isEmpty()) {
            throw new IllegalArgumentException("tokenId must not be empty");
        }
    }

    @Override
    public String toString() {
        return "TokenRevocations[size=" + revokedUntil.size() + ", maxEntries=" + maxEntries
            + ", graceMillis=" + graceMillis + "]";
    }
}
