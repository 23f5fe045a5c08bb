package io.iris.engine.admin;

import io.iris.api.IrisConfig;
import io.iris.api.flow.OverloadLevel;
import io.iris.engine.flow.SignalReading;
import io.iris.engine.routing.DeviceSession;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the {@link AdminApi} may do to a running engine: implemented by {@link io.iris.engine.IrisEngine}, which
 * hands it only to its own {@link AdminApi}. Every operation is thread-safe and none blocks a shard or I/O thread:
 * questions about users are commands to the user's home shard, answered through a future.
 */
public interface EngineControl {
    /**
     * @param userId a valid user id.
     * @return the user's device sessions, completed on the user's home shard; failed if its queue is full or the
     * engine stopped.
     */
    CompletableFuture<List<DeviceSession>> sessions(String userId);

    /**
     * Closes device sessions of a user on its home shard (ERROR {@link
     * io.iris.engine.routing.ShardAgent#ADMIN_DISCONNECT_CODE}).
     *
     * @param userId   a valid user id.
     * @param deviceId one device, or null for all of the user's devices.
     * @return how many sessions were closed; failed as {@link #sessions}.
     */
    CompletableFuture<Integer> disconnect(String userId, String deviceId);

    /**
     * Revokes a token id and closes the live sessions using it ({@link io.iris.engine.IrisEngine#revokeToken}).
     *
     * @param tokenId   the token id ({@code jti}).
     * @param expiresAt the token's expiry, or null when unknown: then the latest expiry a token accepted now can
     *                  have ({@code auth.jwt.maxLifetimeSeconds} from now).
     * @return live sessions closed.
     */
    int revokeToken(String tokenId, Instant expiresAt);

    /** Starts a graceful stop (GOAWAY to every client, then stop) on another thread and returns at once. */
    void drainAndStop();

    /** @return the configuration the engine was started with (secrets included: redact before showing). */
    IrisConfig config();

    /** @return the current overload level. */
    OverloadLevel overloadLevel();

    /** @return the signals behind the level, as last sampled. */
    List<SignalReading> overloadSignals();
}
