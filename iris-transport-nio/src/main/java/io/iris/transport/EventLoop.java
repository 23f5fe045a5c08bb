package io.iris.transport;

import io.iris.protocol.ErrorCode;
import io.iris.transport.protocol.FrameEncoder;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One event loop of a {@link NioTransport}: an Agrona {@link Agent} with its own {@link Selector} that owns a
 * set of connections (accepted by any listener, or outbound) and possibly some listeners' acceptors. Every
 * read, write, timer and handler callback of its connections runs on its thread ({@code iris-io-<n>}), so
 * connection state needs no locks. See {@link NioTransport} for the overall design; everything in this class
 * except {@link #offer}, {@link #handOff}, {@link #wakeup()}, {@link #requestShutdown()}, {@link #isFlushed()}
 * and {@link #unsentBytes()} runs on the owning thread.
 *
 * <p><b>One duty cycle</b> ({@link #doWork()}): select — blocking when nothing is pending, up to the next
 * timer sweep or 1 ms while a handler has work pending (the loop's idle: it never spins), with ready keys
 * handled inside the select call (no selected-key set, no iterator); then take handed-off connections and
 * acceptors, start draining if asked, run queued commands, sweep timers (every {@value #SWEEP_INTERVAL_MILLIS}
 * ms), call {@link ConnectionHandler#onLoopIteration()} of every handler, flush every connection written to
 * (one gathering write each), call {@code onClose} for connections closed meanwhile, and publish the
 * "flushed" state, the unsent-bytes total and the byte counters.
 *
 * <p><b>Layers.</b> A connection is built from layers and the loop only calls them: its {@link SocketLayer}
 * (plain, or TLS in {@link TlsSocketLayer}) moves bytes between the socket and plaintext; its
 * {@link io.iris.transport.framing.Framing} cuts plaintext into frames and wraps frames for the wire. The
 * connection's {@link OutboundQueue} holds framed plaintext until the socket layer flushes it.
 */
final class EventLoop implements Agent {
    /** Size of the per-loop read buffer. */
    static final int READ_BUFFER_SIZE = 64 * 1024;
    /** Period of the timer sweep (read timeouts, deadlines, connect timeouts), and the longest a select blocks. */
    static final long SWEEP_INTERVAL_MILLIS = 100;
    /** The longest a select waits while a handler reported pending work from {@link ConnectionHandler#onLoopIteration()}. */
    static final long PENDING_WORK_SELECT_MILLIS = 1;
    /** Reads per readiness event for one connection before moving on (fairness). */
    static final int MAX_READS_PER_EVENT = 8;
    /** Size of the buffer used to discard unread input before closing a socket. */
    static final int DISCARD_BUFFER_SIZE = 8 * 1024;
    /** Reads of unread input discarded before closing a socket (see {@link #discardInbound}). */
    static final int MAX_DISCARD_READS = 8;
    /** Free {@link OutboundQueue} objects kept. */
    static final int MAX_FREE_QUEUES = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(NioTransport.class);
    private static final long NOT_FLUSHED = -1L;

    private final int index;
    private final NioTransport transport;
    private final String roleName;
    private final int commandQueueBytes;
    /** Opened by {@link #open()} (at the transport's start), like the command queue: nothing heavy before. */
    private volatile Selector selector;
    private ManyToOneRingBuffer commands;
    private AtomicBuffer commandBuffer;
    private int commandCapacityMask;
    private int maxOfferLength;
    /** {@link NioConnection}s and {@link Acceptor}s to register, {@link Runnable}s to run. */
    private final Queue<Object> handOffs = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean sleeping = new AtomicBoolean();
    private volatile boolean shutdown;
    private volatile boolean terminated;
    /** Consumer position at which this loop last had no unsent output; {@link #NOT_FLUSHED} while it has some. */
    private volatile long flushedPosition;
    private volatile Thread thread;

    private final Long2ObjectHashMap<NioConnection> byId = new Long2ObjectHashMap<>();
    private NioConnection[] connections = new NioConnection[64];
    private int connectionCount;
    private NioConnection[] dirty = new NioConnection[64];
    private int dirtyCount;
    private NioConnection[] closed = new NioConnection[16];
    private int closedCount;
    private Acceptor[] acceptors = new Acceptor[0];
    private int connectionsWithOutput;
    /** Unsent output bytes of all this loop's connections; owned by the loop. */
    private long unsentBytes;
    /** {@link #unsentBytes} as of the end of the last duty cycle, for other threads. */
    private volatile long publishedUnsentBytes;
    private long bytesRead;
    private long bytesWritten;
    private boolean handlerWorkPending;

    final BufferPool pool = new BufferPool();
    private final OutboundQueue[] freeQueues = new OutboundQueue[MAX_FREE_QUEUES];
    private int freeQueueCount;

    final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_SIZE);
    final UnsafeBuffer readView = new UnsafeBuffer(readBuffer);
    /** Reusable view handed to framings ({@link NioConnection#view}). */
    final UnsafeBuffer frameView = new UnsafeBuffer(0, 0);
    final UnsafeBuffer scratch = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
    final ByteBuffer discard = ByteBuffer.allocateDirect(DISCARD_BUFFER_SIZE);
    /** The TLS layer's shared buffers, made when this loop registers its first TLS connection. */
    private TlsSocketLayer.LoopBuffers tlsBuffers;

    private final Consumer<SelectionKey> onKey = this::onKey;
    private final MessageHandler onCommand = this::onCommand;

    private long nowMillis;
    private long nextSweepMillis;
    /** Set (last) once this loop has sent GOAWAY to its connections; read by {@link #isFlushed()}. */
    private volatile boolean drained;

    EventLoop(final int index, final NioTransport transport, final int commandQueueBytes) {
        this.index = index;
        this.transport = transport;
        this.roleName = "iris-io-" + index;
        this.commandQueueBytes = commandQueueBytes;
    }

    /**
     * Allocates the command queue and opens the selector; called once by {@link NioTransport#start()} before the
     * loop's thread starts.
     *
     * @throws IOException if the selector cannot be opened.
     */
    void open() throws IOException {
        this.commandBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            commandQueueBytes + RingBufferDescriptor.TRAILER_LENGTH, 64));
        this.commands = new ManyToOneRingBuffer(commandBuffer);
        this.commandCapacityMask = commands.capacity() - 1;
        this.maxOfferLength = commands.maxMsgLength() - CommandDescriptor.BYTES_OFFSET;
        this.nowMillis = clock();
        this.nextSweepMillis = nowMillis + SWEEP_INTERVAL_MILLIS;
        this.selector = Selector.open();
    }

    /** Closes the selector of a loop whose thread never ran (the transport failed to start). */
    void closeUnstarted() {
        final Selector s = selector;
        if (s != null && thread == null) {
            try {
                s.close();
            } catch (final IOException e) {
                if (LOG.isDebugEnabled()) {
                    LOG.debug("selector close failed: " + e);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Called from other threads
    // ------------------------------------------------------------------------------------------

    @Override
    public String roleName() {
        return roleName;
    }

    /** @return the loop's thread once started, else null. */
    Thread thread() {
        return thread;
    }

    /** @param thread the thread that will run this loop; set by the transport before it starts. */
    void thread(final Thread thread) {
        this.thread = thread;
    }

    /** @return the largest {@code length} {@link #offer} takes. */
    int maxOfferLength() {
        return maxOfferLength;
    }

    /**
     * Puts a command on this loop's queue. Any thread.
     *
     * @return false if the queue is full.
     */
    boolean offer(final int type, final long connectionId, final DirectBuffer buffer, final int offset,
                  final int length) {
        if (length < 0 || length > maxOfferLength) {
            throw new IllegalArgumentException("offer length must be in [0, " + maxOfferLength
                + "] (commandQueueBytes / 8 - 8), was " + length);
        }
        buffer.boundsCheck(offset, length);
        final int at = commands.tryClaim(type, CommandDescriptor.BYTES_OFFSET + length);
        if (at < 0) {
            return false;
        }
        try {
            commandBuffer.putLong(at + CommandDescriptor.CONNECTION_ID_OFFSET, connectionId);
            commandBuffer.putBytes(at + CommandDescriptor.BYTES_OFFSET, buffer, offset, length);
        } catch (final RuntimeException e) {
            commands.abort(at);
            throw e;
        }
        commands.commit(at);
        wakeupIfSleeping();
        return true;
    }

    /**
     * Hands an accepted or connecting {@link NioConnection}, an {@link Acceptor}, or a {@link Runnable} to run on
     * this loop's thread, to this loop. Any thread.
     */
    void handOff(final Object registration) {
        handOffs.add(registration);
        final Selector s = selector;
        if (s != null && Thread.currentThread() != thread) {
            s.wakeup();
        }
    }

    /** Wakes the loop unconditionally (rare events: drain, shutdown). */
    void wakeup() {
        final Selector s = selector;
        if (s != null) {
            s.wakeup();
        }
    }

    /** Asks the loop to close everything and end. */
    void requestShutdown() {
        shutdown = true;
        wakeup();
    }

    /** @return true if every command offered so far ran and left no unsent output, or the loop ended. */
    boolean isFlushed() {
        if (terminated || thread == null) {
            return true; // ended, or never ran (nothing can have been queued)
        }
        if (transport.isDraining() && !drained) {
            return false; // the GOAWAY frames are not even queued yet
        }
        return commands.producerPosition() == flushedPosition;
    }

    /** @return true once the loop has ended and released everything. */
    boolean isTerminated() {
        return terminated;
    }

    /** @return unsent output bytes of this loop's connections, as of the end of its last duty cycle. Any thread. */
    long unsentBytes() {
        return publishedUnsentBytes;
    }

    /** @return buffers borrowed from the pool now (for tests and diagnostics). */
    int borrowedBuffers() {
        return pool.borrowed();
    }

    /**
     * Closes connections and acceptors handed off after this loop ended (the transport is closing); connects in
     * progress and connect failures still waiting are reported to their handlers, on the calling thread.
     */
    void closeLeftoverHandOffs() {
        Object o;
        while ((o = handOffs.poll()) != null) {
            if (o instanceof NioConnection) {
                final NioConnection c = (NioConnection) o;
                closeQuietly(c.channel);
                if (c.state == NioConnection.CONNECTING) {
                    c.state = NioConnection.CLOSED;
                    reportConnectFailed(c, new IOException("transport closed"));
                } else {
                    c.endpoint.connectionClosed(c);
                }
            } else if (o instanceof Acceptor) {
                ((Acceptor) o).close();
            } else {
                runTask((Runnable) o);
            }
        }
    }

    /**
     * Wakes the loop only if it is (about to be) blocked in select. The full fence orders the caller's commit
     * before the read of {@link #sleeping}; the loop sets {@link #sleeping} before it looks for work. So either
     * the loop sees the command, or this sees the flag (no lost wakeup), and a busy loop costs no wakeup syscall.
     */
    private void wakeupIfSleeping() {
        VarHandle.fullFence();
        if (sleeping.get() && sleeping.compareAndSet(true, false)) {
            selector.wakeup();
        }
    }

    // ------------------------------------------------------------------------------------------
    // The duty cycle
    // ------------------------------------------------------------------------------------------

    @Override
    public int doWork() throws IOException {
        if (shutdown) {
            throw new AgentTerminationException();
        }
        try {
            select();
        } catch (final ClosedSelectorException e) {
            throw new AgentTerminationException(e);
        }
        nowMillis = clock();
        int work = takeHandOffs();
        if (!drained && transport.isDraining()) {
            drainAll();
        }
        work += processCommands();
        if (nowMillis >= nextSweepMillis) {
            sweep();
            nextSweepMillis = nowMillis + SWEEP_INTERVAL_MILLIS;
        }
        handlerWorkPending = callLoopIteration();
        work += dirtyCount + closedCount;
        flushDirty();
        notifyClosed();
        publish();
        return work;
    }

    private void select() throws IOException {
        sleeping.set(true);
        if (hasWork()) {
            sleeping.set(false);
            selector.selectNow(onKey);
        } else {
            final long timeout = handlerWorkPending ? PENDING_WORK_SELECT_MILLIS
                : Math.max(1, nextSweepMillis - clock());
            selector.select(onKey, timeout);
            sleeping.set(false);
        }
    }

    private boolean hasWork() {
        return shutdown
            || dirtyCount > 0
            || closedCount > 0
            || !handOffs.isEmpty()
            || (!drained && transport.isDraining())
            || hasCommittedCommand();
    }

    /** @return true if the record at the head of the command queue is committed (ready to read). */
    private boolean hasCommittedCommand() {
        final int headIndex = (int) commands.consumerPosition() & commandCapacityMask;
        return commandBuffer.getIntVolatile(RecordDescriptor.lengthOffset(headIndex)) > 0;
    }

    private boolean callLoopIteration() {
        final ConnectionHandler[] handlers = transport.handlers();
        boolean pending = false;
        for (final ConnectionHandler h : handlers) {
            try {
                pending |= h.onLoopIteration();
            } catch (final Throwable t) {
                LOG.warn("ConnectionHandler.onLoopIteration failed on " + roleName, t);
            }
        }
        return pending;
    }

    private void publish() {
        if (unsentBytes != publishedUnsentBytes) {
            transport.counters0().unsentBytes.getAndAdd(unsentBytes - publishedUnsentBytes);
            publishedUnsentBytes = unsentBytes;
        }
        if (bytesRead != 0) {
            transport.counters0().bytesRead.getAndAdd(bytesRead);
            bytesRead = 0;
        }
        if (bytesWritten != 0) {
            transport.counters0().bytesWritten.getAndAdd(bytesWritten);
            bytesWritten = 0;
        }
        final long position = connectionsWithOutput == 0 ? commands.consumerPosition() : NOT_FLUSHED;
        if (position != flushedPosition) {
            flushedPosition = position;
        }
        if (transport.hasFlushWaiters()) {
            transport.signalFlushWaiters();
        }
    }

    @Override
    public void onClose() {
        try {
            nowMillis = clock();
            for (final Acceptor a : acceptors) {
                a.close();
            }
            for (int i = connectionCount - 1; i >= 0; i--) {
                final NioConnection c = connections[i];
                if (c.state == NioConnection.CONNECTING) {
                    connectFailed(c, new IOException("transport closed"));
                } else {
                    closeNow(c);
                }
            }
            notifyClosed();
            closeLeftoverHandOffs();
            try {
                selector.close();
            } catch (final IOException e) {
                if (LOG.isDebugEnabled()) {
                    LOG.debug("selector close failed: " + e);
                }
            }
            pool.clear();
        } catch (final Throwable t) {
            LOG.error("event loop " + roleName + " failed while shutting down", t);
        } finally {
            if (publishedUnsentBytes != 0) {
                transport.counters0().unsentBytes.getAndAdd(-publishedUnsentBytes);
            }
            publishedUnsentBytes = 0;
            terminated = true;
            transport.signalFlushWaiters();
        }
    }

    // ------------------------------------------------------------------------------------------
    // Registration, draining, timers, closing
    // ------------------------------------------------------------------------------------------

    private int takeHandOffs() {
        int n = 0;
        Object o;
        while ((o = handOffs.poll()) != null) {
            n++;
            if (o instanceof NioConnection) {
                register((NioConnection) o);
            } else if (o instanceof Acceptor) {
                registerAcceptor((Acceptor) o);
            } else {
                runTask((Runnable) o);
            }
        }
        return n;
    }

    /** Runs a task handed off by another thread (e.g. a connect that failed at once reports its failure). */
    private static void runTask(final Runnable task) {
        try {
            task.run();
        } catch (final Throwable t) {
            LOG.warn("event-loop task failed", t);
        }
    }

    private void registerAcceptor(final Acceptor a) {
        try {
            a.register(selector);
        } catch (final IOException | RuntimeException e) {
            LOG.error("cannot register the acceptor of " + a + " on " + roleName, e);
            a.close();
            return;
        }
        acceptors = Arrays.copyOf(acceptors, acceptors.length + 1);
        acceptors[acceptors.length - 1] = a;
        if (transport.isDraining()) {
            a.close();
        }
    }

    private void register(final NioConnection c) {
        final boolean connecting = c.state == NioConnection.CONNECTING && c.channel.isConnectionPending();
        if (connecting) {
            final long timeout = c.endpoint.connectTimeoutMillis;
            c.deadlineMillis = timeout >= NioConnection.NO_DEADLINE - nowMillis ? NioConnection.NO_DEADLINE - 1
                : nowMillis + timeout;
        }
        try {
            c.key = c.channel.register(selector, connecting ? SelectionKey.OP_CONNECT : SelectionKey.OP_READ, c);
        } catch (final IOException | RuntimeException e) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("could not register " + c + ": " + e);
            }
            if (c.state == NioConnection.CONNECTING) {
                c.state = NioConnection.CLOSED;
                closeQuietly(c.channel);
                reportConnectFailed(c, e instanceof IOException ? (IOException) e : new IOException(e));
            } else {
                closeQuietly(c.channel);
                c.endpoint.connectionClosed(c);
            }
            return;
        }
        byId.put(c.id, c);
        addConnection(c);
        if (!connecting) {
            open(c);
        }
    }

    /** The socket is connected (accepted, or an outbound connect finished): builds the layers and opens it to the handler. */
    private void open(final NioConnection c) {
        c.state = NioConnection.OPEN;
        c.lastFrameMillis = nowMillis;
        c.layer = c.endpoint.newSocketLayer(c);
        c.framing = c.endpoint.framing.newFraming();
        c.endpoint.counters.opened();
        try {
            c.endpoint.handler.onOpen(c);
        } catch (final Throwable t) {
            handlerFailed(c, "onOpen", t);
        }
        if (c.state == NioConnection.OPEN) {
            c.layer.onOpen(this, c);
        }
        if (drained && c.state == NioConnection.OPEN) {
            goaway(c);
        }
    }

    private void finishConnect(final NioConnection c) {
        try {
            if (!c.channel.finishConnect()) {
                return;
            }
        } catch (final IOException e) {
            connectFailed(c, e);
            return;
        }
        c.deadlineMillis = NioConnection.NO_DEADLINE;
        c.key.interestOps(SelectionKey.OP_READ);
        open(c);
    }

    private void connectFailed(final NioConnection c, final IOException cause) {
        if (c.state != NioConnection.CONNECTING) {
            return;
        }
        c.state = NioConnection.CLOSED;
        if (c.key != null) {
            c.key.cancel();
        }
        closeQuietly(c.channel);
        byId.remove(c.id);
        removeConnection(c);
        reportConnectFailed(c, cause);
    }

    private void reportConnectFailed(final NioConnection c, final IOException cause) {
        c.endpoint.connectionClosed(c);
        if (LOG.isDebugEnabled()) {
            LOG.debug("connect " + c + " failed: " + cause);
        }
        try {
            c.endpoint.handler.onConnectFailed(c.id, c.remoteAddress, cause);
        } catch (final Throwable t) {
            LOG.warn("ConnectionHandler.onConnectFailed failed for " + c, t);
        }
    }

    private void drainAll() {
        for (final Acceptor a : acceptors) {
            a.close();
        }
        for (int i = connectionCount - 1; i >= 0; i--) {
            if (i < connectionCount) {
                goaway(connections[i]);
            }
        }
        // Last: GOAWAY output is queued (flushedPosition already says so) before isFlushed() can pass.
        drained = true;
    }

    /**
     * Sends GOAWAY, stops reading (drops any partial frame) and disables the read timeout. Only accepted
     * connections get one: an outbound connection is not a client of this server.
     */
    private void goaway(final NioConnection c) {
        final DirectBuffer goaway = c.endpoint.goaway;
        if (goaway == null || c.state != NioConnection.OPEN) {
            return;
        }
        if (!c.layer.isReady()) {
            closeNow(c); // no frame can reach it before its handshake ends, and it cannot have logged in
            return;
        }
        c.reading = false;
        c.framing.release(c);
        if (write(c, goaway, 0, goaway.capacity())) {
            updateInterest(c);
        }
    }

    /**
     * Closes connections whose read timeout or deadline ({@link Connection#closeAfter}) passed and fails
     * connects past their timeout; iterates backwards so swap-removal is safe.
     */
    private void sweep() {
        for (final Acceptor a : acceptors) {
            a.resumeIfDue(nowMillis);
        }
        for (int i = connectionCount - 1; i >= 0; i--) {
            if (i >= connectionCount) {
                continue;
            }
            final NioConnection c = connections[i];
            if (c.state == NioConnection.CONNECTING) {
                if (nowMillis >= c.deadlineMillis) {
                    connectFailed(c, new SocketTimeoutException("not connected within "
                        + c.endpoint.connectTimeoutMillis + " ms"));
                }
                continue;
            }
            if (nowMillis >= c.deadlineMillis) {
                closeWithError(c, c.deadlineCode, c.deadlineText);
                continue;
            }
            final int timeout = c.readTimeoutMillis;
            if (timeout > 0 && c.reading && nowMillis - c.lastFrameMillis >= timeout) {
                closeWithError(c, c.timeoutCode, "no frame received for " + timeout + " ms");
            }
        }
    }

    /** Sends an ERROR frame, flushes what the socket takes now, closes. Used by {@link Connection#closeWithError}. */
    void closeWithError(final NioConnection c, final ErrorCode code, final String text) {
        closeWithError(c, code, text, -1);
    }

    /** As above; {@code retryAfterMillis >= 0} writes the version-2 ERROR with that advice. */
    void closeWithError(final NioConnection c, final ErrorCode code, final String text, final long retryAfterMillis) {
        if (c.state != NioConnection.OPEN) {
            return;
        }
        final int length = retryAfterMillis < 0 ? FrameEncoder.error(scratch, 0, code.code(), text)
            : FrameEncoder.error(scratch, 0, code.code(), text, retryAfterMillis);
        if (LOG.isDebugEnabled()) {
            LOG.debug("closing " + c + " with " + code + ": " + text);
        }
        closeWithFrame(c, scratch, 0, length);
    }

    private void closeWithFrame(final NioConnection c, final DirectBuffer frame, final int offset, final int length) {
        if (c.layer.isReady()) {
            c.framing.encode(c, frame, offset, length);
        }
        c.layer.flushBeforeClose(this, c);
        closeNow(c);
    }

    /** Closes at once, discarding unsent output. Used by {@link Connection#close} and the layers. */
    void closeNow(final NioConnection c) {
        if (c.state != NioConnection.OPEN) {
            return;
        }
        c.state = NioConnection.CLOSED;
        if (c.key != null) {
            c.key.cancel();
        }
        c.layer.close(this, c);
        closeQuietly(c.channel);
        c.framing.release(c);
        if (c.out != null) {
            returnQueue(c);
        }
        byId.remove(c.id);
        removeConnection(c);
        c.endpoint.connectionClosed(c);
        c.endpoint.counters.closed();
        if (closedCount == closed.length) {
            closed = Arrays.copyOf(closed, closedCount * 2);
        }
        closed[closedCount++] = c;
    }

    /** Calls onClose for every connection closed since the last call (never re-entrantly from a callback). */
    private void notifyClosed() {
        for (int i = 0; i < closedCount; i++) {
            final NioConnection c = closed[i];
            closed[i] = null;
            try {
                c.endpoint.handler.onClose(c);
            } catch (final Throwable t) {
                LOG.warn("ConnectionHandler.onClose failed for " + c, t);
            }
        }
        closedCount = 0;
    }

    private void handlerFailed(final NioConnection c, final String callback, final Throwable t) {
        LOG.warn("ConnectionHandler." + callback + " failed for " + c + "; closing it with INTERNAL", t);
        closeWithError(c, ErrorCode.INTERNAL, "internal error");
    }

    private void addConnection(final NioConnection c) {
        if (connectionCount == connections.length) {
            connections = Arrays.copyOf(connections, connectionCount * 2);
        }
        c.index = connectionCount;
        connections[connectionCount++] = c;
    }

    private void removeConnection(final NioConnection c) {
        final int i = c.index;
        if (i < 0) {
            return;
        }
        final int last = --connectionCount;
        if (i != last) {
            final NioConnection moved = connections[last];
            connections[i] = moved;
            moved.index = i;
        }
        connections[last] = null;
        c.index = -1;
    }

    // ------------------------------------------------------------------------------------------
    // Commands from other threads
    // ------------------------------------------------------------------------------------------

    private int processCommands() {
        // One read() stops at the end of the buffer; a second one picks up after a wrap.
        int n = commands.read(onCommand);
        if (n > 0) {
            n += commands.read(onCommand);
        }
        return n;
    }

    private void onCommand(final int type, final MutableDirectBuffer buffer, final int index, final int length) {
        final NioConnection c = byId.get(buffer.getLong(index + CommandDescriptor.CONNECTION_ID_OFFSET));
        if (c == null || c.state != NioConnection.OPEN) {
            return; // closed, still connecting, or unknown: dropped silently
        }
        final int offset = index + CommandDescriptor.BYTES_OFFSET;
        final int bytes = length - CommandDescriptor.BYTES_OFFSET;
        if (type == CommandDescriptor.SEND) {
            write(c, buffer, offset, bytes);
        } else if (type == CommandDescriptor.SEND_AND_CLOSE) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("closing " + c + " on request with an error frame");
            }
            closeWithFrame(c, buffer, offset, bytes);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Output
    // ------------------------------------------------------------------------------------------

    /** Frames and queues output under the connection's write policy; used by {@link Connection#write} and SEND commands. */
    boolean write(final NioConnection c, final DirectBuffer buffer, final int offset, final int length) {
        if (c.state != NioConnection.OPEN) {
            return false;
        }
        if (length <= 0) {
            if (length < 0) {
                throw new IllegalArgumentException("length must be >= 0, was " + length);
            }
            return true;
        }
        final WritePolicy policy = c.endpoint.writePolicy;
        final long pending = c.out == null ? 0 : c.out.pending();
        if (pending + length > policy.hardLimit()) {
            c.endpoint.counters.slowConsumer();
            closeWithError(c, ErrorCode.SLOW_CONSUMER, "unsent output passed the "
                + (policy.closesAtHighWaterMark() ? "high-water mark of " : "hard limit of ")
                + policy.hardLimit() + " bytes");
            return false;
        }
        c.framing.encode(c, buffer, offset, length);
        if (c.writable && !policy.closesAtHighWaterMark() && c.out != null && c.out.pending() > policy.highWaterMark()) {
            writabilityChanged(c, false);
        }
        return true;
    }

    /** Appends to the connection's unsent output (borrowing its queue if it has none) and counts the bytes. */
    void enqueue(final NioConnection c, final DirectBuffer buffer, final int offset, final int length) {
        if (c.out == null) {
            borrowQueue(c);
        }
        c.out.append(pool, buffer, offset, length);
        unsentBytes += length;
    }

    private void writabilityChanged(final NioConnection c, final boolean writable) {
        c.writable = writable;
        try {
            c.endpoint.handler.onWritabilityChanged(c, writable);
        } catch (final Throwable t) {
            handlerFailed(c, "onWritabilityChanged", t);
        }
    }

    /** Puts the connection on the list flushed at the end of this duty cycle (unless OP_WRITE will). */
    void markDirty(final NioConnection c) {
        if (!c.dirty && !c.writeInterest) {
            c.dirty = true;
            if (dirtyCount == dirty.length) {
                dirty = Arrays.copyOf(dirty, dirtyCount * 2);
            }
            dirty[dirtyCount++] = c;
        }
    }

    private void flushDirty() {
        for (int i = 0; i < dirtyCount; i++) {
            final NioConnection c = dirty[i];
            dirty[i] = null;
            c.dirty = false;
            if (c.state == NioConnection.OPEN) {
                flush(c);
            }
        }
        dirtyCount = 0;
    }

    /** Has the socket layer write what it can; keeps OP_WRITE, the queue and writability in step. */
    void flush(final NioConnection c) {
        final boolean done;
        try {
            done = c.layer.flush(this, c);
        } catch (final IOException e) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("write failed on " + c + ": " + e);
            }
            c.layer.failed(c);
            closeNow(c);
            return;
        }
        if (c.state != NioConnection.OPEN) {
            return;
        }
        final int pending = c.out == null ? 0 : c.out.pending();
        if (c.out != null && pending == 0) {
            returnQueue(c);
        }
        if (done == c.writeInterest) {
            c.writeInterest = !done;
            updateInterest(c);
        }
        if (!c.writable && pending <= c.endpoint.writePolicy.lowWaterMark()) {
            writabilityChanged(c, true);
        }
    }

    void updateInterest(final NioConnection c) {
        final SelectionKey key = c.key;
        if (key != null && key.isValid()) {
            key.interestOps((c.reading ? SelectionKey.OP_READ : 0) | (c.writeInterest ? SelectionKey.OP_WRITE : 0));
        }
    }

    /**
     * Writes the plaintext queue to the socket (plain connections), keeping the byte counts up to date.
     *
     * @return true if the queue is empty.
     */
    boolean flushPlain(final NioConnection c) throws IOException {
        final OutboundQueue out = c.out;
        if (out == null) {
            return true;
        }
        final int before = out.pending();
        try {
            return out.flushTo(c.channel, pool);
        } finally {
            final int written = before - out.pending();
            unsentBytes -= written;
            bytesWritten += written;
        }
    }

    /** @param bytes plaintext taken from a connection's queue by the TLS layer. */
    void taken(final int bytes) {
        unsentBytes -= bytes;
    }

    /** @param bytes written to a socket by a layer outside {@link #flushPlain}. */
    void wrote(final long bytes) {
        bytesWritten += bytes;
    }

    /** @param bytes read from a socket. */
    void read(final long bytes) {
        bytesRead += bytes;
    }

    private void borrowQueue(final NioConnection c) {
        final OutboundQueue out = freeQueueCount > 0 ? freeQueues[--freeQueueCount] : new OutboundQueue();
        freeQueues[freeQueueCount] = null;
        c.out = out;
        if (connectionsWithOutput++ == 0 && flushedPosition != NOT_FLUSHED) {
            flushedPosition = NOT_FLUSHED;
        }
    }

    private void returnQueue(final NioConnection c) {
        final OutboundQueue out = c.out;
        c.out = null;
        unsentBytes -= out.pending();
        out.releaseAll(pool);
        connectionsWithOutput--;
        if (freeQueueCount < freeQueues.length) {
            freeQueues[freeQueueCount++] = out;
        }
    }

    /** @return the TLS layer's shared buffers of this loop, made on first use. */
    TlsSocketLayer.LoopBuffers tlsBuffers(final javax.net.ssl.SSLEngine probe) {
        if (tlsBuffers == null) {
            tlsBuffers = new TlsSocketLayer.LoopBuffers(probe.getSession());
        }
        return tlsBuffers;
    }

    // ------------------------------------------------------------------------------------------
    // Input
    // ------------------------------------------------------------------------------------------

    private void onKey(final SelectionKey key) {
        nowMillis = clock();
        final Object attachment = key.attachment();
        if (attachment instanceof NioConnection) {
            final NioConnection c = (NioConnection) attachment;
            if (!key.isValid()) {
                return;
            }
            final int ready = key.readyOps();
            if (c.state == NioConnection.CONNECTING) {
                if ((ready & SelectionKey.OP_CONNECT) != 0) {
                    finishConnect(c);
                }
                return;
            }
            if ((ready & SelectionKey.OP_WRITE) != 0 && c.state == NioConnection.OPEN) {
                flush(c);
                if (c.state == NioConnection.OPEN && c.layer.hasCarriedInput() && !c.writeInterest && c.reading
                    && (ready & SelectionKey.OP_READ) == 0) {
                    onReadable(c); // reading waited for the layer's own output to be sent: go on with carried input
                }
            }
            if ((ready & SelectionKey.OP_READ) != 0 && c.state == NioConnection.OPEN && c.reading) {
                onReadable(c);
            }
        } else if (attachment instanceof Acceptor) {
            ((Acceptor) attachment).onAcceptable(nowMillis);
        }
    }

    private void onReadable(final NioConnection c) {
        try {
            for (int i = 0; i < MAX_READS_PER_EVENT && c.state == NioConnection.OPEN && c.reading; i++) {
                if (!c.layer.read(this, c)) {
                    return;
                }
            }
        } catch (final IOException e) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("read failed on " + c + ": " + e);
            }
            closeNow(c);
        }
    }

    /** Delivers one frame to the handler; called by the framing through {@link NioConnection#deliver}. */
    void dispatch(final NioConnection c, final DirectBuffer buffer, final int offset, final int length) {
        if (!c.loginDeadline) {
            c.lastFrameMillis = nowMillis; // the login deadline is not pushed back by frames
        }
        try {
            c.endpoint.handler.onFrame(c, buffer, offset, length);
        } catch (final Throwable t) {
            handlerFailed(c, "onFrame", t);
        }
    }

    /**
     * Reads and drops what is readable now (bounded), so that closing the socket sends FIN rather than RST:
     * Linux answers a close with unread input by a reset that can discard the error frame just written.
     */
    static void discardInbound(final SocketChannel channel, final ByteBuffer scratch) throws IOException {
        for (int i = 0; i < MAX_DISCARD_READS; i++) {
            scratch.clear();
            if (channel.read(scratch) <= 0) {
                return;
            }
        }
    }

    static void closeQuietly(final java.nio.channels.Channel channel) {
        try {
            channel.close();
        } catch (final IOException e) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("close failed: " + e);
            }
        }
    }

    // ------------------------------------------------------------------------------------------

    /** @return the loop's clock in millis (monotonic), as of the current event. */
    long nowMillis() {
        return nowMillis;
    }

    boolean isOwnerThread() {
        return Thread.currentThread() == thread;
    }

    int index() {
        return index;
    }

    private static long clock() {
        return System.nanoTime() / 1_000_000L;
    }
}
