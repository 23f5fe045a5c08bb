package io.iris.api.flow;

/**
 * Decides, before a SEND is queued to its shard, whether the engine admits it. A refused SEND is
 * answered with the retryable {@code OVERLOADED} status and the returned delay: never silently dropped.
 *
 * <p>Called on I/O threads for every SEND: implementations must be thread-safe, must not block and
 * must not allocate.
 */
public interface FlowController {
    /**
     * @param shard the shard the SEND would be queued to.
     * @return 0 to admit, otherwise the number of milliseconds the sender should wait before retrying.
     */
    long admit(int shard);
}
