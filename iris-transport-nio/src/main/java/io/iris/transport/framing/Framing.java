package io.iris.transport.framing;

import org.agrona.DirectBuffer;

/**
 * The framing layer of one connection: between the byte stream below (socket or TLS) and the handler above.
 * Each connection gets its framing from its listener's or connection's {@link Factory}: a framing with
 * per-connection state is one instance per connection, used only by that connection's event-loop thread; a
 * framing that keeps its state in the buffer it {@link FramedConnection#park parks} on the connection (like
 * {@link LengthPrefixFraming}) serves all connections from one instance. Either way it must hold no buffer
 * while idle (borrow one from {@link FramedConnection#borrow} only while a partial frame exists).
 *
 * <p>The seam is built for a framing with a handshake and per-frame headers (WebSocket next to
 * {@link LengthPrefixFraming}): {@link #decode} may consume a handshake before any frame and answer it with
 * {@link FramedConnection#writeBelow}; it may unmask and reassemble before {@link FramedConnection#deliver};
 * {@link #encode} may add a header per frame, and may hold frames written before its handshake finished.
 */
public interface Framing {
    /** Makes the framing of each new connection. */
    @FunctionalInterface
    interface Factory {
        /** @return the framing of one new connection. */
        Framing newFraming();
    }

    /**
     * Consumes inbound bytes, in stream order, and delivers every frame they complete. Stops early once
     * {@link FramedConnection#isReading()} turns false (the rest is dropped).
     *
     * @param connection the connection.
     * @param buffer     holds the bytes; valid only during this call.
     * @param offset     where they start.
     * @param length     how many.
     */
    void decode(FramedConnection connection, DirectBuffer buffer, int offset, int length);

    /**
     * Wraps outbound bytes for the wire and passes them to {@link FramedConnection#writeBelow}.
     *
     * @param connection the connection.
     * @param buffer     holds one or more complete Iris frames (each with its length prefix).
     * @param offset     where they start.
     * @param length     how many bytes.
     */
    void encode(FramedConnection connection, DirectBuffer buffer, int offset, int length);

    /**
     * Drops any partial inbound frame and gives its buffers back: the connection closed or stopped reading.
     *
     * @param connection the connection.
     */
    void release(FramedConnection connection);
}
