/**
 * The in-memory storage provider ({@code storage=memory}): for tests and ephemeral embedding. Nothing
 * survives the process; {@code sync()} is a no-op because there is nothing more durable to reach.
 */
package io.iris.storage.memory;
