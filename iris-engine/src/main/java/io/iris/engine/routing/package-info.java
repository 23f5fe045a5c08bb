/**
 * Shards and routing: {@link io.iris.engine.routing.HashShard} maps users to shards,
 * {@link io.iris.engine.routing.ShardAgent} is the single thread owning a shard's users, and
 * {@link io.iris.engine.routing.DeviceRouter} delivers their messages to online devices.
 */
package io.iris.engine.routing;
