package io.iris.transport;

import io.iris.api.counters.IrisCounters;
import io.iris.protocol.ErrorCode;
import io.iris.protocol.Protocol;
import io.iris.transport.protocol.FrameEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The Iris NIO transport: a small fixed set of event loops that serves several {@link Listener}s (bound ports:
 * clients over TCP or TLS, later WebSocket) and outbound connections ({@link #connect}: node links), hands
 * every complete frame to a {@link ConnectionHandler}, and sends what handlers write and what other threads
 * {@link #offer}.
 *
 * <h2>Threading design</h2>
 *
 * <p>{@link NioTransportConfig#ioThreads()} event loops ({@code iris-io-<n>}), each an Agrona
 * {@link org.agrona.concurrent.Agent} with its own {@link java.nio.channels.Selector}, run by an
 * {@link AgentRunner}. Their idle is the select itself: a loop with nothing to do blocks in select until I/O,
 * a command or the next timer sweep (at most 1 ms while a handler reports pending work), so an idle transport
 * costs no CPU — it never spins. Listeners and outbound connections add no thread: a listener's acceptor is
 * registered on one loop (listeners are spread round-robin) and deals accepted sockets to all loops
 * round-robin; an outbound connection is connected on the next loop. A connection belongs to one loop for its
 * whole life, and every callback, read, write and timer of it runs there, so connection state needs no locks.
 * Connection ids are {@code (sequence << 8) | loopIndex} with one sequence for the whole transport, so they are
 * unique across listeners and outbound connections and {@link #offer} finds the owning loop from the low byte
 * without a shared map.
 *
 * <p>Other threads never touch a connection. They put (connectionId, command, bytes) records on the owning
 * loop's Agrona {@code ManyToOneRingBuffer}: the bytes are copied, nothing is allocated, and a full queue is
 * reported ({@code false}) rather than waited on, so back-pressure reaches the caller. The loop is woken with
 * {@code selector.wakeup()} only when it is (about to be) blocked in select.
 *
 * <h2>Layers</h2>
 *
 * <p>A connection is built from layers, chosen per listener ({@link NioServerConfig}) or per outbound
 * connection ({@link ConnectOptions}): a socket layer (plaintext, or TLS in server or client mode) under a
 * {@link io.iris.transport.framing.Framing} (length-prefixed today; WebSocket next) under the handler. The
 * loop only calls the layers. Bytes for a connection are appended to its outbound chunks and flushed once per
 * duty cycle; buffers for partial inbound frames and unsent output are borrowed from the loop's pool only
 * while they hold bytes, so an idle connection costs a socket, a selection key and a few small objects. What
 * happens when unsent output grows is the connection's {@link WritePolicy}: clients are closed with
 * SLOW_CONSUMER at the high-water mark, node links get writability with low and high water marks.
 *
 * <p>{@code onClose} is never called from inside another callback: closes are collected and reported at the
 * next safe point of the loop. An exception thrown by the handler closes only the connection concerned (ERROR
 * INTERNAL) and is logged; the loop carries on (unexpected loop errors are logged and counted in
 * {@code iris_transport_loop_errors_total}).
 *
 * <h2>Lifecycle</h2>
 *
 * {@link #listener} adds a listener (bound by {@link #start()}, or at once if already started);
 * {@link #start()} binds and starts the loops; {@link #drain()} stops accepting and reading accepted
 * connections and sends them GOAWAY; {@link #awaitFlushed} waits until what was queued is on the wire;
 * {@link #close()} closes every connection and stops the loops. Logging goes through SLF4J under this class's
 * name.
 */
public final class NioTransport implements AutoCloseable, FrameSink {
    /** How long {@link #close()} waits for each event loop to finish. */
    static final long JOIN_TIMEOUT_MILLIS = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(NioTransport.class);
    private static final ConnectionHandler[] NO_HANDLERS = new ConnectionHandler[0];
    /** Capacity of the registry a transport makes when none is configured. */
    private static final int PRIVATE_COUNTERS = 256;

    private final NioTransportConfig config;
    private final IrisCounters registry;
    private final TransportCounters counters;
    private final EventLoop[] loops;
    private final AgentRunner[] runners;
    private final List<Listener> listeners = new ArrayList<>();
    private final AtomicLong sequence = new AtomicLong(1);
    private final AtomicInteger nextLoop = new AtomicInteger();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ReentrantLock flushLock = new ReentrantLock();
    private final Condition flushChanged = flushLock.newCondition();
    private volatile int flushWaiters;
    private volatile boolean draining;
    private volatile ConnectionHandler[] handlers = NO_HANDLERS;

    /**
     * Creates the transport; nothing is opened or started until {@link #start()}.
     *
     * @param config the loop-wide settings.
     */
    public NioTransport(final NioTransportConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.registry = config.counters() != null ? config.counters() : new IrisCounters(PRIVATE_COUNTERS);
        this.counters = new TransportCounters(registry);
        this.loops = new EventLoop[config.ioThreads()];
        this.runners = new AgentRunner[loops.length];
        for (int i = 0; i < loops.length; i++) {
            loops[i] = new EventLoop(i, this, config.commandQueueBytes());
            runners[i] = new AgentRunner(NoOpIdleStrategy.INSTANCE, this::loopError, counters.loopErrors, loops[i]);
        }
    }

    /**
     * Adds a listener. Before {@link #start()} it is bound by start; after, it is bound here.
     *
     * @param config  the listener's settings.
     * @param handler receives the events of every connection it accepts, on their loops.
     * @return the listener.
     * @throws UncheckedIOException  if the transport is started and the address cannot be bound.
     * @throws IllegalStateException if the transport is closed.
     */
    public Listener listener(final NioServerConfig config, final ConnectionHandler handler) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(handler, "handler");
        final Listener listener;
        synchronized (listeners) {
            if (closed.get()) {
                throw new IllegalStateException("transport is closed");
            }
            listener = new Listener(this, config, handler, counters.group(config.name()),
                loops[listeners.size() % loops.length]);
            listeners.add(listener);
            addHandler(handler);
            if (started.get()) {
                try {
                    listener.bind();
                } catch (final IOException e) {
                    throw new UncheckedIOException("cannot listen on " + config.host() + ":" + config.port(), e);
                }
            }
        }
        return listener;
    }

    /**
     * Binds every listener added so far and starts the event loops ({@code iris-io-0} ..., not daemons).
     *
     * @throws IOException           if an address cannot be bound (the transport is then closed).
     * @throws IllegalStateException if already started or closed.
     */
    public void start() throws IOException {
        if (closed.get()) {
            throw new IllegalStateException("transport is closed");
        }
        synchronized (listeners) {
            if (!started.compareAndSet(false, true)) {
                throw new IllegalStateException("transport already started");
            }
            try {
                for (final EventLoop l : loops) {
                    l.open();
                }
                for (final Listener l : listeners) {
                    l.bind();
                }
            } catch (final IOException | RuntimeException e) {
                close();
                throw e;
            }
        }
        for (int i = 0; i < runners.length; i++) {
            final EventLoop loop = loops[i];
            AgentRunner.startOnThread(runners[i], r -> {
                final Thread t = new Thread(r);
                t.setDaemon(false);
                loop.thread(t); // known before it runs: offers and hand-offs compare against it
                return t;
            });
        }
        LOG.info("started " + loops.length + " event loop(s) for " + listeners.size() + " listener(s)");
    }

    /**
     * Opens an outbound connection without blocking: the TCP connect runs on the next event loop. When it is
     * established the connection is opened to {@code handler} ({@code onOpen}; with TLS the client handshake
     * follows, and frames written meanwhile wait for it); if it fails or times out, {@code handler.onConnectFailed}
     * is called on that loop instead. The connection is a {@link Connection} like an accepted one: same id space,
     * {@link #offer} by id (offers before {@code onOpen} are dropped), its own write policy.
     *
     * @param address the server to connect to (resolved).
     * @param options TLS, framing, write policy, timeouts.
     * @param handler receives the connection's events.
     * @return the connection's id.
     * @throws IllegalArgumentException if the address is unresolved.
     * @throws IllegalStateException    if the transport is not started or closed.
     */
    public long connect(final InetSocketAddress address, final ConnectOptions options, final ConnectionHandler handler) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(handler, "handler");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("address is unresolved: " + address);
        }
        if (!started.get() || closed.get()) {
            throw new IllegalStateException(closed.get() ? "transport is closed" : "transport not started");
        }
        addHandler(handler);
        final Endpoint endpoint = new Endpoint(options, handler, counters.group(options.name()));
        final int target = Math.floorMod(nextLoop.getAndIncrement(), loops.length);
        final EventLoop loop = loops[target];
        final long id = nextConnectionId(target);
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (options.socketReceiveBuffer() > 0) {
                channel.setOption(StandardSocketOptions.SO_RCVBUF, options.socketReceiveBuffer());
            }
            if (options.socketSendBuffer() > 0) {
                channel.setOption(StandardSocketOptions.SO_SNDBUF, options.socketSendBuffer());
            }
            channel.connect(address);
        } catch (final IOException e) {
            if (channel != null) {
                EventLoop.closeQuietly(channel);
            }
            loop.handOff((Runnable) () -> handler.onConnectFailed(id, address, e));
            return id;
        }
        loop.handOff(new NioConnection(id, channel, loop, address, null, endpoint, NioConnection.CONNECTING));
        return id;
    }

    /** @return the counters registry the transport's counters live in (the configured one, or its own). */
    public IrisCounters counters() {
        return registry;
    }

    /** @return the listeners added so far. */
    public List<Listener> listeners() {
        synchronized (listeners) {
            return List.copyOf(listeners);
        }
    }

    /**
     * The transport's outbound backlog: bytes written to connections and not yet taken by their sockets, summed
     * over the loops. Each loop publishes its own total once per duty cycle, so this is cheap (one volatile read
     * per loop, no allocation) and at most one cycle old. The same value is the gauge
     * {@code iris_transport_unsent_bytes} in {@link #counters()}.
     *
     * @return unsent output bytes across all connections; 0 before {@link #start()}.
     */
    public long unsentBytes() {
        long sum = 0;
        for (final EventLoop l : loops) {
            sum += l.unsentBytes();
        }
        return sum;
    }

    /**
     * Queues complete frame bytes for a connection. Any thread; copies the bytes, allocates nothing and never
     * blocks. The bytes are sent after everything offered to the same connection before, through its framing.
     * Offers to connections that are closed, unknown, not yet open, or whose transport is closed are accepted
     * and dropped. If the bytes would take the connection's unsent output past its write policy's limit, the
     * connection is closed with SLOW_CONSUMER (the caller learns it from {@code onClose}).
     *
     * @param connectionId the connection's {@link Connection#id()}.
     * @param buffer       holds the bytes.
     * @param offset       where they start.
     * @param length       how many; at most {@code commandQueueBytes / 8 - 8}.
     * @return false only if the owning loop's command queue is full: retry later.
     * @throws IllegalArgumentException if {@code length} is negative or over the limit above.
     * @throws IllegalStateException    before {@link #start()}.
     */
    @Override
    public boolean offer(final long connectionId, final DirectBuffer buffer, final int offset, final int length) {
        final EventLoop owner = owner(connectionId);
        return owner == null || owner.offer(CommandDescriptor.SEND, connectionId, buffer, offset, length);
    }

    /**
     * Asks a connection's loop to send {@code ERROR(code, text)} after everything offered to it before, flush
     * what the socket takes without waiting, and close the connection. Any thread.
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
        final EventLoop owner = owner(connectionId);
        if (owner == null) {
            return true;
        }
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[Protocol.HEADER + 4 + Protocol.MAX_TEXT_LENGTH]);
        final int length = FrameEncoder.error(frame, 0, code.code(), text);
        return owner.offer(CommandDescriptor.SEND_AND_CLOSE, connectionId, frame, 0, length);
    }

    /**
     * Starts a graceful shutdown: every listener stops accepting, and every accepted connection (including any
     * accepted concurrently) is sent {@code GOAWAY(goawayReconnectMillis, "server draining")} of its listener
     * and no longer read; writes and offers keep working, and read timeouts no longer fire. Outbound
     * connections are left as they are until {@link #close()}. Returns at once; follow with
     * {@link #awaitFlushed} and {@link #close()}. Idempotent; no effect before start or after close.
     */
    public void drain() {
        if (!started.get() || closed.get() || draining) {
            return;
        }
        draining = true;
        int open = 0;
        for (final Listener l : listeners()) {
            open += l.connectionCount();
        }
        LOG.info("draining: no new connections, GOAWAY to " + open + " connection(s)");
        for (final EventLoop l : loops) {
            l.wakeup();
        }
    }

    /**
     * Waits until every command queue is empty and no connection has unsent output (bytes the socket accepted
     * count as sent), or the transport is closed.
     *
     * @param timeoutMillis the longest to wait.
     * @return true if that state was reached; false on timeout or interrupt (the interrupt flag is kept).
     */
    public boolean awaitFlushed(final long timeoutMillis) {
        if (!started.get()) {
            return true;
        }
        long remaining = TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMillis));
        flushLock.lock();
        try {
            flushWaiters++;
            try {
                while (!allFlushed()) {
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
     * Closes every listener and connection (unsent output is discarded; {@code onClose} is called for each open
     * connection, {@code onConnectFailed} for each connect in progress) and stops the event loops, waiting up to
     * {@value #JOIN_TIMEOUT_MILLIS} ms for each. Idempotent. May be called from a handler callback (the calling
     * loop then finishes after the callback returns).
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (final EventLoop l : loops) {
            l.requestShutdown();
        }
        boolean interrupted = false;
        for (final EventLoop l : loops) {
            final Thread t = l.thread();
            if (t == null || Thread.currentThread() == t) {
                continue;
            }
            try {
                t.join(JOIN_TIMEOUT_MILLIS);
            } catch (final InterruptedException e) {
                interrupted = true;
            }
            if (t.isAlive()) {
                LOG.warn(t.getName() + " did not stop within " + JOIN_TIMEOUT_MILLIS + " ms");
            }
        }
        for (final EventLoop l : loops) {
            if (l.isTerminated() || l.thread() == null) {
                l.closeLeftoverHandOffs();
                l.closeUnstarted();
            }
        }
        for (final Listener l : listeners()) {
            l.closeSocket();
        }
        signalFlushWaiters();
        if (allTerminated()) {
            counters.free();
        }
        LOG.info("closed");
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------------------------------
    // For the loops, listeners, acceptors and tests
    // ------------------------------------------------------------------------------------------

    boolean isDraining() {
        return draining;
    }

    boolean isClosed() {
        return closed.get();
    }

    EventLoop[] loops() {
        return loops;
    }

    TransportCounters counters0() {
        return counters;
    }

    /** @return every handler of a listener or outbound connection (each loop calls their {@code onLoopIteration}). */
    ConnectionHandler[] handlers() {
        return handlers;
    }

    /**
     * @param loopIndex the loop that will own the connection.
     * @return a new connection id: {@code (sequence << 8) | loopIndex}, the sequence shared by the transport.
     */
    long nextConnectionId(final int loopIndex) {
        return (sequence.getAndIncrement() << 8) | loopIndex;
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

    /** @return buffers borrowed from all loops' pools now; 0 when every connection is idle. */
    int borrowedBuffers() {
        int sum = 0;
        for (final EventLoop l : loops) {
            sum += l.borrowedBuffers();
        }
        return sum;
    }

    /** @return the event-loop threads (tests); empty before start. */
    Thread[] ioThreads() {
        return Arrays.stream(loops).map(EventLoop::thread).filter(Objects::nonNull).toArray(Thread[]::new);
    }

    private synchronized void addHandler(final ConnectionHandler handler) {
        for (final ConnectionHandler h : handlers) {
            if (h == handler) {
                return;
            }
        }
        final ConnectionHandler[] grown = Arrays.copyOf(handlers, handlers.length + 1);
        grown[handlers.length] = handler;
        handlers = grown;
    }

    private EventLoop owner(final long connectionId) {
        if (!started.get()) {
            throw new IllegalStateException("transport not started");
        }
        if (closed.get()) {
            return null;
        }
        final int index = (int) (connectionId & 0xFF);
        return index < loops.length ? loops[index] : null;
    }

    private boolean allFlushed() {
        for (final EventLoop l : loops) {
            if (!l.isFlushed()) {
                return false;
            }
        }
        return true;
    }

    private boolean allTerminated() {
        for (final EventLoop l : loops) {
            if (!l.isTerminated() && l.thread() != null) {
                return false;
            }
        }
        return true;
    }

    private void loopError(final Throwable t) {
        if (!(t instanceof AgentTerminationException)) {
            LOG.error("event loop error; continuing", t);
        }
    }
}
