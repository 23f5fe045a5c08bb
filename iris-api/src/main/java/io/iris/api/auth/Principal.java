package io.iris.api.auth;

/**
 * An authenticated identity.
 *
 * @param userId          the user, 1 to 64 bytes of UTF-8.
 * @param expiresAtMillis epoch millis after which the session must re-authenticate; {@link Long#MAX_VALUE} if never.
 *                        The engine closes a live session with {@code TOKEN_EXPIRED} once this instant has passed.
 * @param tokenId         the token's unique id (a JWT's {@code jti}) when it carries one, else {@code null}. The
 *                        engine remembers it per session so that revoking the id refuses later logins with the
 *                        token and closes the sessions already opened with it.
 */
public record Principal(String userId, long expiresAtMillis, String tokenId) {
    /**
     * A principal whose token has no id (it cannot be revoked individually).
     *
     * @param userId          the user.
     * @param expiresAtMillis epoch millis after which the session must re-authenticate.
     */
    public Principal(final String userId, final long expiresAtMillis) {
        this(userId, expiresAtMillis, null);
    }
}
