package io.iris.engine.routing;

import org.agrona.DirectBuffer;

/**
 * Maps a user id to the engine shard (one single-threaded agent) that owns the user's inbox, cursors,
 * dedup window and online devices. Every piece of per-user state lives on exactly one shard, so it is
 * touched by one thread only.
 *
 * <p>Pure function of the user id's UTF-8 bytes and {@link #count()}; the two {@code shardOf}
 * methods agree. Must not allocate.
 */
public interface Shard {
    /** @return the number of shards, at least 1. */
    int count();

    /**
     * @param userId buffer holding the user id's UTF-8 bytes.
     * @param offset where they start.
     * @param length how many.
     * @return the owning shard, in {@code [0, count())}.
     */
    int shardOf(DirectBuffer userId, int offset, int length);

    /**
     * @param userId the user id.
     * @return the owning shard, the same as for the id's UTF-8 bytes.
     */
    int shardOf(String userId);
}
