/**
 * The Redis storage provider ({@code storage=redis}): inboxes in a standalone Redis server or a Redis
 * Cluster, through Lettuce, so several Iris nodes can share them. Durability is Redis's: an append is
 * acknowledged once Redis replied to it (fsynced first with {@code appendfsync always}), and optionally
 * once {@code WAIT} saw enough replicas. See {@link io.iris.storage.redis.RedisInboxStore} for how
 * appends are pipelined and {@code docs/storage.md} for the key layout and settings.
 */
package io.iris.storage.redis;
