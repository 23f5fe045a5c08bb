package io.iris.transport.framing;

import io.iris.protocol.ErrorCode;
import org.agrona.DirectBuffer;

import java.nio.ByteBuffer;

/**
 * What a {@link Framing} sees of its connection: the layer above (the handler, through {@link #deliver}), the
 * layer below (the TLS layer or the socket, through {@link #writeBelow}), and its event loop's buffer pool.
 * Every method runs on the connection's event-loop thread, inside a {@link Framing} call.
 */
public interface FramedConnection {
    /**
     * Hands one complete frame to the handler ({@code ConnectionHandler.onFrame}); the length-prefix
     * contract of {@code onFrame} holds: the 4-byte big-endian length is at {@code offset - 4}. The handler
     * may close the connection or stop its reading inside: check {@link #isReading()} before the next frame.
     *
     * @param buffer holds the frame; only needs to stay valid during this call.
     * @param offset position of the frame's type byte.
     * @param length the frame's length (type + body).
     */
    void deliver(DirectBuffer buffer, int offset, int length);

    /**
     * Queues bytes for the layer below, as they are (a framing's headers, its handshake answer, or frames it
     * passes through). They count towards the connection's unsent output.
     *
     * @param buffer holds the bytes.
     * @param offset where they start.
     * @param length how many.
     */
    void writeBelow(DirectBuffer buffer, int offset, int length);

    /** @return true while inbound bytes are still wanted (the connection is open and not draining). */
    boolean isReading();

    /** @return the largest frame length (type + body) the handler accepts now. */
    int maxInboundFrame();

    /**
     * The peer broke the framing: sends ERROR(code, text) and closes the connection.
     *
     * @param code the error.
     * @param text a short text for humans.
     */
    void protocolError(ErrorCode code, String text);

    /**
     * @param minCapacity bytes needed.
     * @return a cleared direct buffer from the loop's pool (give it back with {@link #release}).
     */
    ByteBuffer borrow(int minCapacity);

    /** @param buffer a buffer from {@link #borrow}, no longer used. */
    void release(ByteBuffer buffer);

    /**
     * @param buffer a direct buffer.
     * @return the loop's reusable view over {@code [0, buffer.limit())}; valid until the next call.
     */
    DirectBuffer view(ByteBuffer buffer);

    /**
     * Keeps a buffer with the connection between {@link Framing#decode} calls: the framing's partial inbound
     * frame, if any. A framing that keeps all its state there can serve every connection from one instance.
     *
     * @param buffer a buffer from {@link #borrow}, or null once nothing is parked.
     */
    void park(ByteBuffer buffer);

    /** @return the buffer last {@link #park parked}, or null. */
    ByteBuffer parked();

    /**
     * Keeps 32 bits of framing state with the connection between {@link Framing#decode} calls (e.g. the first
     * bytes of a cut length prefix), so that such state costs no buffer and no object.
     *
     * @param word the state; 0 means none.
     */
    void framingWord(int word);

    /** @return the word last set with {@link #framingWord(int)}; 0 at first. */
    int framingWord();
}
