package io.iris.engine.placement;

import io.iris.engine.routing.Shard;
import org.agrona.DirectBuffer;

/**
 * Where a user lives: the node that is the user's home (it orders the inbox and holds the device sessions)
 * and, on that node, the {@link Shard} that owns the user. A single-node engine is the degenerate case: every
 * user's node is {@link #localNode()} ({@link SingleNodePlacement}); a cluster maps users to nodes over its
 * members.
 *
 * <p>Called on I/O threads for every SEND and on shard threads: implementations must be thread-safe, must not
 * block, and must not allocate for the {@link DirectBuffer} forms (they hash the id's UTF-8 bytes in place).
 */
public interface Placement {
    /** @return this node's index (see {@link DeviceAddress}). */
    int localNode();

    /** @return the shards of a node (every node of a cluster runs the same count). */
    Shard shards();

    /**
     * @param userId buffer holding the user id's UTF-8 bytes.
     * @param offset where they start.
     * @param length how many.
     * @return the user's home node.
     */
    int nodeOf(DirectBuffer userId, int offset, int length);

    /**
     * @param userId the user id.
     * @return the user's home node, the same as for the id's UTF-8 bytes.
     */
    int nodeOf(String userId);

    /**
     * @param userId buffer holding the user id's UTF-8 bytes.
     * @param offset where they start.
     * @param length how many.
     * @return the user's shard on its home node.
     */
    default int shardOf(final DirectBuffer userId, final int offset, final int length) {
        return shards().shardOf(userId, offset, length);
    }

    /**
     * @param userId the user id.
     * @return the user's shard on its home node.
     */
    default int shardOf(final String userId) {
        return shards().shardOf(userId);
    }
}
