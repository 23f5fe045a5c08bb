package io.iris.transport;

import io.iris.api.ErrorCode;
import io.iris.transport.protocol.FrameEncoder;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.WARNING;

/**
 * Accepts connections on the listening socket. It has no thread of its own: it is registered for
 * OP_ACCEPT on I/O thread 0's selector and runs there. Each accepted socket is either refused
 * ({@code ERROR SERVER_FULL}, written without blocking, then closed; on a TLS port just closed, since a
 * plaintext frame would read as a corrupt TLS record to a TLS client, which should instead retry) or given an id and handed to the
 * next I/O thread in round-robin order.
 *
 * <p>Connection ids are {@code (sequence << 8) | ioThreadIndex}: unique for the server's life (the
 * sequence only grows), and {@link NioServer#offer} finds the owning thread from the low byte
 * without a shared map.
 */
final class Acceptor {
    /** Connections accepted per OP_ACCEPT event before the thread goes back to its other work. */
    static final int MAX_ACCEPTS_PER_EVENT = 64;
    /** How long accepting pauses after accept() fails (e.g. out of file descriptors). */
    static final long PAUSE_AFTER_FAILURE_MILLIS = 100;

    private static final System.Logger LOG = System.getLogger(NioServer.class.getName());

    private final NioServer server;
    private final NioServerConfig config;
    private final ServerSocketChannel serverChannel;
    private final IoThread[] threads;
    private final ByteBuffer serverFull;
    private final ByteBuffer discard = ByteBuffer.allocateDirect(IoThread.DISCARD_BUFFER_SIZE);
    private SelectionKey key;
    private long sequence = 1;
    private int next;
    private long resumeAtMillis = -1;
    private boolean closed;

    Acceptor(final NioServer server, final NioServerConfig config, final ServerSocketChannel serverChannel,
             final IoThread[] threads) {
        this.server = server;
        this.config = config;
        this.serverChannel = serverChannel;
        this.threads = threads;
        final ByteBuffer frame = ByteBuffer.allocateDirect(64);
        final int length = FrameEncoder.error(new UnsafeBuffer(frame), 0, ErrorCode.SERVER_FULL.code(),
            "server is at its connection limit");
        frame.limit(length);
        this.serverFull = frame;
    }

    /**
     * Registers for OP_ACCEPT. Called before the selector's thread starts.
     *
     * @param selector I/O thread 0's selector.
     * @throws IOException if registration fails.
     */
    void register(final Selector selector) throws IOException {
        key = serverChannel.register(selector, SelectionKey.OP_ACCEPT, this);
    }

    /**
     * Accepts what is pending, up to {@link #MAX_ACCEPTS_PER_EVENT}.
     *
     * @param nowMillis the I/O thread's clock.
     */
    void onAcceptable(final long nowMillis) {
        for (int i = 0; i < MAX_ACCEPTS_PER_EVENT; i++) {
            if (closed || server.isDraining() || server.isClosed()) {
                return;
            }
            final SocketChannel channel;
            try {
                channel = serverChannel.accept();
            } catch (final IOException e) {
                // Typically EMFILE: OP_ACCEPT stays ready, so pause instead of spinning on the error.
                LOG.log(WARNING, "accept failed, pausing accepts for " + PAUSE_AFTER_FAILURE_MILLIS + " ms: " + e);
                pause(nowMillis);
                return;
            }
            if (channel == null) {
                return;
            }
            if (server.connectionCount() >= server.maxConnections()) {
                refuse(channel);
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
                final long id = (sequence++ << 8) | target;
                connection = new NioConnection(id, channel, threads[target],
                    (InetSocketAddress) channel.getRemoteAddress(), config.loginTimeoutMillis(),
                    config.maxFrameBeforeLogin());
            } catch (final IOException | RuntimeException e) {
                if (LOG.isLoggable(DEBUG)) {
                    LOG.log(DEBUG, "could not set up an accepted connection: " + e);
                }
                closeQuietly(channel);
                server.connectionClosed();
                continue;
            }
            threads[target].handOff(connection);
        }
    }

    /**
     * Resumes accepting after a pause, once its time has come.
     *
     * @param nowMillis the I/O thread's clock.
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

    private void refuse(final SocketChannel channel) {
        try {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (config.tls() == null) {
                serverFull.position(0);
                channel.write(serverFull);
            }
            IoThread.discardInbound(channel, discard);
        } catch (final IOException | RuntimeException e) {
            if (LOG.isLoggable(DEBUG)) {
                LOG.log(DEBUG, "refusing a connection failed: " + e);
            }
        } finally {
            closeQuietly(channel);
        }
        if (LOG.isLoggable(DEBUG)) {
            LOG.log(DEBUG, "refused a connection: at the limit of " + server.maxConnections() + " connections");
        }
    }

    static void closeQuietly(final java.nio.channels.Channel channel) {
        try {
            channel.close();
        } catch (final IOException e) {
            if (LOG.isLoggable(DEBUG)) {
                LOG.log(DEBUG, "close failed: " + e);
            }
        }
    }
}
