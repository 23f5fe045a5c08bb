package io.iris.engine.session;

import io.iris.engine.ratelimit.TokenBucket;

/**
 * Per-connection state kept on the connection's I/O thread. Empty until login; after login it holds
 * the user, the device, the token's expiry and id (for revocation) and the user's shared token bucket.
 * Small on purpose: one exists per connected client.
 */
final class Session {
    String userId;
    byte[] userBytes;
    int homeShard;
    long expiresAtMillis;
    /** The token's id ({@code jti}), or null: the key under which {@link LiveTokens} tracks this session. */
    String tokenId;
    TokenBucket bucket;

    boolean authenticated() {
        return userId != null;
    }
}
