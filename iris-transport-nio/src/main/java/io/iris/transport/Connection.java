package io.iris.transport;

import io.iris.protocol.ErrorCode;
import org.agrona.DirectBuffer;

import java.net.InetSocketAddress;

/**
 * One connection, accepted by a {@link Listener} or opened by {@link NioTransport#connect}, owned by one
 * event loop. All methods must be called on that loop's thread (from {@link ConnectionHandler} callbacks);
 * other threads use {@link NioTransport#offer}.
 *
 * <p>An idle connection holds no read or write buffer: one is borrowed from its loop's pool only while a
 * partial inbound frame or unsent outbound bytes exist.
 */
public interface Connection {
    /**
     * @return the id of this connection, unique for the life of the transport across all its listeners and
     * outbound connections (never reused), usable from any thread with {@link NioTransport#offer}. Ids are
     * positive and grow in the order connections were accepted or opened: of two connections, the one
     * accepted (or opened) later has the larger id.
     */
    long id();

    /** @return the peer's address. */
    InetSocketAddress remoteAddress();

    /** @return true until the connection is closed or closing. */
    boolean isOpen();

    /**
     * Queues bytes (one or more complete frames) for sending. Bytes are flushed at the end of the
     * current I/O loop iteration, so many frames to one connection cost one write.
     *
     * @param buffer holds the bytes.
     * @param offset where they start.
     * @param length how many.
     * @return false if the connection is closed, or if the bytes would take its unsent output past the
     * limit of its {@link WritePolicy} (the high-water mark of {@link WritePolicy#closeAtHighWaterMark},
     * the hard cap of {@link WritePolicy#waterMarks}): then the connection is closed with
     * {@link ErrorCode#SLOW_CONSUMER} (best effort) and the bytes are dropped.
     */
    boolean write(DirectBuffer buffer, int offset, int length);

    /**
     * Netty-style writability. Under {@link WritePolicy#waterMarks} it turns false when unsent output passes
     * the high-water mark and true again once it falls to the low-water mark (each change is reported by
     * {@link ConnectionHandler#onWritabilityChanged}); writes are still accepted while it is false, up to the
     * policy's hard cap. Under {@link WritePolicy#closeAtHighWaterMark} it is true while the connection is open.
     *
     * @return true if the producer may go on writing to this connection (by default: while it is open, as a
     * connection without water marks is).
     */
    default boolean isWritable() {
        return isOpen();
    }

    /**
     * Sends an ERROR frame with this code and text, flushes what can be flushed without waiting, and
     * closes the connection. Further inbound frames are ignored.
     *
     * @param code the error code.
     * @param text a short text for humans.
     */
    void closeWithError(ErrorCode code, String text);

    /**
     * As {@link #closeWithError(ErrorCode, String)}, with retry advice in the ERROR's typed
     * {@code retryAfterMillis} field (protocol version 2): only for a connection whose LOGIN offered version
     * 2 or later. The default drops the advice (for connections that are no wire connections, e.g. test fakes).
     *
     * @param code             the error code.
     * @param text             a short text for humans.
     * @param retryAfterMillis how long the client should wait before trying again.
     */
    default void closeWithError(ErrorCode code, String text, long retryAfterMillis) {
        closeWithError(code, text);
    }

    /** Closes the connection at once; unsent output is discarded. */
    void close();

    /** @return the largest inbound frame length accepted; a larger one closes with FRAME_TOO_LARGE. */
    int maxInboundFrame();

    /**
     * @param length the largest inbound frame (type + body) to accept from now on.
     */
    void maxInboundFrame(int length);

    /**
     * Sets the read timeout: if no complete frame arrives for {@code millis}, the connection is closed
     * with an ERROR frame carrying {@code code}. Starts as the server's login deadline with
     * {@link ErrorCode#LOGIN_TIMEOUT}, counted from the connection's opening: until this method is first
     * called, frames do not push it back (a client that only PINGs is closed at the deadline all the same).
     * Once set here, the time is counted from the later of the last complete frame and this call, and checked every ~100 ms, so the timeout fires between {@code millis} and about
     * {@code millis + 100} ms. It does not fire once the server is draining.
     *
     * @param millis the timeout; 0 disables it.
     * @param code   the error sent when it fires.
     */
    void readTimeout(long millis, ErrorCode code);

    /**
     * Sets a deadline: once {@code millis} have passed from this call, the connection is closed with an
     * ERROR frame carrying {@code code} and {@code text}, whatever the traffic (unlike
     * {@link #readTimeout}, frames do not push it back). Used for a session whose credentials expire at a
     * known instant. Measured on the event loop's monotonic clock and checked by the same ~100 ms sweep as
     * the read timeout, so it fires between {@code millis} and about {@code millis + 100} ms from now; it
     * also fires while the server is draining. A later call replaces the deadline.
     *
     * @param millis how long from now; 0 closes at the next sweep, {@link Long#MAX_VALUE} removes the deadline.
     * @param code   the error sent when it fires.
     * @param text   a short text for humans, sent with the error.
     * @throws IllegalArgumentException if {@code millis} is negative.
     */
    void closeAfter(long millis, ErrorCode code, String text);

    /** @return the object the handler attached, or null. */
    Object attachment();

    /** @param attachment any object the handler wants to keep with the connection (e.g. its session). */
    void attach(Object attachment);
}
