package io.iris.transport;

import io.iris.protocol.ErrorCode;
import io.iris.transport.limit.AddressKey;
import org.agrona.DirectBuffer;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Objects;

/**
 * The transport's {@link Connection}: the state one I/O thread keeps per socket, and nothing else.
 * It is deliberately lean (primitive fields, no buffers while idle) because a server holds tens of
 * thousands of them; the behaviour lives in {@link IoThread}, which owns every instance and is the
 * only thread that touches its mutable fields after the hand-off from the acceptor.
 */
final class NioConnection implements Connection {
    static final byte OPEN = 0;
    static final byte CLOSED = 1;
    /** {@link #deadlineMillis} when no deadline is set. */
    static final long NO_DEADLINE = Long.MAX_VALUE;

    final long id;
    final SocketChannel channel;
    final IoThread owner;
    final InetSocketAddress remoteAddress;
    /** The source address counted against the per-address cap (released at close), or null if not counted. */
    final AddressKey addressKey;
    SelectionKey key;
    Object attachment;

    /** A partial inbound frame (prefix included) while one is being received, else null. */
    ByteBuffer inbound;
    /** Unsent output while there is some, else null. Plaintext: with TLS it is encrypted as it is flushed. */
    OutboundQueue out;
    /** TLS state of the connection when its port uses TLS, else null. */
    TlsState tls;

    /**
     * Owner-thread clock (millis) of the last complete frame or timeout change; while
     * {@link #loginDeadline} holds, of the registration only.
     */
    long lastFrameMillis;
    /**
     * True until the handler first calls {@link #readTimeout}: the read timeout is then the login deadline,
     * counted from the connection's registration; frames (PINGs before LOGIN) do not push it back.
     */
    boolean loginDeadline = true;
    /** Read timeout in millis, 0 = none. */
    int readTimeoutMillis;
    /** Error sent when the read timeout fires. */
    ErrorCode timeoutCode;
    /** Owner-thread clock (millis) at which {@link #closeAfter} closes the connection; {@link #NO_DEADLINE} = none. */
    long deadlineMillis = NO_DEADLINE;
    /** Error sent when the deadline fires. */
    ErrorCode deadlineCode;
    /** Text sent with {@link #deadlineCode}. */
    String deadlineText;
    int maxInboundFrame;
    /** Up to three bytes of a length prefix received so far, big-endian in the high bytes. */
    int partialHeader;
    /** Index in the owner's dense connection array, -1 when not in it. */
    int index = -1;
    byte partialHeaderLength;
    byte state = OPEN;
    /** False once the server drains: no more reads, no read timeout. */
    boolean reading = true;
    /** In the owner's dirty list: has output to flush at the end of this loop iteration. */
    boolean dirty;
    /** OP_WRITE is registered: the socket was full at the last flush. */
    boolean writeInterest;

    NioConnection(final long id, final SocketChannel channel, final IoThread owner,
                  final InetSocketAddress remoteAddress, final AddressKey addressKey, final long loginTimeoutMillis,
                  final int maxFrameBeforeLogin) {
        this.id = id;
        this.channel = channel;
        this.owner = owner;
        this.remoteAddress = remoteAddress;
        this.addressKey = addressKey;
        this.readTimeoutMillis = clampMillis(loginTimeoutMillis);
        this.timeoutCode = ErrorCode.LOGIN_TIMEOUT;
        this.maxInboundFrame = maxFrameBeforeLogin;
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
        assert owner.isOwnerThread() : "Connection.write called off its I/O thread; use NioServer.offer";
        return owner.write(this, buffer, offset, length);
    }

    @Override
    public void closeWithError(final ErrorCode code, final String text) {
        assert owner.isOwnerThread() : "Connection.closeWithError called off its I/O thread; use NioServer.offerClose";
        owner.closeWithError(this, code, text);
    }

    @Override
    public void closeWithError(final ErrorCode code, final String text, final long retryAfterMillis) {
        assert owner.isOwnerThread() : "Connection.closeWithError called off its I/O thread; use NioServer.offerClose";
        owner.closeWithError(this, code, text, retryAfterMillis);
    }

    @Override
    public void close() {
        assert owner.isOwnerThread() : "Connection.close called off its I/O thread; use NioServer.offerClose";
        owner.close(this);
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

    @Override
    public String toString() {
        return "Connection{id=" + id + ", remote=" + remoteAddress + (state == OPEN ? "" : ", closed") + '}';
    }

    private static int clampMillis(final long millis) {
        return (int) Math.min(millis, Integer.MAX_VALUE);
    }
}
