package io.iris.transport;

import io.iris.transport.limit.AddressConnectionCounts;
import io.iris.transport.limit.AddressKey;
import io.iris.transport.protocol.FrameEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One bound port of a {@link NioTransport} ({@link NioTransport#listener}): its {@link NioServerConfig}
 * (address, TLS, framing, write policy, limits), its handler, and the state its limits need (open
 * connections, per-address counts, the refusal switch). It has no thread: its acceptor runs on one of the
 * transport's event loops, and the connections it accepts are dealt to all loops round-robin, so adding a
 * listener adds no thread.
 */
public final class Listener {
    /** File descriptors left for everything that is not a connection. */
    static final int RESERVED_FILE_DESCRIPTORS = 64;
    /** Listen backlog requested from the OS (capped by its own limit). */
    static final int BACKLOG = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(NioTransport.class);

    private final NioTransport transport;
    private final NioServerConfig config;
    private final Endpoint endpoint;
    private final EventLoop acceptorLoop;
    private final int maxConnections;
    private final AtomicInteger connections = new AtomicInteger();
    /** Open connections per source address, or null when the per-address cap is off. */
    private final AddressConnectionCounts perAddress;
    /** Written only by the acceptor's loop. */
    private volatile long refusedByAddressCap;
    /** Written only by the acceptor's loop. */
    private volatile long refusedByAddressRate;
    private volatile boolean refusingConnections;
    private volatile ServerSocketChannel serverChannel;
    private volatile Acceptor acceptor;
    private volatile int port = -1;

    Listener(final NioTransport transport, final NioServerConfig config, final ConnectionHandler handler,
             final TransportCounters.Group counters, final EventLoop acceptorLoop) {
        this.transport = transport;
        this.config = config;
        this.acceptorLoop = acceptorLoop;
        this.endpoint = new Endpoint(this, config, handler, counters, encodeGoaway(config.goawayReconnectMillis()));
        this.maxConnections = effectiveMaxConnections(config.maxConnections(), processFileDescriptorLimit());
        this.perAddress = config.maxConnectionsPerAddress() > 0
            ? new AddressConnectionCounts(config.maxConnectionsPerAddress()) : null;
    }

    /** Binds the port and hands the acceptor to its loop. Called once, by the transport. */
    void bind() throws IOException {
        final ServerSocketChannel channel = ServerSocketChannel.open();
        final Acceptor accept;
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            if (config.socketReceiveBuffer() > 0) {
                // set on the listener so accepted sockets negotiate a matching window scale
                channel.setOption(StandardSocketOptions.SO_RCVBUF, config.socketReceiveBuffer());
            }
            channel.bind(new InetSocketAddress(config.host(), config.port()), BACKLOG);
            channel.configureBlocking(false);
            accept = new Acceptor(transport, this, channel);
            this.port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
        } catch (final IOException | RuntimeException e) {
            EventLoop.closeQuietly(channel);
            throw e;
        }
        this.serverChannel = channel;
        this.acceptor = accept;
        acceptorLoop.handOff(accept);
        LOG.info("listening on " + config.host() + ":" + port + " (" + config.name() + ", "
            + (config.tls() != null ? "TLS, " : "") + "at most " + maxConnections + " connections)");
    }

    /** @return the settings. */
    public NioServerConfig config() {
        return config;
    }

    /**
     * @return the bound port (the real one when configured with port 0).
     * @throws IllegalStateException before the listener is bound (by {@link NioTransport#start()}).
     */
    public int port() {
        if (port < 0) {
            throw new IllegalStateException("listener not bound: start the transport first");
        }
        return port;
    }

    /** @return connections of this listener open now (accepted and not yet closed). */
    public int connectionCount() {
        return connections.get();
    }

    /**
     * @return connections refused with {@code TOO_MANY_CONNECTIONS} because their source address had
     * {@link NioServerConfig#maxConnectionsPerAddress()} open, since start.
     */
    public long connectionsRefusedByAddressCap() {
        return refusedByAddressCap;
    }

    /**
     * @return connections refused with {@code TOO_MANY_CONNECTIONS} because their source address opened them
     * faster than {@link NioServerConfig#connectionsPerSecondPerAddress()} allows, since start.
     */
    public long connectionsRefusedByAddressRate() {
        return refusedByAddressRate;
    }

    /**
     * @return the connection limit in force: the configured {@code maxConnections}, lowered to the process's
     * file-descriptor limit minus {@value #RESERVED_FILE_DESCRIPTORS} when that is smaller (a warning is logged).
     */
    public int maxConnections() {
        return maxConnections;
    }

    /**
     * Makes the listener refuse (or accept again) new connections while keeping every open one: a refused
     * connection is accepted, sent {@code ERROR SERVER_FULL "server overloaded, retry later"} without blocking,
     * and closed, so the client learns why at once instead of waiting in the listen backlog. Any thread; takes
     * effect from the next accepted connection.
     *
     * @param refuse true to refuse new connections, false to accept them again.
     */
    public void refuseNewConnections(final boolean refuse) {
        refusingConnections = refuse;
    }

    /** @return true while new connections are refused (see {@link #refuseNewConnections}). */
    public boolean isRefusingNewConnections() {
        return refusingConnections;
    }

    @Override
    public String toString() {
        return "Listener{" + config.name() + ", " + config.host() + ":" + (port < 0 ? "unbound" : port) + '}';
    }

    // ---- for the acceptor, the loops and the transport ---------------------------------------

    Endpoint endpoint() {
        return endpoint;
    }

    NioTransport transport() {
        return transport;
    }

    void connectionOpened() {
        connections.incrementAndGet();
    }

    /** @param addressKey the connection's {@link NioConnection#addressKey} (null if not counted per address). */
    void connectionClosed(final AddressKey addressKey) {
        connections.decrementAndGet();
        if (addressKey != null) {
            perAddress.release(addressKey);
        }
    }

    /** @return the per-address counts, or null when the cap is off. */
    AddressConnectionCounts perAddress() {
        return perAddress;
    }

    /** Acceptor loop only. */
    void refusedByAddressCap() {
        refusedByAddressCap++; // single writer
        endpoint.counters.refusedByAddressCap();
    }

    /** Acceptor loop only. */
    void refusedByAddressRate() {
        refusedByAddressRate++; // single writer
        endpoint.counters.refusedByAddressRate();
    }

    /** Closes the listening socket (the transport closed; its loop may never have run the acceptor). */
    void closeSocket() {
        final ServerSocketChannel channel = serverChannel;
        if (channel != null) {
            EventLoop.closeQuietly(channel);
        }
    }

    private static DirectBuffer encodeGoaway(final int reconnectMillis) {
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[256]);
        final int length = FrameEncoder.goaway(scratch, 0, reconnectMillis, "server draining");
        final byte[] frame = new byte[length];
        scratch.getBytes(0, frame);
        return new UnsafeBuffer(frame);
    }

    /**
     * @param configured the configured limit.
     * @param fdLimit    the process's file-descriptor limit, or -1 if unknown.
     * @return the limit in force (see {@link #maxConnections()}).
     */
    static int effectiveMaxConnections(final int configured, final long fdLimit) {
        if (fdLimit < 0) {
            return configured;
        }
        final long byFds = Math.max(1, fdLimit - RESERVED_FILE_DESCRIPTORS);
        if (byFds < configured) {
            LOG.warn("maxConnections lowered from " + configured + " to " + byFds
                + ": the process may open only " + fdLimit + " files (raise it with ulimit -n)");
            return (int) byFds;
        }
        return configured;
    }

    /** @return the process's file-descriptor limit, or -1 if this JVM cannot tell. */
    static long processFileDescriptorLimit() {
        try {
            final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
            if (os instanceof com.sun.management.UnixOperatingSystemMXBean) {
                return ((com.sun.management.UnixOperatingSystemMXBean) os).getMaxFileDescriptorCount();
            }
        } catch (final LinkageError | RuntimeException e) {
            LOG.warn("cannot read the file-descriptor limit: " + e);
        }
        return -1;
    }
}
