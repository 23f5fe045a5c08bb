package io.iris.transport;

import io.iris.protocol.ErrorCode;
import io.iris.transport.framing.FramedConnection;
import io.iris.transport.framing.Framing;
import io.iris.transport.limit.AddressKey;
import org.agrona.DirectBuffer;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Objects;

/**
 * The transport's {@link Connection}: the state one event loop keeps per socket, and nothing else. It is
 * deliberately lean (primitive fields, no buffers while idle) because a server holds tens of thousands of
 * them; the behaviour lives in {@link EventLoop}, which owns every instance and is the only thread that
 * touches its mutable fields after the hand-off, and in its two layers: {@link #layer} (plain or TLS) and
 * {@link #framing}. It is also what its {@link Framing} sees ({@link FramedConnection}).
 */
final class NioConnection implements Connection, FramedConnection {
    static final byte OPEN = 0;
    static final byte CLOSED = 1;
    /** An outbound connection whose TCP connect has not finished. */
    static final byte CONNECTING = 2;
    /** {@link #deadlineMillis} when no deadline is set. */
    static final long NO_DEADLINE = Long.MAX_VALUE;

    final long id;
    final SocketChannel channel;
    final EventLoop owner;
    final InetSocketAddress remoteAddress;
    /** The source address counted against the per-address cap (released at close), or null if not counted. */
    final AddressKey addressKey;
    /** Handler, layers, write policy and counters shared by the connections of one listener or connect call. */
    final Endpoint endpoint;
    SelectionKey key;
    Object attachment;

    /** Socket layer (plain or TLS), set when the connection opens. */
    SocketLayer layer;
    /** Framing layer, set when the connection opens. */
    Framing framing;
    /** The framing's parked partial inbound frame ({@link #park}), else null. */
    ByteBuffer parked;
    /** The framing's state word ({@link #framingWord(int)}). */
    int framingWord;
    /** Unsent output (framed plaintext; TLS encrypts it as it flushes) while there is some, else null. */
    OutboundQueue out;

    /**
     * Owner-thread clock (millis) of the last complete frame or timeout change; while
     * {@link #loginDeadline} holds, of the opening only.
     */
    long lastFrameMillis;
    /**
     * True until the handler first calls {@link #readTimeout}: the read timeout is then the login deadline,
     * counted from the connection's opening; frames (PINGs before LOGIN) do not push it back.
     */
    boolean loginDeadline;
    /** Read timeout in millis, 0 = none. */
    int readTimeoutMillis;
    /** Error sent when the read timeout fires. */
    ErrorCode timeoutCode;
    /**
     * Owner-thread clock (millis) at which {@link #closeAfter} closes the connection (while connecting: at which
     * the connect times out); {@link #NO_DEADLINE} = none.
     */
    long deadlineMillis = NO_DEADLINE;
    /** Error sent when the deadline fires. */
    ErrorCode deadlineCode;
    /** Text sent with {@link #deadlineCode}. */
    String deadlineText;
    int maxInboundFrame;
    /** Index in the owner's dense connection array, -1 when not in it. */
    int index = -1;
    byte state;
    /** False once the transport drains: no more reads, no read timeout. */
    boolean reading = true;
    /** In the owner's dirty list: has output to flush at the end of this duty cycle. */
    boolean dirty;
    /** OP_WRITE is registered: the socket was full at the last flush. */
    boolean writeInterest;
    /** See {@link Connection#isWritable()}. */
    boolean writable = true;

    /**
     * @param state {@link #OPEN} for an accepted socket, {@link #CONNECTING} for an outbound one.
     */
    NioConnection(final long id, final SocketChannel channel, final EventLoop owner,
                  final InetSocketAddress remoteAddress, final AddressKey addressKey, final Endpoint endpoint,
                  final byte state) {
        this.id = id;
        this.channel = channel;
        this.owner = owner;
        this.remoteAddress = remoteAddress;
        this.addressKey = addressKey;
        this.endpoint = endpoint;
        this.state = state;
        this.readTimeoutMillis = clampMillis(endpoint.initialReadTimeoutMillis);
        this.timeoutCode = endpoint.initialTimeoutCode;
        this.loginDeadline = endpoint.loginDeadline;
        this.maxInboundFrame = endpoint.initialMaxInboundFrame;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    @Override
    public boolean isOpen() {
        return state == OPEN;
    }

    @Override
    public boolean write(final DirectBuffer buffer, final int offset, final int length) {
        assert owner.isOwnerThread() : "Connection.write called off its event loop; use NioTransport.offer";
        return owner.write(this, buffer, offset, length);
    }

    @Override
    public boolean isWritable() {
        return state == OPEN && writable;
    }

    @Override
    public void closeWithError(final ErrorCode code, final String text) {
        assert owner.isOwnerThread() : "Connection.closeWithError called off its event loop; use NioTransport.offerClose";
        owner.closeWithError(this, code, text);
    }

    @Override
    public void closeWithError(final ErrorCode code, final String text, final long retryAfterMillis) {
        assert owner.isOwnerThread() : "Connection.closeWithError called off its event loop; use NioTransport.offerClose";
        owner.closeWithError(this, code, text, retryAfterMillis);
    }

    @Override
    public void close() {
        assert owner.isOwnerThread() : "Connection.close called off its event loop; use NioTransport.offerClose";
        owner.closeNow(this);
    }

    @Override
    public int maxInboundFrame() {
        return maxInboundFrame;
    }

    @Override
    public void maxInboundFrame(final int length) {
        if (length < 1) {
            throw new IllegalArgumentException("maxInboundFrame must be >= 1, was " + length);
        }
        maxInboundFrame = length;
    }

    @Override
    public void readTimeout(final long millis, final ErrorCode code) {
        if (millis < 0) {
            throw new IllegalArgumentException("read timeout must be >= 0, was " + millis);
        }
        if (millis > 0 && code == null) {
            throw new NullPointerException("code");
        }
        readTimeoutMillis = clampMillis(millis);
        timeoutCode = code;
        loginDeadline = false;
        lastFrameMillis = owner.nowMillis();
    }

    @Override
    public void closeAfter(final long millis, final ErrorCode code, final String text) {
        if (millis < 0) {
            throw new IllegalArgumentException("deadline must be >= 0 ms from now, was " + millis);
        }
        if (millis == NO_DEADLINE) {
            deadlineMillis = NO_DEADLINE;
            deadlineCode = null;
            deadlineText = null;
            return;
        }
        final long now = owner.nowMillis();
        deadlineCode = Objects.requireNonNull(code, "code");
        deadlineText = Objects.requireNonNull(text, "text");
        deadlineMillis = millis >= NO_DEADLINE - now ? NO_DEADLINE - 1 : now + millis; // saturate below "none"
    }

    @Override
    public Object attachment() {
        return attachment;
    }

    @Override
    public void attach(final Object attachment) {
        this.attachment = attachment;
    }

    // ---- FramedConnection: what the framing layer sees --------------------------------------

    @Override
    public void deliver(final DirectBuffer buffer, final int offset, final int length) {
        owner.dispatch(this, buffer, offset, length);
    }

    @Override
    public void writeBelow(final DirectBuffer buffer, final int offset, final int length) {
        owner.enqueue(this, buffer, offset, length);
        owner.markDirty(this); // flushed at the end of this duty cycle, also when written from decode (a handshake answer)
    }

    @Override
    public boolean isReading() {
        return state == OPEN && reading;
    }

    @Override
    public void protocolError(final ErrorCode code, final String text) {
        owner.closeWithError(this, code, text);
    }

    @Override
    public ByteBuffer borrow(final int minCapacity) {
        return owner.pool.acquire(minCapacity);
    }

    @Override
    public void release(final ByteBuffer buffer) {
        owner.pool.release(buffer);
    }

    @Override
    public void park(final ByteBuffer buffer) {
        parked = buffer;
    }

    @Override
    public ByteBuffer parked() {
        return parked;
    }

    @Override
    public void framingWord(final int word) {
        framingWord = word;
    }

    @Override
    public int framingWord() {
        return framingWord;
    }

    @Override
    public DirectBuffer view(final ByteBuffer buffer) {
        owner.frameView.wrap(buffer, 0, buffer.limit());
        return owner.frameView;
    }

    @Override
    public String toString() {
        return "Connection{id=" + id + ", remote=" + remoteAddress + (state == OPEN ? "" : state == CLOSED
            ? ", closed" : ", connecting") + '}';
    }

    private static int clampMillis(final long millis) {
        return (int) Math.min(millis, Integer.MAX_VALUE);
    }
}
