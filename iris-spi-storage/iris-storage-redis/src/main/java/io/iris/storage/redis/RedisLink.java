package io.iris.storage.redis;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

/**
 * Live connections to Redis (to a standalone server, or to a whole cluster with its node connections),
 * in a few lanes: each lane is one ordered connection, and every operation on a user's inbox goes
 * through the same lane, so a user's commands stay in order. Several lanes let Redis read more
 * commands per event-loop turn, and so share one {@code appendfsync always} fsync among more appends.
 * A link is never repaired: when it breaks, {@link RedisInboxStore} closes it and asks
 * {@link RedisConnector} for a new one, under its circuit breaker.
 */
interface RedisLink extends AutoCloseable {
    /**
     * @param lane a lane, from 0 to {@link #lanes()} - 1.
     * @return asynchronous commands on that lane; in a cluster they are routed by their first key's
     * slot, following MOVED and ASK redirects.
     */
    RedisClusterAsyncCommands<byte[], byte[]> async(int lane);

    /** @return how many lanes (connections) the link has. */
    int lanes();

    /**
     * Loads the scripts into the script cache of every node, waiting at most {@code timeoutMillis}.
     *
     * @param scripts       the Lua sources.
     * @param timeoutMillis the most to wait.
     * @throws RuntimeException if any node did not load them.
     */
    void loadScripts(String[] scripts, long timeoutMillis);

    /**
     * Runs {@code WAIT replicas timeout} on every lane and every master it writes to, so it covers
     * every write made through the link before the call.
     *
     * @param replicas      replicas that must acknowledge.
     * @param timeoutMillis the WAIT timeout.
     * @param awaitMillis   the most to wait for the answers (beyond the WAIT timeout).
     * @return the fewest replicas any master reported.
     * @throws RuntimeException if a master could not be asked.
     */
    long waitForReplicas(int replicas, long timeoutMillis, long awaitMillis);

    /** @return false once a connection dropped or was closed. */
    boolean isOpen();

    /** Closes the connection(s); commands in flight fail. Idempotent. */
    @Override
    void close();
}
