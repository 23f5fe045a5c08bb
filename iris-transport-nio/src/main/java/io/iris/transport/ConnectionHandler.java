package io.iris.transport;

import org.agrona.DirectBuffer;

/**
 * What the transport calls for each connection. Every method runs on the connection's I/O thread:
 * implementations must not block and, for {@link #onFrame}, should not allocate.
 */
public interface ConnectionHandler {
    /**
     * A connection was accepted (and is under the connection limit). Its read timeout is the login
     * deadline until the handler changes it.
     *
     * @param connection the new connection.
     */
    void onOpen(Connection connection);

    /**
     * One complete frame arrived. The frame's length was already checked against
     * {@link Connection#maxInboundFrame()}; its content is not validated.
     *
     * @param connection the connection it arrived on.
     * @param buffer     holds the frame; valid only during this call.
     * @param offset     position of the type byte (the length prefix is before it).
     * @param length     the frame's length as in its prefix (type + body).
     */
    void onFrame(Connection connection, DirectBuffer buffer, int offset, int length);

    /**
     * The connection is closed (by either side, for any reason). Called exactly once per opened
     * connection; after it, {@link Connection#write} fails and offers to its id are dropped. Never
     * called from inside another callback: a connection closed during {@link #onFrame} (by the handler
     * or by the transport) is reported after that callback returns, though {@link Connection#isOpen()}
     * is false at once.
     *
     * @param connection the closed connection.
     */
    void onClose(Connection connection);

    /**
     * Called on every event-loop thread that serves this handler, once per loop iteration, after I/O.
     * A handler retries here what it could not hand on earlier (e.g. a shard queue was full); it must
     * not block.
     *
     * @return true if work is still pending: the loop then waits at most 1 ms for I/O instead of blocking.
     */
    default boolean onLoopIteration() {
        return false;
    }
}
