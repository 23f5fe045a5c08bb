package io.iris.api;

import io.iris.protocol.SendReceipt;
import io.iris.protocol.Presence;
import io.iris.api.flow.OverloadLevel;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * A running Iris engine, as the embedding application sees it. Built and started by
 * {@code io.iris.engine.IrisEngine.builder()}.
 *
 * <p>Thread-safe. {@link #close()} drains gracefully: it stops accepting connections, sends GOAWAY to
 * every client, waits for in-flight sends to be acknowledged, then stops.
 */
public interface Iris extends AutoCloseable {
    /**
     * Sends a message from application code, as if {@code senderId} had sent it. Subject to the same
     * durability, dedup and ordering rules as a client SEND, but not to the per-user rate limit.
     *
     * @param senderId    the user shown as the sender; must be a valid user id ({@link UserIds}).
     * @param recipientId the user whose inbox receives the message; one that is not a valid user id
     *                    ({@link UserIds}) is answered {@link SendStatus#INVALID_RECIPIENT}, as a client SEND is.
     * @param clientMsgId the dedup key together with {@code senderId}; retrying with the same value
     *                    within the dedup window stores nothing twice.
     * @param payload     the message body, at most the configured maximum payload size.
     * @return a future completed with the receipt once the message is durable (or refused).
     * @throws IllegalArgumentException if {@code senderId} is not a valid user id.
     */
    CompletableFuture<SendReceipt> send(String senderId, String recipientId, long clientMsgId, byte[] payload);

    /**
     * @param userId the user to look up.
     * @return a future completed with the user's presence.
     * @throws IllegalArgumentException if {@code userId} is not a valid user id ({@link UserIds}).
     */
    CompletableFuture<Presence> presence(String userId);

    /**
     * Revokes a token by its id (a JWT's {@code jti}, see {@link io.iris.api.auth.Principal#tokenId()}): from now on
     * a LOGIN with a token carrying this id is refused with {@link ErrorCode#AUTH_FAILED}, and every live session
     * that logged in with it is closed with {@link ErrorCode#AUTH_FAILED} ("token revoked"). The revocation is
     * kept until the token can no longer be accepted anyway ({@code expiresAt} plus the authenticator's largest
     * leeway), so memory stays bounded. Thread-safe; returns without waiting for the sessions to close.
     *
     * @param tokenId   the token id, non-empty.
     * @param expiresAt the token's expiry ({@code exp}); a later instant is safe, an earlier one is not.
     * @return how many live sessions were asked to close.
     * @throws IllegalStateException if the engine keeps its maximum number of revocations already.
     */
    int revokeToken(String tokenId, Instant expiresAt);

    /**
     * @return the engine's overload level now (see {@link OverloadLevel} for what each level
     * refuses). Cheap: reads the level the engine's flow-control sampler last published.
     */
    OverloadLevel overloadLevel();

    /** @return the TCP port the engine accepts client connections on. */
    int port();

    /** Stops the engine gracefully; see the class comment. Idempotent. */
    @Override
    void close();
}
