package io.iris.transport;

import java.io.IOException;

/**
 * The bottom layer of a connection: moves bytes between the socket and plaintext. {@link PlainSocketLayer}
 * passes them through; {@link TlsSocketLayer} runs an {@code SSLEngine}. Inbound plaintext goes to the
 * connection's framing ({@code c.framing.decode}); outbound plaintext is the connection's
 * {@link OutboundQueue}, already framed. The event loop calls only these methods, so it has no TLS branches.
 * Every method runs on the connection's event-loop thread.
 */
interface SocketLayer {
    /**
     * The connection just opened (after the handler's {@code onOpen}): a client-mode TLS layer starts its
     * handshake here.
     */
    void onOpen(EventLoop loop, NioConnection c);

    /**
     * Reads what the socket has and feeds the plaintext to the framing; closes the connection at end of
     * stream or on a protocol failure of this layer.
     *
     * @return true if more input may be waiting (the read filled the buffer).
     * @throws IOException if the socket fails (the loop closes the connection).
     */
    boolean read(EventLoop loop, NioConnection c) throws IOException;

    /**
     * Writes queued output (and this layer's own messages, e.g. TLS handshake records) as far as the socket
     * takes it without blocking.
     *
     * @return true if nothing is left for the socket now.
     * @throws IOException if the socket fails (the loop calls {@link #failed} and closes the connection).
     */
    boolean flush(EventLoop loop, NioConnection c) throws IOException;

    /**
     * Last words before a close: writes what the socket takes now of the queued output (an ERROR frame just
     * queued) and discards unread input so that the close sends FIN, not RST. Never throws.
     */
    void flushBeforeClose(EventLoop loop, NioConnection c);

    /** The connection is closing: say goodbye if the stream allows it (TLS close_notify) and give buffers back. */
    void close(EventLoop loop, NioConnection c);

    /** The socket failed on write: nothing more is to be sent on close. */
    void failed(NioConnection c);

    /** @return true once frames can reach the peer (a TLS handshake is done). */
    boolean isReady();

    /** @return true if input read earlier waits for this layer's own output to be sent first. */
    boolean hasCarriedInput();
}
