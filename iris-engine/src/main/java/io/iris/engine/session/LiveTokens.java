package io.iris.engine.session;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which open connections logged in with which token id ({@code jti}): what lets a revocation close the
 * sessions a revoked token already opened. I/O threads add a connection at login and remove it when it
 * closes, so the map holds at most one entry per live session (sessions whose token has no id are not
 * tracked). Any thread may look up a token id.
 *
 * <p>Each value is an immutable array of connection ids, replaced (copy-on-write) under the map's per-key
 * lock: a token is normally used by one connection, rarely by a few, and readers get a consistent
 * snapshot without locking.
 */
final class LiveTokens {
    private static final long[] NONE = new long[0];

    private final ConcurrentHashMap<String, long[]> connectionsByToken = new ConcurrentHashMap<>();

    void add(final String tokenId, final long connectionId) {
        connectionsByToken.compute(tokenId, (k, ids) -> {
            if (ids == null) {
                return new long[] {connectionId};
            }
            final long[] more = Arrays.copyOf(ids, ids.length + 1);
            more[ids.length] = connectionId;
            return more;
        });
    }

    void remove(final String tokenId, final long connectionId) {
        connectionsByToken.computeIfPresent(tokenId, (k, ids) -> {
            int n = 0;
            final long[] rest = new long[ids.length];
            for (final long id : ids) {
                if (id != connectionId) {
                    rest[n++] = id;
                }
            }
            return n == 0 ? null : Arrays.copyOf(rest, n);
        });
    }

    /** @return the ids of the open connections that logged in with {@code tokenId}; a fresh array. */
    long[] connections(final String tokenId) {
        final long[] ids = connectionsByToken.get(tokenId);
        return ids == null ? NONE : ids.clone();
    }

    /** @return token ids with at least one open connection. */
    int size() {
        return connectionsByToken.size();
    }
}
