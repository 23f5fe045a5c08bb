/**
 * The way out of a shard: {@link io.iris.engine.egress.Egress} sends frames to device addresses without
 * waiting, {@link io.iris.engine.egress.TransportEgress} to this node's connections through a bounded outbox.
 */
package io.iris.engine.egress;
