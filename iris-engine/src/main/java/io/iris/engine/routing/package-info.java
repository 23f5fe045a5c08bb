/**
 * Shards and routing, the engine's named interfaces and their implementations: {@link io.iris.engine.routing.Shard}
 * ({@link io.iris.engine.routing.HashShard}) maps users to shards, {@link io.iris.engine.routing.ShardAgent} is
 * the single thread owning a shard's users, {@link io.iris.engine.routing.Router}
 * ({@link io.iris.engine.routing.DeviceRouter}) delivers their messages to online devices by device address, and
 * {@link io.iris.engine.routing.ShardCommand} / {@link io.iris.engine.routing.ReplyOrigin} lay out the commands
 * that enter a shard. Not SPIs: nothing here is meant to be implemented outside the engine.
 */
package io.iris.engine.routing;
