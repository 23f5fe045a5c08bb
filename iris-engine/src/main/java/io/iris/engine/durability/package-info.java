/** Group commit: {@link io.iris.engine.durability.GroupCommitBatcher}. */
package io.iris.engine.durability;
