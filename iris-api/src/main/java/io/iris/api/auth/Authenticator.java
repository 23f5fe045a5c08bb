package io.iris.api.auth;

/**
 * Verifies the token a client presents in its LOGIN frame.
 *
 * <p>Called on an I/O thread once per login: it must not block on the network. Implementations are
 * thread-safe. A token is accepted only if it proves the user's identity now; anything else throws.
 */
@FunctionalInterface
public interface Authenticator {
    /**
     * @param token       the token as sent by the client (e.g. a compact JWT).
     * @param nowMillis   the current time, epoch millis.
     * @return who the token identifies and until when it is valid.
     * @throws AuthenticationException when the token is refused; its code says why.
     */
    Principal authenticate(String token, long nowMillis) throws AuthenticationException;
}
