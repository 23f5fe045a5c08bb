package io.iris.transport;

import io.iris.protocol.ErrorCode;
import io.iris.transport.limit.AddressConnectionCounts;
import io.iris.transport.limit.AddressKey;
import io.iris.transport.limit.AddressRateLimiter;
import io.iris.transport.protocol.FrameEncoder;
import io.iris.protocol.Protocol;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * Accepts connections on one {@link Listener}'s socket. It has no thread of its own: it is registered for
 * OP_ACCEPT on one event loop's selector and runs there. Each accepted socket is either refused (an ERROR
 * frame written without blocking, then closed; on a TLS port just closed, since a plaintext frame would
 * read as a corrupt TLS record to a TLS client, which should instead retry) or given an id and handed to
 * the next event loop in round-robin order. The checks, in order: the listener's connection limit
 * ({@code SERVER_FULL}); while {@link Listener#refuseNewConnections} is on, every connection
 * ({@code SERVER_FULL}, "server overloaded"); the per-address cap of open connections, then the
 * per-address connection rate (both {@code TOO_MANY_CONNECTIONS}, the text naming the limit and ending in
 * {@code "retry after <n> ms"}). A refused connection takes no token from its address's rate bucket, and
 * the cap is counted only for connections handed off (released when they close, on whichever event loop
 * owns them).
 *
 * <p>Connection ids come from {@link NioTransport#nextConnectionId}: {@code (sequence << 8) | loopIndex}, with
 * one sequence for all listeners and outbound connections of the transport.
 */
final class Acceptor {
    /** Connections accepted per OP_ACCEPT event before the thread goes back to its other work. */
    static final int MAX_ACCEPTS_PER_EVENT = 64;
    /** How long accepting pauses after accept() fails (e.g. out of file descriptors). */
    static final long PAUSE_AFTER_FAILURE_MILLIS = 100;
    /** The retry hint sent with a refusal by the per-address cap (no deadline is known: a connection must close). */
    static final long CAP_RETRY_AFTER_MILLIS = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(NioTransport.class);

    private final NioTransport transport;
    private final Listener server;
    private final NioServerConfig config;
    private final ServerSocketChannel serverChannel;
    private final EventLoop[] threads;
    private final ByteBuffer serverFull;
    private final ByteBuffer overloaded;
    /** The refusal at the per-address cap (constant), or null when the cap is off. */
    private final ByteBuffer addressFull;
    /** Scratch for refusals by rate (the retry hint varies). */
    private final ByteBuffer refusal = ByteBuffer.allocateDirect(Protocol.HEADER + 2 + 2 + Protocol.MAX_TEXT_LENGTH);
    private final UnsafeBuffer refusalBuffer = new UnsafeBuffer(refusal);
    /** Open connections per address (owned by the server: closes release it), or null when the cap is off. */
    private final AddressConnectionCounts perAddress;
    /** New connections per address, or null when the rate limit is off. */
    private final AddressRateLimiter rate;
    private final ByteBuffer discard = ByteBuffer.allocateDirect(EventLoop.DISCARD_BUFFER_SIZE);
    /** Returned by {@link #admit} for a refused connection. */
    private static final AddressKey REFUSED = new AddressKey(-1, -1);

    private SelectionKey key;
    private int next;
    private long resumeAtMillis = -1;
    private boolean closed;

    Acceptor(final NioTransport transport, final Listener listener, final ServerSocketChannel serverChannel) {
        this.transport = transport;
        this.server = listener;
        this.config = listener.config();
        this.serverChannel = serverChannel;
        this.threads = transport.loops();
        final ByteBuffer frame = ByteBuffer.allocateDirect(64);
        final int length = FrameEncoder.error(new UnsafeBuffer(frame), 0, ErrorCode.SERVER_FULL.code(),
            "server is at its connection limit");
        frame.limit(length);
        this.serverFull = frame;
        final ByteBuffer busy = ByteBuffer.allocateDirect(64);
        final int busyLength = FrameEncoder.error(new UnsafeBuffer(busy), 0, ErrorCode.SERVER_FULL.code(),
            "server overloaded, retry later");
        busy.limit(busyLength);
        this.overloaded = busy;
        this.perAddress = server.perAddress();
        if (perAddress != null) {
            final ByteBuffer full = ByteBuffer.allocateDirect(Protocol.HEADER + 2 + 2 + Protocol.MAX_TEXT_LENGTH);
            full.limit(FrameEncoder.error(new UnsafeBuffer(full), 0, ErrorCode.TOO_MANY_CONNECTIONS.code(),
                "too many connections from your address: " + perAddress.maxPerAddress()
                    + " open is the limit per address; retry after " + CAP_RETRY_AFTER_MILLIS + " ms"));
            this.addressFull = full;
        } else {
            this.addressFull = null;
        }
        this.rate = config.limitsConnectionRatePerAddress()
            ? new AddressRateLimiter(config.connectionsPerSecondPerAddress(), 1, TimeUnit.SECONDS,
                config.connectionBurstPerAddress(), config.trackedAddresses())
            : null;
    }

    /**
     * Registers for OP_ACCEPT. Called before the selector's thread starts.
     *
     * @param selector its event loop's selector.
     * @throws IOException if registration fails.
     */
    void register(final Selector selector) throws IOException {
        key = serverChannel.register(selector, SelectionKey.OP_ACCEPT, this);
    }

    /**
     * Accepts what is pending, up to {@link #MAX_ACCEPTS_PER_EVENT}.
     *
     * @param nowMillis the event loop's clock.
     */
    void onAcceptable(final long nowMillis) {
        for (int i = 0; i < MAX_ACCEPTS_PER_EVENT; i++) {
            if (closed || transport.isDraining() || transport.isClosed()) {
                return;
            }
            final SocketChannel channel;
            try {
                channel = serverChannel.accept();
            } catch (final IOException e) {
                // Typically EMFILE: OP_ACCEPT stays ready, so pause instead of spinning on the error.
                LOG.warn("accept failed, pausing accepts for " + PAUSE_AFTER_FAILURE_MILLIS + " ms: " + e);
                pause(nowMillis);
                return;
            }
            if (channel == null) {
                return;
            }
            if (server.connectionCount() >= server.maxConnections()) {
                refuse(channel, serverFull);
                if (LOG.isDebugEnabled()) {
                    LOG.debug("refused a connection: at the limit of " + server.maxConnections() + " connections");
                }
                continue;
            }
            if (server.isRefusingNewConnections()) {
                refuse(channel, overloaded);
                if (LOG.isDebugEnabled()) {
                    LOG.debug("refused a connection: the server is overloaded");
                }
                continue;
            }
            final InetSocketAddress remote;
            try {
                remote = (InetSocketAddress) channel.getRemoteAddress();
            } catch (final IOException | RuntimeException e) {
                if (LOG.isDebugEnabled()) {
                    LOG.debug("accepted a connection without a remote address: " + e);
                }
                closeQuietly(channel);
                continue;
            }
            if (remote == null || remote.getAddress() == null) {
                closeQuietly(channel); // already gone
                continue;
            }
            final AddressKey counted = admit(channel, remote);
            if (counted == REFUSED) {
                continue;
            }
            server.connectionOpened();
            final int target = next;
            next = next + 1 == threads.length ? 0 : next + 1;
            final NioConnection connection;
            try {
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                if (config.socketReceiveBuffer() > 0) {
                    channel.setOption(StandardSocketOptions.SO_RCVBUF, config.socketReceiveBuffer());
                }
                if (config.socketSendBuffer() > 0) {
                    channel.setOption(StandardSocketOptions.SO_SNDBUF, config.socketSendBuffer());
                }
                final long id = transport.nextConnectionId(target);
                connection = new NioConnection(id, channel, threads[target], remote, counted, server.endpoint(),
                    NioConnection.OPEN);
            } catch (final IOException | RuntimeException e) {
                if (LOG.isDebugEnabled()) {
                    LOG.debug("could not set up an accepted connection: " + e);
                }
                closeQuietly(channel);
                server.connectionClosed(counted);
                continue;
            }
            threads[target].handOff(connection);
        }
    }

    /**
     * Applies the per-address limits to an accepted connection: refuses it (and returns {@link #REFUSED}),
     * or admits it and returns the key counted against the cap (null when the cap is off).
     */
    private AddressKey admit(final SocketChannel channel, final InetSocketAddress remote) {
        if (perAddress == null && rate == null) {
            return null;
        }
        final AddressKey key = AddressKey.of(remote.getAddress());
        // Only this thread counts connections up, so a count below the cap here stays below it until tryAcquire.
        if (perAddress != null && perAddress.count(key) >= perAddress.maxPerAddress()) {
            server.refusedByAddressCap();
            refuse(channel, addressFull);
            if (LOG.isDebugEnabled()) {
                LOG.debug("refused a connection: " + key + " is at its cap of " + perAddress.maxPerAddress());
            }
            return REFUSED;
        }
        if (rate != null) {
            final long waitNanos = rate.tryAcquire(key, System.nanoTime());
            if (waitNanos > 0) {
                server.refusedByAddressRate();
                final long retryMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos + 999_999));
                refusal.clear();
                refusal.limit(FrameEncoder.error(refusalBuffer, 0, ErrorCode.TOO_MANY_CONNECTIONS.code(),
                    "too many new connections from your address: the limit is " + rate.permits()
                        + " per second, " + rate.burst() + " at once; retry after " + retryMillis + " ms"));
                refuse(channel, refusal);
                if (LOG.isDebugEnabled()) {
                    LOG.debug("refused a connection: " + key + " is over its connection rate");
                }
                return REFUSED;
            }
        }
        if (perAddress == null) {
            return null;
        }
        if (!perAddress.tryAcquire(key)) { // not expected (only this thread counts up); refuse rather than leak
            server.refusedByAddressCap();
            refuse(channel, addressFull);
            return REFUSED;
        }
        return key;
    }

    /**
     * Resumes accepting after a pause, once its time has come.
     *
     * @param nowMillis the event loop's clock.
     */
    void resumeIfDue(final long nowMillis) {
        if (resumeAtMillis >= 0 && nowMillis >= resumeAtMillis && !closed && key.isValid()) {
            resumeAtMillis = -1;
            key.interestOps(SelectionKey.OP_ACCEPT);
        }
    }

    /** Stops accepting and closes the listening socket. Idempotent. */
    void close() {
        if (!closed) {
            closed = true;
            if (key != null) {
                key.cancel();
            }
            closeQuietly(serverChannel);
        }
    }

    private void pause(final long nowMillis) {
        if (key.isValid()) {
            key.interestOps(0);
            resumeAtMillis = nowMillis + PAUSE_AFTER_FAILURE_MILLIS;
        }
    }

    private void refuse(final SocketChannel channel, final ByteBuffer frame) {
        try {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (config.tls() == null) {
                frame.position(0);
                channel.write(frame);
            }
            EventLoop.discardInbound(channel, discard);
        } catch (final IOException | RuntimeException e) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("refusing a connection failed: " + e);
            }
        } finally {
            closeQuietly(channel);
        }
    }

    static void closeQuietly(final java.nio.channels.Channel channel) {
        EventLoop.closeQuietly(channel);
    }

    @Override
    public String toString() {
        return server.toString();
    }
}
