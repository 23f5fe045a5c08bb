package io.iris.transport;

import io.iris.protocol.ErrorCode;
import io.iris.transport.limit.AddressConnectionCounts;
import io.iris.transport.limit.AddressKey;
import io.iris.transport.protocol.FrameEncoder;
import io.iris.protocol.Protocol;
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
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The server side of the Iris NIO transport: accepts TCP connections, reassembles length-prefixed
 * frames and hands each complete frame to a {@link ConnectionHandler}; sends what the handler writes
 * and what other threads {@link #offer}.
 *
 * <h2>Threading design</h2>
 *
 * <p>A fixed set of I/O threads ({@code iris-io-<n>}), each with its own {@link java.nio.channels.Selector}.
 * A connection belongs to exactly one of them for its whole life, and every callback, read, write and
 * timer of that connection runs on that thread, so connection state needs no locks. The acceptor is
 * not a thread: it is registered for OP_ACCEPT on thread 0's selector and deals accepted sockets to
 * the threads round-robin. The connection id carries the owning thread's index in its low byte, so
 * {@link #offer} routes without any shared map.
 *
 * <p>Other threads never touch a connection. They put (connectionId, command, bytes) records on the
 * owning thread's Agrona {@code ManyToOneRingBuffer}: the bytes are copied, nothing is allocated, and a
 * full queue is reported ({@code false}) rather than waited on, so back-pressure reaches the caller.
 * The thread is woken with {@code selector.wakeup()} only when it is (about to be) blocked in select: it
 * sets a "sleeping" flag before its last look for work and producers check it after committing, which
 * avoids both lost wakeups and a wakeup syscall per message when the thread is busy.
 *
 * <p>Bytes for a connection are appended to its outbound chunks and flushed once at the end of the
 * loop iteration (one gathering write for everything written to it in that iteration); OP_WRITE is
 * registered only while the socket is full. Buffers for partial inbound frames and unsent output are
 * borrowed from a per-thread pool only while they hold bytes, so an idle connection costs a socket, a
 * selection key and one small object. A connection whose unsent output would pass the high-water
 * mark is closed with SLOW_CONSUMER instead of buffering without bound.
 *
 * <p>{@code onClose} is never called from inside another callback: closes are collected and reported
 * at the next safe point of the loop. An exception thrown by the handler closes only the connection
 * concerned (ERROR INTERNAL) and is logged; the thread carries on.
 *
 * <h2>Lifecycle</h2>
 *
 * {@link #start()} binds and starts the threads; {@link #drain()} stops accepting and reading and sends
 * GOAWAY; {@link #awaitFlushed} waits until what was queued is on the wire; {@link #close()} closes
 * every connection and stops the threads. Logging goes through SLF4J (the API only: the
 * application chooses the binding) under this class's name.
 */
public final class NioServer implements AutoCloseable, FrameSink {
    /** File descriptors left for everything that is not a client connection. */
    static final int RESERVED_FILE_DESCRIPTORS = 64;
    /** Listen backlog requested from the OS (capped by its own limit). */
    static final int BACKLOG = 1024;
    /** How long {@link #close()} waits for each I/O thread to finish. */
    static final long JOIN_TIMEOUT_MILLIS = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(NioServer.class);

    private final NioServerConfig config;
    private final ConnectionHandler handler;
    private final int maxConnections;
    private final AtomicInteger connections = new AtomicInteger();
    /** Open connections per source address, or null when the per-address cap is off. */
    private final AddressConnectionCounts perAddress;
    /** Written only by the acceptor (I/O thread 0). */
    private volatile long refusedByAddressCap;
    /** Written only by the acceptor (I/O thread 0). */
    private volatile long refusedByAddressRate;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ReentrantLock flushLock = new ReentrantLock();
    private final Condition flushChanged = flushLock.newCondition();
    private volatile int flushWaiters;
    private volatile boolean draining;
    private volatile boolean refusingConnections;
    private volatile IoThread[] threads;
    private volatile ServerSocketChannel serverChannel;
    private volatile int port = -1;

    /**
     * Creates a server; nothing is bound until {@link #start()}.
     *
     * @param config  the settings.
     * @param handler receives every connection's events, on its I/O thread.
     */
    public NioServer(final NioServerConfig config, final ConnectionHandler handler) {
        this.config = Objects.requireNonNull(config, "config");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.maxConnections = effectiveMaxConnections(config.maxConnections(), processFileDescriptorLimit());
        this.perAddress = config.maxConnectionsPerAddress() > 0
            ? new AddressConnectionCounts(config.maxConnectionsPerAddress()) : null;
    }

    /**
     * Binds the listening socket and starts the I/O threads ({@code iris-io-0} ..., not daemons).
     *
     * @throws IOException           if the address cannot be bound or a selector cannot be opened.
     * @throws IllegalStateException if already started or closed.
     */
    public void start() throws IOException {
        if (closed.get()) {
            throw new IllegalStateException("server is closed");
        }
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("server already started");
        }
        final IoThread[] created = new IoThread[config.ioThreads()];
        final ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            if (config.socketReceiveBuffer() > 0) {
                // set on the listener so accepted sockets negotiate a matching window scale
                channel.setOption(StandardSocketOptions.SO_RCVBUF, config.socketReceiveBuffer());
            }
            channel.bind(new InetSocketAddress(config.host(), config.port()), BACKLOG);
            channel.configureBlocking(false);
            final DirectBuffer goaway = encodeGoaway(config.goawayReconnectMillis());
            for (int i = 0; i < created.length; i++) {
                created[i] = new IoThread(i, this, config, handler, goaway);
            }
            final Acceptor accept = new Acceptor(this, config, channel, created);
            accept.register(created[0].selector());
            created[0].acceptor(accept);
            this.serverChannel = channel;
            this.port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
        } catch (final IOException | RuntimeException e) {
            Acceptor.closeQuietly(channel);
            for (final IoThread t : created) {
                if (t != null) {
                    try {
                        t.selector().close();
                    } catch (final IOException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
            }
            closed.set(true);
            throw e;
        }
        this.threads = created;
        for (final IoThread t : created) {
            t.start();
        }
        LOG.info("listening on " + config.host() + ":" + port + " with " + created.length
            + " I/O thread(s), at most " + maxConnections + " connections");
    }

    /**
     * @return the bound port (the real one when configured with port 0).
     * @throws IllegalStateException before {@link #start()}.
     */
    public int port() {
        if (port < 0) {
            throw new IllegalStateException("server not started");
        }
        return port;
    }

    /** @return connections open now (accepted and not yet closed). */
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
     * @return connections refused with {@code TOO_MANY_CONNECTIONS} because their source address opened
     * them faster than {@link NioServerConfig#connectionsPerSecondPerAddress()} allows, since start.
     */
    public long connectionsRefusedByAddressRate() {
        return refusedByAddressRate;
    }

    /**
     * @return the connection limit in force: the configured {@code maxConnections}, lowered to the
     * process's file-descriptor limit minus {@value #RESERVED_FILE_DESCRIPTORS} when that is smaller
     * (a warning is logged then).
     */
    public int maxConnections() {
        return maxConnections;
    }

    /**
     * Makes the server refuse (or accept again) new connections while keeping every open one: a refused
     * connection is accepted, sent {@code ERROR SERVER_FULL "server overloaded, retry later"} without
     * blocking, and closed, so the client learns why at once instead of waiting in the listen backlog.
     * Any thread; takes effect from the next accepted connection.
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

    /**
     * The transport's outbound backlog: bytes written to connections and not yet taken by their sockets,
     * summed over the I/O threads. Each thread publishes its own total once per loop iteration, so this is
     * cheap (one volatile read per thread, no allocation) and at most one iteration old.
     *
     * @return unsent output bytes across all connections; 0 before {@link #start()}.
     */
    public long unsentBytes() {
        final IoThread[] ts = threads;
        long sum = 0;
        if (ts != null) {
            for (final IoThread t : ts) {
                sum += t.unsentBytes();
            }
        }
        return sum;
    }

    /**
     * Queues complete frame bytes for a connection. Any thread; copies the bytes, allocates nothing
     * and never blocks. The bytes are sent after everything offered to the same connection before.
     * Offers to connections that are closed, unknown, or whose server is closed are accepted and dropped.
     * If the bytes would take the connection's unsent output past the high-water mark, the connection
     * is closed with SLOW_CONSUMER (the caller learns it from {@code onClose}).
     *
     * @param connectionId the connection's {@link Connection#id()}.
     * @param buffer       holds the bytes.
     * @param offset       where they start.
     * @param length       how many; at most {@code commandQueueBytes / 8 - 8}.
     * @return false only if the owning I/O thread's command queue is full: retry later.
     * @throws IllegalArgumentException if {@code length} is negative or over the limit above.
     * @throws IllegalStateException    before {@link #start()}.
     */
    @Override
    public boolean offer(final long connectionId, final DirectBuffer buffer, final int offset, final int length) {
        final IoThread owner = owner(connectionId);
        return owner == null || owner.offer(CommandDescriptor.SEND, connectionId, buffer, offset, length);
    }

    /**
     * Asks a connection's I/O thread to send {@code ERROR(code, text)} after everything offered to it
     * before, flush what the socket takes without waiting, and close the connection. Any thread.
     *
     * @param connectionId the connection's id.
     * @param code         the error code.
     * @param text         a short text; cut to {@link Protocol#MAX_TEXT_LENGTH} UTF-8 bytes.
     * @return false only if the command queue is full: retry later.
     * @throws IllegalStateException before {@link #start()}.
     */
    @Override
    public boolean offerClose(final long connectionId, final ErrorCode code, final String text) {
        Objects.requireNonNull(code, "code");
        final IoThread owner = owner(connectionId);
        if (owner == null) {
            return true;
        }
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[Protocol.HEADER + 4 + Protocol.MAX_TEXT_LENGTH]);
        final int length = FrameEncoder.error(frame, 0, code.code(), text);
        return owner.offer(CommandDescriptor.SEND_AND_CLOSE, connectionId, frame, 0, length);
    }

    /**
     * Starts a graceful shutdown: stops accepting, sends {@code GOAWAY(goawayReconnectMillis, "server
     * draining")} to every connection (including any accepted concurrently), and stops reading from
     * them; writes and offers keep working, and read timeouts no longer fire. Returns at once; follow
     * with {@link #awaitFlushed} and {@link #close()}. Idempotent; no effect before start or after close.
     */
    public void drain() {
        final IoThread[] ts = threads;
        if (ts == null || closed.get() || draining) {
            return;
        }
        draining = true;
        LOG.info("draining: no new connections, GOAWAY to " + connectionCount() + " connection(s)");
        for (final IoThread t : ts) {
            t.wakeup();
        }
    }

    /**
     * Waits until every command queue is empty and no connection has unsent output (bytes the socket
     * accepted count as sent), or the server is closed.
     *
     * @param timeoutMillis the longest to wait.
     * @return true if that state was reached; false on timeout or interrupt (the interrupt flag is kept).
     */
    public boolean awaitFlushed(final long timeoutMillis) {
        final IoThread[] ts = threads;
        if (ts == null) {
            return true;
        }
        long remaining = TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMillis));
        flushLock.lock();
        try {
            flushWaiters++;
            try {
                while (!allFlushed(ts)) {
                    if (remaining <= 0) {
                        return false;
                    }
                    remaining = flushChanged.awaitNanos(remaining);
                }
                return true;
            } finally {
                flushWaiters--;
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            flushLock.unlock();
        }
    }

    /**
     * Closes every connection at once (unsent output is discarded; {@code onClose} is called once for
     * each), closes the listening socket and stops the I/O threads, waiting up to
     * {@value #JOIN_TIMEOUT_MILLIS} ms for each. Idempotent. Safe to call from a handler callback (the
     * calling I/O thread then finishes after the callback returns).
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        final IoThread[] ts = threads;
        if (ts == null) {
            return;
        }
        for (final IoThread t : ts) {
            t.requestShutdown();
        }
        boolean interrupted = false;
        for (final IoThread t : ts) {
            if (Thread.currentThread() == t.thread()) {
                continue;
            }
            try {
                t.thread().join(JOIN_TIMEOUT_MILLIS);
            } catch (final InterruptedException e) {
                interrupted = true;
            }
            if (t.thread().isAlive()) {
                LOG.warn(t.thread().getName() + " did not stop within " + JOIN_TIMEOUT_MILLIS + " ms");
            }
        }
        for (final IoThread t : ts) {
            if (t.isTerminated()) {
                t.closeLeftoverHandOffs();
            }
        }
        Acceptor.closeQuietly(serverChannel);
        signalFlushWaiters();
        LOG.info("closed");
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------------------------------
    // For the I/O threads, the acceptor and tests
    // ------------------------------------------------------------------------------------------

    boolean isDraining() {
        return draining;
    }

    boolean isClosed() {
        return closed.get();
    }

    void connectionOpened() {
        connections.incrementAndGet();
    }

    /**
     * @param addressKey the connection's {@link NioConnection#addressKey} (null if it was not counted per address).
     */
    void connectionClosed(final AddressKey addressKey) {
        connections.decrementAndGet();
        if (addressKey != null) {
            perAddress.release(addressKey);
        }
    }

    /** @return the per-address counts, or null when the cap is off (acceptor and tests). */
    AddressConnectionCounts perAddress() {
        return perAddress;
    }

    /** Acceptor thread only. */
    void refusedByAddressCap() {
        refusedByAddressCap++; // single writer
    }

    /** Acceptor thread only. */
    void refusedByAddressRate() {
        refusedByAddressRate++; // single writer
    }

    boolean hasFlushWaiters() {
        return flushWaiters > 0;
    }

    void signalFlushWaiters() {
        flushLock.lock();
        try {
            flushChanged.signalAll();
        } finally {
            flushLock.unlock();
        }
    }

    /** @return buffers borrowed from all I/O threads' pools now; 0 when every connection is idle. */
    int borrowedBuffers() {
        final IoThread[] ts = threads;
        int sum = 0;
        if (ts != null) {
            for (final IoThread t : ts) {
                sum += t.borrowedBuffers();
            }
        }
        return sum;
    }

    /** @return the I/O threads (tests). */
    Thread[] ioThreads() {
        final IoThread[] ts = threads;
        final Thread[] result = new Thread[ts == null ? 0 : ts.length];
        for (int i = 0; i < result.length; i++) {
            result[i] = ts[i].thread();
        }
        return result;
    }

    private IoThread owner(final long connectionId) {
        final IoThread[] ts = threads;
        if (ts == null) {
            throw new IllegalStateException("server not started");
        }
        if (closed.get()) {
            return null;
        }
        final int index = (int) (connectionId & 0xFF);
        return index < ts.length ? ts[index] : null;
    }

    private static boolean allFlushed(final IoThread[] ts) {
        for (final IoThread t : ts) {
            if (!t.isFlushed()) {
                return false;
            }
        }
        return true;
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
