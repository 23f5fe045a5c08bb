/**
 * Group commit: the {@link io.iris.engine.durability.DurableBatcher} contract and its implementation
 * {@link io.iris.engine.durability.GroupCommitBatcher}: many inbox appends made durable by one storage sync
 * before any of them is acknowledged.
 */
package io.iris.engine.durability;
