package io.iris.engine.routing;

import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * {@link Shard} by a 32-bit FNV-1a hash of the user id's UTF-8 bytes, finished with a bit mixer so
 * that similar ids spread evenly, reduced modulo the shard count.
 */
public final class HashShard implements Shard {
    private final int count;

    /**
     * @param count number of shards, at least 1.
     */
    public HashShard(final int count) {
        if (count < 1) {
            throw new IllegalArgumentException("shard count must be at least 1: " + count);
        }
        this.count = count;
    }

    @Override
    public int count() {
        return count;
    }

    @Override
    public int shardOf(final DirectBuffer userId, final int offset, final int length) {
        return Math.floorMod(hash(userId, offset, length), count);
    }

    @Override
    public int shardOf(final String userId) {
        final byte[] bytes = userId.getBytes(StandardCharsets.UTF_8);
        int h = 0x811C9DC5;
        for (final byte b : bytes) {
            h = (h ^ (b & 0xFF)) * 0x01000193;
        }
        return Math.floorMod(mix(h), count);
    }

    /**
     * @param b      buffer.
     * @param offset start.
     * @param length length.
     * @return the mixed FNV-1a hash of the bytes; also used by the shard's user table.
     */
    static int hash(final DirectBuffer b, final int offset, final int length) {
        int h = 0x811C9DC5;
        for (int i = 0; i < length; i++) {
            h = (h ^ (b.getByte(offset + i) & 0xFF)) * 0x01000193;
        }
        return mix(h);
    }

    private static int mix(final int x) {
        int h = x;
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        h ^= h >>> 16;
        return h;
    }
}
