package io.iris.transport;

import io.iris.protocol.ErrorCode;
import org.agrona.DirectBuffer;

/**
 * Writes frames to connections by id, from any thread. {@link NioTransport} is the implementation; the
 * engine depends on this interface only.
 */
public interface FrameSink {
    /**
     * Queues complete frame bytes for a connection.
     *
     * @param connectionId the connection.
     * @param buffer       holds the bytes.
     * @param offset       where they start.
     * @param length       how many.
     * @return false only if the owning event loop's queue is full (retry later); bytes for a closed or
     * unknown connection are accepted and dropped.
     */
    boolean offer(long connectionId, DirectBuffer buffer, int offset, int length);

    /**
     * After everything offered to the connection before, sends ERROR(code, text) and closes it.
     *
     * @param connectionId the connection.
     * @param code         the error.
     * @param text         a short text.
     * @return false only if the owning event loop's queue is full (retry later).
     */
    boolean offerClose(long connectionId, ErrorCode code, String text);
}
