/**
 * The way into the shards: {@link io.iris.engine.ingress.Ingress} (SEND admission and the shard queues, one
 * place for sessions, the embedding API and node links) and the I/O threads'
 * {@link io.iris.engine.ingress.CommandOutbox}, which keeps control commands a full queue refused until the
 * next loop iteration.
 */
package io.iris.engine.ingress;
