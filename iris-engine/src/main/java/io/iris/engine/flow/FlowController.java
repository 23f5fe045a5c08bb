package io.iris.engine.flow;

import io.iris.api.flow.OverloadLevel;

/**
 * Decides, before a SEND is queued to its shard, whether the engine admits it. A refused SEND is
 * answered with the retryable {@code OVERLOADED} status and the returned delay: never silently dropped.
 *
 * <p>Called on I/O threads for every SEND (through {@link io.iris.engine.ingress.Ingress}): implementations
 * must be thread-safe, must not block and must not allocate. An engine-internal interface, not an SPI.
 */
public interface FlowController {
    /**
     * @param shard the shard the SEND would be queued to.
     * @return 0 to admit, otherwise the number of milliseconds the sender should wait before retrying.
     */
    long admit(int shard);

    /**
     * @param level a level above NORMAL.
     * @return the retry-after answered with OVERLOADED at that level.
     */
    long retryAfterMillis(OverloadLevel level);
}
