package io.iris.transport;

import io.iris.protocol.ErrorCode;
import io.iris.transport.protocol.FrameEncoder;
import io.iris.protocol.Protocol;
import io.iris.transport.tls.TlsConfig;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * One I/O thread of a {@link NioServer}: a selector loop that owns a set of connections, reads and
 * reassembles their frames, runs the {@link ConnectionHandler} callbacks, executes commands other
 * threads put on its command queue, flushes output and fires read timeouts. See {@link NioServer} for
 * the overall design; everything in this class except {@link #offer}, {@link #handOff},
 * {@link #wakeup()}, {@link #requestShutdown()} and {@link #isFlushed()} runs on the owning thread.
 *
 * <p>One loop iteration: take handed-off connections, start draining if asked, run queued commands,
 * sweep timers (every {@value #SWEEP_INTERVAL_MILLIS} ms), flush every connection written to since
 * the last flush (one gathering write each), call {@code onClose} for connections closed meanwhile,
 * publish the "flushed" state for {@link NioServer#awaitFlushed} and the thread's total of unsent output
 * bytes for {@link NioServer#unsentBytes()} (kept up to date on every append, write and release), then select; ready keys are handled
 * inside the select call (no selected-key set, no iterator).
 *
 * <p><b>TLS.</b> When the server has a {@link TlsConfig}, each connection gets an {@link SSLEngine}
 * (in a {@link TlsState}) when it registers. Reads go into the thread's {@code netIn} buffer (after any
 * ciphertext carried from the previous read), are unwrapped record by record into the thread's
 * {@code plain} buffer, and that plaintext is fed to the same frame parser as plaintext ports use.
 * {@link OutboundQueue} keeps plaintext; a flush wraps it (gathering, several records) into the
 * thread's {@code netOut} buffer and writes. A connection borrows pool buffers only for a partial
 * record between reads and for ciphertext a full socket did not take, so an idle TLS connection holds
 * none. Handshake tasks run inline; handshake failures let the engine send its alert, then close
 * (logged at DEBUG). A first byte other than 0x16 (a TLS handshake record) gets one plaintext
 * {@code ERROR TLS_REQUIRED}.
 */
final class IoThread implements Runnable {
    /** Size of the per-thread read buffer. */
    static final int READ_BUFFER_SIZE = 64 * 1024;
    /** Period of the read-timeout sweep, and the longest a select blocks. */
    static final long SWEEP_INTERVAL_MILLIS = 100;
    /** Reads per readiness event for one connection before moving on (fairness). */
    static final int MAX_READS_PER_EVENT = 8;
    /** Size of the buffer used to discard unread input before closing a socket. */
    static final int DISCARD_BUFFER_SIZE = 8 * 1024;
    /** Reads of unread input discarded before closing a socket (see {@link #discardInbound}). */
    static final int MAX_DISCARD_READS = 8;
    /** Free {@link OutboundQueue} objects kept. */
    static final int MAX_FREE_QUEUES = 1024;
    /** TLS records wrapped into the shared {@code netOut} buffer per socket write. */
    static final int TLS_RECORDS_PER_WRITE = 4;
    /** Socket writes of TLS records per flush of one connection before yielding (fairness). */
    static final int MAX_TLS_WRITES_PER_FLUSH = 16;
    /** Bound on engine steps per read (a guard: each step consumes a record or makes handshake progress). */
    static final int MAX_TLS_STEPS_PER_READ = 100_000;
    /** First byte of a TLS handshake record. */
    static final byte TLS_HANDSHAKE_RECORD = 0x16;
    private static final ByteBuffer[] NO_DATA = {ByteBuffer.allocate(0)};

    private static final Logger LOG = LoggerFactory.getLogger(NioServer.class);
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    private static final long NOT_FLUSHED = -1L;

    private final int index;
    private final NioServer server;
    private final ConnectionHandler handler;
    private final int highWaterMark;
    private final Thread thread;
    private final Selector selector;
    private final ManyToOneRingBuffer commands;
    private final AtomicBuffer commandBuffer;
    private final int commandCapacityMask;
    private final int maxOfferLength;
    private final Queue<NioConnection> handOffs = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean sleeping = new AtomicBoolean();
    private volatile boolean shutdown;
    private volatile boolean terminated;
    /** Consumer position at which this thread last had no unsent output; {@link #NOT_FLUSHED} while it has some. */
    private volatile long flushedPosition;

    private final Long2ObjectHashMap<NioConnection> byId = new Long2ObjectHashMap<>();
    private NioConnection[] connections = new NioConnection[64];
    private int connectionCount;
    private NioConnection[] dirty = new NioConnection[64];
    private int dirtyCount;
    private NioConnection[] closed = new NioConnection[16];
    private int closedCount;
    private int connectionsWithOutput;
    /** Unsent output bytes of all this thread's connections; owned by the thread. */
    private long unsentBytes;
    /** {@link #unsentBytes} as of the end of the last loop iteration, for other threads. */
    private volatile long publishedUnsentBytes;

    private final BufferPool pool = new BufferPool();
    private final OutboundQueue[] freeQueues = new OutboundQueue[MAX_FREE_QUEUES];
    private int freeQueueCount;

    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_SIZE);
    private final UnsafeBuffer readView = new UnsafeBuffer(readBuffer);
    private final UnsafeBuffer partialView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer scratch = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
    private final ByteBuffer discard = ByteBuffer.allocateDirect(DISCARD_BUFFER_SIZE);
    private final DirectBuffer goaway;

    /** TLS settings of the port, or null (plaintext); the buffers below exist only with TLS. */
    private final TlsConfig tls;
    private ByteBuffer netIn;
    private ByteBuffer netOut;
    private ByteBuffer plain;
    private int packetSize;

    private final Consumer<SelectionKey> onKey = this::onKey;
    private final MessageHandler onCommand = this::onCommand;

    private Acceptor acceptor;
    private long nowMillis;
    private long nextSweepMillis;
    /** Set (last) once this thread has sent GOAWAY to its connections; read by {@link #isFlushed()}. */
    private volatile boolean drained;

    IoThread(final int index, final NioServer server, final NioServerConfig config,
             final ConnectionHandler handler, final DirectBuffer goaway) throws IOException {
        this.index = index;
        this.server = server;
        this.handler = handler;
        this.highWaterMark = config.outboundHighWaterMark();
        this.goaway = goaway;
        this.tls = config.tls();
        if (tls != null) {
            final SSLSession probe = tls.newServerEngine(null, -1).getSession();
            this.packetSize = probe.getPacketBufferSize();
            this.netIn = ByteBuffer.allocateDirect(READ_BUFFER_SIZE + packetSize);
            this.netOut = ByteBuffer.allocateDirect(TLS_RECORDS_PER_WRITE * packetSize);
            this.plain = ByteBuffer.allocateDirect(probe.getApplicationBufferSize());
        }
        this.commandBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            config.commandQueueBytes() + RingBufferDescriptor.TRAILER_LENGTH, 64));
        this.commands = new ManyToOneRingBuffer(commandBuffer);
        this.commandCapacityMask = commands.capacity() - 1;
        this.maxOfferLength = commands.maxMsgLength() - CommandDescriptor.BYTES_OFFSET;
        this.selector = Selector.open();
        this.nowMillis = clock();
        this.nextSweepMillis = nowMillis + SWEEP_INTERVAL_MILLIS;
        this.thread = new Thread(this, "iris-io-" + index);
        this.thread.setDaemon(false);
    }

    // ------------------------------------------------------------------------------------------
    // Called from other threads
    // ------------------------------------------------------------------------------------------

    /** @return the selector, for registering the acceptor before the thread starts. */
    Selector selector() {
        return selector;
    }

    /** @param acceptor the acceptor this thread runs (thread 0 only); set before {@link #start()}. */
    void acceptor(final Acceptor acceptor) {
        this.acceptor = acceptor;
    }

    void start() {
        thread.start();
    }

    Thread thread() {
        return thread;
    }

    /** @return the largest {@code length} {@link #offer} takes. */
    int maxOfferLength() {
        return maxOfferLength;
    }

    /**
     * Puts a command on this thread's queue. Any thread.
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

    /** Hands an accepted connection to this thread. Called by the acceptor (on thread 0). */
    void handOff(final NioConnection connection) {
        handOffs.add(connection);
        if (Thread.currentThread() != thread) {
            selector.wakeup();
        }
    }

    /** Wakes the thread unconditionally (rare events: drain, shutdown). */
    void wakeup() {
        selector.wakeup();
    }

    /** Asks the loop to close everything and exit. */
    void requestShutdown() {
        shutdown = true;
        selector.wakeup();
    }

    /** @return true if every command offered so far ran and left no unsent output, or the thread ended. */
    boolean isFlushed() {
        if (terminated) {
            return true;
        }
        if (server.isDraining() && !drained) {
            return false; // the GOAWAY frames are not even queued yet
        }
        return commands.producerPosition() == flushedPosition;
    }

    /** @return true once the loop has exited and released everything. */
    boolean isTerminated() {
        return terminated;
    }

    /**
     * Any thread.
     *
     * @return unsent output bytes of this thread's connections, as of the end of its last loop iteration.
     */
    long unsentBytes() {
        return publishedUnsentBytes;
    }

    /** @return buffers borrowed from the pool now (for tests and diagnostics). */
    int borrowedBuffers() {
        return pool.borrowed();
    }

    /** Closes connections handed off after this thread ended (the server is closing). */
    void closeLeftoverHandOffs() {
        NioConnection c;
        while ((c = handOffs.poll()) != null) {
            Acceptor.closeQuietly(c.channel);
            server.connectionClosed(c.addressKey);
        }
    }

    /**
     * Wakes the thread only if it is (about to be) blocked in select. The full fence orders the
     * caller's commit before the read of {@link #sleeping}; the loop sets {@link #sleeping} before it
     * looks for work. So either the loop sees the command, or this sees the flag (no lost wakeup),
     * and a busy loop costs no wakeup syscall.
     */
    private void wakeupIfSleeping() {
        VarHandle.fullFence();
        if (sleeping.get() && sleeping.compareAndSet(true, false)) {
            selector.wakeup();
        }
    }

    // ------------------------------------------------------------------------------------------
    // The loop
    // ------------------------------------------------------------------------------------------

    @Override
    public void run() {
        try {
            while (!shutdown) {
                try {
                    iterate();
                } catch (final ClosedSelectorException e) {
                    break;
                } catch (final Throwable t) {
                    LOG.error("I/O thread " + thread.getName() + " loop error; continuing", t);
                }
            }
        } finally {
            shutdownNow();
        }
    }

    private void iterate() throws IOException {
        nowMillis = clock();
        takeHandOffs();
        if (!drained && server.isDraining()) {
            drainAll();
        }
        processCommands();
        if (nowMillis >= nextSweepMillis) {
            sweep();
            nextSweepMillis = nowMillis + SWEEP_INTERVAL_MILLIS;
        }
        flushDirty();
        notifyClosed();
        publishFlushed();

        sleeping.set(true);
        if (hasWork()) {
            sleeping.set(false);
            selector.selectNow(onKey);
        } else {
            final long timeout = Math.max(1, nextSweepMillis - nowMillis);
            selector.select(onKey, timeout);
            sleeping.set(false);
        }
    }

    private boolean hasWork() {
        return shutdown
            || dirtyCount > 0
            || closedCount > 0
            || !handOffs.isEmpty()
            || (!drained && server.isDraining())
            || hasCommittedCommand();
    }

    /** @return true if the record at the head of the command queue is committed (ready to read). */
    private boolean hasCommittedCommand() {
        final int headIndex = (int) commands.consumerPosition() & commandCapacityMask;
        return commandBuffer.getIntVolatile(RecordDescriptor.lengthOffset(headIndex)) > 0;
    }

    private void publishFlushed() {
        if (unsentBytes != publishedUnsentBytes) {
            publishedUnsentBytes = unsentBytes;
        }
        final long position = connectionsWithOutput == 0 ? commands.consumerPosition() : NOT_FLUSHED;
        if (position != flushedPosition) {
            flushedPosition = position;
        }
        if (server.hasFlushWaiters()) {
            server.signalFlushWaiters();
        }
    }

    private void shutdownNow() {
        try {
            nowMillis = clock();
            if (acceptor != null) {
                acceptor.close();
            }
            for (int i = connectionCount - 1; i >= 0; i--) {
                closeNow(connections[i]);
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
            LOG.error("I/O thread " + thread.getName() + " failed while shutting down", t);
        } finally {
            publishedUnsentBytes = 0;
            terminated = true;
            server.signalFlushWaiters();
        }
    }

    // ------------------------------------------------------------------------------------------
    // Connections: registration, draining, timers, closing
    // ------------------------------------------------------------------------------------------

    private void takeHandOffs() {
        NioConnection c;
        while ((c = handOffs.poll()) != null) {
            register(c);
        }
    }

    private void register(final NioConnection c) {
        try {
            if (tls != null) {
                c.tls = new TlsState(tls.newServerEngine(c.remoteAddress.getHostString(), c.remoteAddress.getPort()));
            }
            c.key = c.channel.register(selector, SelectionKey.OP_READ, c);
        } catch (final IOException | RuntimeException e) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("could not register " + c + ": " + e);
            }
            Acceptor.closeQuietly(c.channel);
            server.connectionClosed(c.addressKey);
            return;
        }
        c.lastFrameMillis = nowMillis;
        byId.put(c.id, c);
        addConnection(c);
        try {
            handler.onOpen(c);
        } catch (final Throwable t) {
            handlerFailed(c, "onOpen", t);
        }
        if (drained && c.state == NioConnection.OPEN) {
            goaway(c);
        }
    }

    private void drainAll() {
        if (acceptor != null) {
            acceptor.close();
        }
        for (int i = connectionCount - 1; i >= 0; i--) {
            if (i < connectionCount) {
                goaway(connections[i]);
            }
        }
        // Last: GOAWAY output is queued (flushedPosition already says so) before isFlushed() can pass.
        drained = true;
    }

    /** Sends GOAWAY, stops reading (drops any partial frame) and disables the read timeout. */
    private void goaway(final NioConnection c) {
        if (c.tls != null && !c.tls.handshakeDone) {
            closeNow(c); // no frame can reach it before its handshake ends, and it cannot have logged in
            return;
        }
        c.reading = false;
        releaseInbound(c);
        c.partialHeaderLength = 0;
        if (write(c, goaway, 0, goaway.capacity())) {
            updateInterest(c);
        }
    }

    /**
     * Closes connections whose read timeout or deadline ({@link Connection#closeAfter}) passed; iterates
     * backwards so swap-removal is safe.
     */
    private void sweep() {
        if (acceptor != null) {
            acceptor.resumeIfDue(nowMillis);
        }
        for (int i = connectionCount - 1; i >= 0; i--) {
            if (i >= connectionCount) {
                continue;
            }
            final NioConnection c = connections[i];
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

    /**
     * Sends an ERROR frame, flushes what the socket takes now, closes. Used by
     * {@link Connection#closeWithError}.
     */
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
        if (c.tls != null) {
            closeTlsWithFrame(c, frame, offset, length);
            return;
        }
        enqueue(c, frame, offset, length);
        try {
            flushCounted(c.out, c.channel);
            discardInbound(c.channel, discard);
        } catch (final IOException | RuntimeException e) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("could not send the error frame to " + c + ": " + e);
            }
        }
        closeNow(c);
    }

    /** Closes at once, discarding unsent output. Used by {@link Connection#close}. */
    void close(final NioConnection c) {
        closeNow(c);
    }

    private void closeNow(final NioConnection c) {
        if (c.state != NioConnection.OPEN) {
            return;
        }
        c.state = NioConnection.CLOSED;
        if (c.key != null) {
            c.key.cancel();
        }
        if (c.tls != null) {
            closeTls(c, c.tls);
        }
        Acceptor.closeQuietly(c.channel);
        releaseInbound(c);
        c.partialHeaderLength = 0;
        if (c.out != null) {
            returnQueue(c);
        }
        byId.remove(c.id);
        removeConnection(c);
        server.connectionClosed(c.addressKey);
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
                handler.onClose(c);
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

    private void processCommands() {
        // One read() stops at the end of the buffer; a second one picks up after a wrap.
        if (commands.read(onCommand) > 0) {
            commands.read(onCommand);
        }
    }

    private void onCommand(final int type, final MutableDirectBuffer buffer, final int index, final int length) {
        final NioConnection c = byId.get(buffer.getLong(index + CommandDescriptor.CONNECTION_ID_OFFSET));
        if (c == null || c.state != NioConnection.OPEN) {
            return; // closed or unknown: dropped silently
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

    /** Appends output; used by {@link Connection#write} and SEND commands. */
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
        final long pending = c.out == null ? 0 : c.out.pending();
        if (pending + length > highWaterMark) {
            closeWithError(c, ErrorCode.SLOW_CONSUMER, "unsent output passed the high-water mark of "
                + highWaterMark + " bytes");
            return false;
        }
        enqueue(c, buffer, offset, length);
        markDirty(c);
        return true;
    }

    /** Appends to the connection's unsent output (borrowing its queue if it has none) and counts the bytes. */
    private void enqueue(final NioConnection c, final DirectBuffer buffer, final int offset, final int length) {
        if (c.out == null) {
            borrowQueue(c);
        }
        c.out.append(pool, buffer, offset, length);
        unsentBytes += length;
    }

    /** Puts the connection on the list flushed at the end of this loop iteration (unless OP_WRITE will). */
    private void markDirty(final NioConnection c) {
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

    private void flush(final NioConnection c) {
        if (c.tls != null) {
            flushTls(c);
            return;
        }
        final OutboundQueue out = c.out;
        try {
            if (out == null || flushCounted(out, c.channel)) {
                if (out != null) {
                    returnQueue(c);
                }
                if (c.writeInterest) {
                    c.writeInterest = false;
                    updateInterest(c);
                }
            } else if (!c.writeInterest) {
                c.writeInterest = true;
                updateInterest(c);
            }
        } catch (final IOException e) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("write failed on " + c + ": " + e);
            }
            closeNow(c);
        }
    }

    private void updateInterest(final NioConnection c) {
        final SelectionKey key = c.key;
        if (key != null && key.isValid()) {
            key.interestOps((c.reading ? SelectionKey.OP_READ : 0) | (c.writeInterest ? SelectionKey.OP_WRITE : 0));
        }
    }

    /** {@link OutboundQueue#flushTo} that keeps {@link #unsentBytes} up to date. */
    private boolean flushCounted(final OutboundQueue out, final SocketChannel channel)
        throws IOException {
        final int before = out.pending();
        try {
            return out.flushTo(channel, pool);
        } finally {
            unsentBytes -= before - out.pending();
        }
    }

    private OutboundQueue borrowQueue(final NioConnection c) {
        final OutboundQueue out = freeQueueCount > 0 ? freeQueues[--freeQueueCount] : new OutboundQueue();
        freeQueues[freeQueueCount] = null;
        c.out = out;
        if (connectionsWithOutput++ == 0 && flushedPosition != NOT_FLUSHED) {
            flushedPosition = NOT_FLUSHED;
        }
        return out;
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
            if ((ready & SelectionKey.OP_WRITE) != 0 && c.state == NioConnection.OPEN) {
                flush(c);
                if (c.tls != null && c.tls.carry != null && !c.writeInterest && c.state == NioConnection.OPEN
                    && c.reading && (ready & SelectionKey.OP_READ) == 0) {
                    onReadable(c); // unwrapping waited for the engine's output to be sent: go on with carried input
                }
            }
            if ((ready & SelectionKey.OP_READ) != 0 && c.state == NioConnection.OPEN && c.reading) {
                onReadable(c);
            }
        } else if (attachment == acceptor && acceptor != null) {
            acceptor.onAcceptable(nowMillis);
        }
    }

    private void onReadable(final NioConnection c) {
        try {
            for (int i = 0; i < MAX_READS_PER_EVENT && c.state == NioConnection.OPEN && c.reading; i++) {
                final boolean more = c.tls != null ? readTls(c)
                    : c.inbound != null ? readIntoPartial(c) : readIntoShared(c);
                if (!more) {
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

    /**
     * Reads the rest of a partial frame straight into its own buffer.
     *
     * @return true if the frame completed (more input may follow).
     */
    private boolean readIntoPartial(final NioConnection c) throws IOException {
        final ByteBuffer in = c.inbound;
        final int n = c.channel.read(in);
        if (n < 0) {
            closeNow(c);
            return false;
        }
        if (in.hasRemaining()) {
            return false;
        }
        c.inbound = null; // detached first: a close from the handler must not release it under the handler
        try {
            partialView.wrap(in, 0, in.limit());
            dispatch(c, partialView, Protocol.LENGTH_FIELD, in.limit() - Protocol.LENGTH_FIELD);
        } finally {
            pool.release(in);
        }
        return true;
    }

    /**
     * Reads into the shared buffer (after any carried prefix bytes) and dispatches every complete frame.
     *
     * @return true if the read filled the buffer (more input may be waiting).
     */
    private boolean readIntoShared(final NioConnection c) throws IOException {
        final ByteBuffer rb = readBuffer;
        rb.clear();
        final int carried = c.partialHeaderLength;
        for (int k = 0; k < carried; k++) {
            readView.putByte(k, (byte) (c.partialHeader >>> (24 - 8 * k)));
        }
        rb.position(carried);
        final int n = c.channel.read(rb);
        if (n < 0) {
            closeNow(c);
            return false;
        }
        if (n == 0) {
            return false;
        }
        c.partialHeaderLength = 0;
        final int limit = carried + n;
        parse(c, limit);
        return limit == rb.capacity();
    }

    private void parse(final NioConnection c, final int limit) {
        final UnsafeBuffer view = readView;
        int pos = 0;
        while (limit - pos >= Protocol.LENGTH_FIELD) {
            final int length = view.getInt(pos, BE);
            if (length == 0) {
                closeWithError(c, ErrorCode.MALFORMED_FRAME, "frame length 0");
                return;
            }
            if (length < 0 || length > c.maxInboundFrame) {
                closeWithError(c, ErrorCode.FRAME_TOO_LARGE, "frame length " + Integer.toUnsignedString(length)
                    + " over the limit of " + c.maxInboundFrame);
                return;
            }
            if (limit - pos - Protocol.LENGTH_FIELD < length) {
                break;
            }
            dispatch(c, view, pos + Protocol.LENGTH_FIELD, length);
            pos += Protocol.LENGTH_FIELD + length;
            if (c.state != NioConnection.OPEN || !c.reading) {
                return;
            }
        }
        final int remaining = limit - pos;
        if (remaining == 0) {
            return;
        }
        if (remaining < Protocol.LENGTH_FIELD) {
            int header = 0;
            for (int k = 0; k < remaining; k++) {
                header |= (view.getByte(pos + k) & 0xFF) << (24 - 8 * k);
            }
            c.partialHeader = header;
            c.partialHeaderLength = (byte) remaining;
            return;
        }
        // The length was checked by the loop above; borrow a buffer for exactly this frame.
        final int frameSize = Protocol.LENGTH_FIELD + view.getInt(pos, BE);
        final ByteBuffer in = pool.acquire(frameSize);
        in.limit(frameSize);
        view.getBytes(pos, in, 0, remaining);
        in.position(remaining);
        c.inbound = in;
    }

    // ------------------------------------------------------------------------------------------
    // TLS
    // ------------------------------------------------------------------------------------------

    /**
     * Reads ciphertext (after any carried partial record), unwraps every complete record and feeds the
     * plaintext to the frame parser; carries a trailing partial record in a pool buffer.
     *
     * @return true if the read filled the buffer (more input may be waiting).
     */
    private boolean readTls(final NioConnection c) throws IOException {
        final TlsState t = c.tls;
        final ByteBuffer in = netIn;
        in.clear();
        final ByteBuffer carried = t.carry;
        if (carried != null) {
            t.carry = null;
            in.put(carried);
            pool.release(carried);
        }
        final int n = c.channel.read(in);
        if (n < 0) {
            t.closeNotifyDone = true; // the peer is gone without close_notify: nothing to answer
            closeNow(c);
            return false;
        }
        if (in.position() == 0) {
            return false;
        }
        if (!t.firstByteChecked) {
            if (in.get(0) != TLS_HANDSHAKE_RECORD) {
                rejectPlaintext(c);
                return false;
            }
            t.firstByteChecked = true;
        }
        final boolean filled = !in.hasRemaining();
        in.flip();
        unwrapAll(c, t, in);
        if (c.state == NioConnection.OPEN && c.reading && in.hasRemaining()) {
            final ByteBuffer carry = pool.acquire(in.remaining());
            carry.put(in).flip();
            t.carry = carry;
        }
        return filled && n > 0 && c.state == NioConnection.OPEN;
    }

    private void unwrapAll(final NioConnection c, final TlsState t, final ByteBuffer in) {
        final SSLEngine engine = t.engine;
        for (int i = 0; i < MAX_TLS_STEPS_PER_READ; i++) {
            if (c.state != NioConnection.OPEN || !c.reading) {
                return;
            }
            final SSLEngineResult.HandshakeStatus hs = engine.getHandshakeStatus();
            if (hs == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                runTasks(engine);
                continue;
            }
            if (hs == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                flush(c);
                if (c.state != NioConnection.OPEN || c.writeInterest
                    || engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                    return; // the socket is full: OP_WRITE resumes the handshake
                }
                continue;
            }
            if (!in.hasRemaining()) {
                return;
            }
            plain.clear();
            final SSLEngineResult r;
            try {
                r = engine.unwrap(in, plain);
            } catch (final SSLException e) {
                tlsFailed(c, t, e);
                return;
            }
            if (r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.FINISHED) {
                handshakeFinished(c, t);
            }
            switch (r.getStatus()) {
                case BUFFER_UNDERFLOW:
                    return;
                case BUFFER_OVERFLOW:
                    final int wanted = engine.getSession().getApplicationBufferSize();
                    if (wanted <= plain.capacity()) {
                        tlsFailed(c, t, new SSLException("record does not fit " + plain.capacity() + " bytes"));
                        return;
                    }
                    plain = ByteBuffer.allocateDirect(wanted);
                    continue;
                case CLOSED:
                    if (LOG.isDebugEnabled()) {
                        LOG.debug("close_notify from " + c);
                    }
                    closeNow(c); // answers with our close_notify
                    return;
                default:
                    break;
            }
            if (plain.position() > 0) {
                plain.flip();
                feedPlain(c, plain);
            } else if (r.bytesConsumed() == 0 && r.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NEED_TASK
                && r.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                return;
            }
        }
    }

    /**
     * Feeds decrypted bytes to the frame parser: into the pending partial frame if there is one, else
     * into the shared read buffer after any carried length-prefix bytes, then {@link #parse}.
     */
    private void feedPlain(final NioConnection c, final ByteBuffer src) {
        while (src.hasRemaining() && c.state == NioConnection.OPEN && c.reading) {
            final ByteBuffer in = c.inbound;
            if (in != null) {
                final int n = Math.min(in.remaining(), src.remaining());
                final int limit = src.limit();
                src.limit(src.position() + n);
                in.put(src);
                src.limit(limit);
                if (!in.hasRemaining()) {
                    c.inbound = null; // detached first, as in readIntoPartial
                    try {
                        partialView.wrap(in, 0, in.limit());
                        dispatch(c, partialView, Protocol.LENGTH_FIELD, in.limit() - Protocol.LENGTH_FIELD);
                    } finally {
                        pool.release(in);
                    }
                }
                continue;
            }
            final int carried = c.partialHeaderLength;
            for (int k = 0; k < carried; k++) {
                readView.putByte(k, (byte) (c.partialHeader >>> (24 - 8 * k)));
            }
            final int n = Math.min(src.remaining(), readBuffer.capacity() - carried);
            readView.putBytes(carried, src, src.position(), n);
            src.position(src.position() + n);
            c.partialHeaderLength = 0;
            parse(c, carried + n);
        }
    }

    private void handshakeFinished(final NioConnection c, final TlsState t) {
        t.handshakeDone = true;
        if (LOG.isDebugEnabled()) {
            final SSLSession session = t.engine.getSession();
            LOG.debug("TLS handshake done on " + c + ": " + session.getProtocol() + " " + session.getCipherSuite());
        }
        if (c.out != null && c.out.pending() > 0) {
            markDirty(c); // output queued during the handshake can go now
        }
    }

    private void flushTls(final NioConnection c) {
        try {
            final boolean done = writeTls(c, c.tls);
            if (c.state != NioConnection.OPEN) {
                return;
            }
            if (c.out != null && c.out.pending() == 0) {
                returnQueue(c);
            }
            if (done) {
                if (c.writeInterest) {
                    c.writeInterest = false;
                    updateInterest(c);
                }
            } else if (!c.writeInterest) {
                c.writeInterest = true;
                updateInterest(c);
            }
        } catch (final SSLException e) {
            tlsFailed(c, c.tls, e);
        } catch (final IOException e) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("write failed on " + c + ": " + e);
            }
            c.tls.closeNotifyDone = true;
            closeNow(c);
        }
    }

    /**
     * Writes ciphertext left by a full socket, then wraps handshake messages and queued plaintext (once
     * the handshake is done) a few records at a time and writes them.
     *
     * @return true if nothing is left for the socket now (plaintext may still wait for the handshake).
     */
    private boolean writeTls(final NioConnection c, final TlsState t) throws IOException {
        final ByteBuffer unsent = t.unsent;
        if (unsent != null) {
            c.channel.write(unsent);
            if (unsent.hasRemaining()) {
                return false;
            }
            t.unsent = null;
            pool.release(unsent);
        }
        final SSLEngine engine = t.engine;
        for (int w = 0; w < MAX_TLS_WRITES_PER_FLUSH; w++) {
            final ByteBuffer net = netOut;
            net.clear();
            boolean more = true;
            while (net.remaining() >= packetSize) {
                final SSLEngineResult.HandshakeStatus hs = engine.getHandshakeStatus();
                if (hs == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                    runTasks(engine);
                    continue;
                }
                final boolean data = t.handshakeDone && c.out != null && c.out.pending() > 0;
                if (!data && hs != SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                    more = false;
                    break;
                }
                final SSLEngineResult r = data ? c.out.wrapInto(engine, net, pool) : engine.wrap(NO_DATA, net);
                if (data) {
                    unsentBytes -= r.bytesConsumed();
                }
                if (r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.FINISHED) {
                    handshakeFinished(c, t);
                }
                if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                    if (net.position() == 0) {
                        packetSize = Math.max(packetSize, engine.getSession().getPacketBufferSize());
                        netOut = ByteBuffer.allocateDirect(TLS_RECORDS_PER_WRITE * packetSize);
                    }
                    break;
                }
                if (r.getStatus() == SSLEngineResult.Status.CLOSED
                    || (r.bytesConsumed() == 0 && r.bytesProduced() == 0)) {
                    more = false;
                    break;
                }
            }
            final ByteBuffer written = netOut == net ? net : null;
            if (written == null) {
                continue; // grown: wrap again into the larger buffer
            }
            net.flip();
            if (net.hasRemaining()) {
                c.channel.write(net);
                if (net.hasRemaining()) {
                    final ByteBuffer rest = pool.acquire(net.remaining());
                    rest.put(net).flip();
                    t.unsent = rest;
                    return false;
                }
            }
            if (!more) {
                return true;
            }
        }
        return false; // more to wrap: OP_WRITE brings us back (fairness with other connections)
    }

    /** Queues an ERROR frame (if the handshake is done), writes what the socket takes, closes with close_notify. */
    private void closeTlsWithFrame(final NioConnection c, final DirectBuffer frame, final int offset, final int length) {
        final TlsState t = c.tls;
        if (t.handshakeDone) {
            enqueue(c, frame, offset, length);
            try {
                writeTls(c, t);
            } catch (final IOException | RuntimeException e) {
                if (LOG.isDebugEnabled()) {
                    LOG.debug("could not send the error frame to " + c + ": " + e);
                }
                t.closeNotifyDone = true;
            }
        }
        try {
            discardInbound(c.channel, discard);
        } catch (final IOException | RuntimeException e) {
            t.closeNotifyDone = true;
        }
        closeNow(c);
    }

    /**
     * Part of {@link #closeNow}: sends close_notify (or, mid-handshake, the engine's closing alert)
     * when the stream allows it, then gives the connection's TLS buffers back.
     */
    private void closeTls(final NioConnection c, final TlsState t) {
        if (!t.closeNotifyDone && t.firstByteChecked && t.unsent == null) {
            t.closeNotifyDone = true;
            try {
                t.engine.closeOutbound();
                writeAlert(c, t);
            } catch (final IOException | RuntimeException e) {
                if (LOG.isDebugEnabled()) {
                    LOG.debug("could not send close_notify to " + c + ": " + e);
                }
            }
        }
        final ByteBuffer carry = t.carry;
        if (carry != null) {
            t.carry = null;
            pool.release(carry);
        }
        final ByteBuffer unsent = t.unsent;
        if (unsent != null) {
            t.unsent = null;
            pool.release(unsent);
        }
    }

    /** Wraps what the engine has to say on its own (a closing alert, close_notify) and writes it once, without waiting. */
    private void writeAlert(final NioConnection c, final TlsState t) throws IOException {
        final ByteBuffer net = netOut;
        net.clear();
        for (int i = 0; i < 4 && net.remaining() >= packetSize; i++) {
            final SSLEngineResult r = t.engine.wrap(NO_DATA, net);
            if (r.bytesProduced() == 0) {
                break;
            }
        }
        net.flip();
        c.channel.write(net);
    }

    /** A failed handshake or a bad record: sends the engine's alert (best effort), closes, logs at DEBUG. */
    private void tlsFailed(final NioConnection c, final TlsState t, final SSLException e) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("TLS failure on " + c + ": " + e.getMessage());
        }
        if (t.unsent == null) {
            try {
                writeAlert(c, t);
                discardInbound(c.channel, discard);
            } catch (final IOException | RuntimeException ignored) {
                // best effort: the peer may be gone already
            }
        }
        t.closeNotifyDone = true;
        closeNow(c);
    }

    /** The first byte is not a TLS handshake record: answers one plaintext ERROR TLS_REQUIRED and closes. */
    private void rejectPlaintext(final NioConnection c) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("closing " + c + ": plaintext on a TLS port");
        }
        final int length = FrameEncoder.error(scratch, 0, ErrorCode.TLS_REQUIRED.code(), "this port requires TLS");
        final ByteBuffer frame = scratch.byteBuffer().duplicate();
        frame.clear().limit(length);
        try {
            c.channel.write(frame);
            discardInbound(c.channel, discard);
        } catch (final IOException | RuntimeException e) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("could not send TLS_REQUIRED to " + c + ": " + e);
            }
        }
        c.tls.closeNotifyDone = true;
        closeNow(c);
    }

    private static void runTasks(final SSLEngine engine) {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    private void dispatch(final NioConnection c, final DirectBuffer buffer, final int offset, final int length) {
        if (!c.loginDeadline) {
            c.lastFrameMillis = nowMillis; // the login deadline is not pushed back by frames
        }
        try {
            handler.onFrame(c, buffer, offset, length);
        } catch (final Throwable t) {
            handlerFailed(c, "onFrame", t);
        }
    }

    private void releaseInbound(final NioConnection c) {
        final ByteBuffer in = c.inbound;
        if (in != null) {
            c.inbound = null;
            pool.release(in);
        }
    }

    /**
     * Reads and drops what is readable now (bounded), so that closing the socket sends FIN rather
     * than RST: Linux answers a close with unread input by a reset that can discard the error frame
     * just written.
     */
    static void discardInbound(final SocketChannel channel, final ByteBuffer scratch) throws IOException {
        for (int i = 0; i < MAX_DISCARD_READS; i++) {
            scratch.clear();
            if (channel.read(scratch) <= 0) {
                return;
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
