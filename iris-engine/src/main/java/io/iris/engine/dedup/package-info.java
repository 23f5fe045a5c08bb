/** Dedup of retried sends: the bounded window of recent (sender, client message id) keys per shard. */
package io.iris.engine.dedup;
