package io.iris.api.auth;

/**
 * An authenticated identity.
 *
 * @param userId          the user, 1 to 64 bytes of UTF-8.
 * @param expiresAtMillis epoch millis after which the session must re-authenticate; {@link Long#MAX_VALUE} if never.
 */
public record Principal(String userId, long expiresAtMillis) {
}
