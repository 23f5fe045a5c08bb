/**
 * Where a message goes: {@link io.iris.api.routing.Shard} maps a user to the engine shard that owns
 * it, and {@link io.iris.api.routing.Router} hands a durable message to every online device of its
 * recipient.
 */
package io.iris.api.routing;
