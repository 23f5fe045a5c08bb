package io.iris.transport;

import org.agrona.DirectBuffer;

/**
 * What the transport calls for each connection, accepted by a {@link Listener} or opened by
 * {@link NioTransport#connect}. Every method runs on the connection's event-loop thread (or, for
 * {@link #onLoopIteration}, on each loop thread): implementations must not block and, for
 * {@link #onFrame}, should not allocate.
 */
public interface ConnectionHandler {
    /**
     * A connection was accepted (and is under the connection limit) or an outbound connection is
     * established (TCP connected; a TLS handshake, if any, follows). An accepted connection's read
     * timeout is the login deadline until the handler changes it; an outbound one's is its
     * {@link ConnectOptions#readTimeoutMillis()}.
     *
     * @param connection the new connection.
     */
    void onOpen(Connection connection);

    /**
     * One complete frame arrived, as cut by the connection's {@link io.iris.transport.framing.Framing}.
     * The frame's length was already checked against {@link Connection#maxInboundFrame()}; its content is
     * not validated.
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

    /**
     * The connection's writability changed (only under {@link WritePolicy#waterMarks}): {@code false} once its
     * unsent output passed the high-water mark (the producer should stop writing to it), {@code true} once it
     * fell to the low-water mark or below. Never called under {@link WritePolicy#closeAtHighWaterMark}. The
     * change to {@code false} is reported from inside the {@link Connection#write} (or offer) that passed the mark,
     * so it may come re-entrantly from within another callback of this handler.
     *
     * @param connection the connection.
     * @param writable   its new {@link Connection#isWritable()}.
     */
    default void onWritabilityChanged(final Connection connection, final boolean writable) {
    }

    /**
     * An outbound connection opened with {@link NioTransport#connect} could not be established (refused,
     * unreachable, or not connected within its timeout). Called instead of {@link #onOpen}; no
     * {@link #onClose} follows.
     *
     * @param connectionId the id {@link NioTransport#connect} returned.
     * @param address      the address it tried.
     * @param cause        why it failed ({@link java.net.SocketTimeoutException} on timeout).
     */
    default void onConnectFailed(final long connectionId, final java.net.InetSocketAddress address,
                                 final java.io.IOException cause) {
    }
}
