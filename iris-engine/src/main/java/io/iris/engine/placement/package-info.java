/**
 * Node-aware addressing: {@link io.iris.engine.placement.Placement} maps a user to its home node and shard
 * ({@link io.iris.engine.placement.SingleNodePlacement} for one node), and
 * {@link io.iris.engine.placement.DeviceAddress} packs (node, connection) into the {@code long} that names a
 * device session everywhere in the engine.
 */
package io.iris.engine.placement;
