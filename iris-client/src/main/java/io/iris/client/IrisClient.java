package io.iris.client;

import io.iris.client.SendWindow.PendingSend;
import io.iris.protocol.ErrorCode;
import io.iris.protocol.Presence;
import io.iris.protocol.SendReceipt;
import io.iris.protocol.SendStatus;
import io.iris.protocol.Protocol;
import io.iris.protocol.codec.ByteBufferFrameEncoder;
import io.iris.protocol.frame.DeliverAckFrame;
import io.iris.protocol.frame.FrameHeader;
import io.iris.protocol.frame.LoginFrame;
import io.iris.protocol.frame.PingFrame;
import io.iris.protocol.frame.PresenceQueryFrame;
import io.iris.protocol.frame.SendFrame;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * The Java client of an Iris server: one logical session of one device of one user, kept alive across
 * connection losses.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Receiving.</b> Messages reach {@link Listener#onMessage} in inbox order, each at most once per
 *   client instance: a DELIVER whose seq is not above {@link #cursor()} is dropped. A message is
 *   acknowledged to the server (cumulative DELIVER_ACK) only after the listener returned normally for
 *   it, so a crash never loses a message; it may redeliver the last few to a <i>new</i> client instance
 *   unless the application persists {@link #cursor()} and passes it to {@link Builder#resumeCursor}.</li>
 *   <li><b>Listener failures.</b> If {@code onMessage} throws, the message is <i>not</i> processed: the
 *   cursor does not move past it, the exception is logged, the connection is dropped and the message is
 *   delivered again after reconnection (with growing backoff while it keeps failing).</li>
 *   <li><b>Sending.</b> {@link #send} completes with the server's {@link SendReceipt}. Every status,
 *   retryable ones included, is handed to the application, which decides whether to retry; the client
 *   never retries on its own after an answer. It does re-send, after a reconnection and in the original
 *   order, every SEND that was not answered yet, with the same client message id: the server's dedup
 *   stores it at most once (the receipt may then say {@link SendStatus#DUPLICATE}, with the original
 *   seq). Futures stay pending across reconnections.</li>
 *   <li><b>Failures.</b> Futures fail with {@link IllegalArgumentException} (recipient id or payload size
 *   refused before sending), {@link IllegalStateException} (too many pending operations, client message
 *   id already pending) or {@link IrisClientException} (client closed or stopped). Null arguments throw
 *   {@link NullPointerException} at once.</li>
 *   <li><b>Reconnection.</b> After a lost connection (I/O error, EOF, no bytes from the server for three
 *   heartbeat intervals, malformed frame, ERROR other than the ones below) the client reconnects with
 *   jittered exponential backoff, fetching a fresh token from the supplier each time. After GOAWAY it
 *   reconnects once the server's delay (plus jitter) has passed. Refused by a per-address limit
 *   ({@link ErrorCode#TOO_MANY_CONNECTIONS}, {@link ErrorCode#LOGIN_THROTTLED}) it keeps backing off, never
 *   sooner than the server's hint (plus jitter): the typed {@code retryAfterMillis} of a version-2 ERROR,
 *   else the {@code "retry after <n> ms"} its text ends with. It stops for good, failing everything
 *   pending, on {@link ErrorCode#DEVICE_REPLACED} and when a login is refused with
 *   {@link ErrorCode#AUTH_FAILED}, {@link ErrorCode#TOKEN_EXPIRED}, {@link ErrorCode#UNSUPPORTED_VERSION} or
 *   {@link ErrorCode#TLS_REQUIRED}, and when a TLS handshake fails on the server's certificate (not
 *   trusted, wrong host name) or finds no TLS server on the port
 *   (an expired token <i>during</i> a session triggers a reconnection with a fresh token instead).
 *   With {@link Builder#reconnect reconnect(false)} the first lost connection stops the client.</li>
 *   <li><b>TLS.</b> With {@link Builder#tls(Path)} or {@link Builder#tls(SSLContext)} the client layers an
 *   {@link SSLSocket} over the TCP connection (TLS 1.3 or 1.2 only, SNI and host-name verification on,
 *   like HTTPS) and completes the handshake before LOGIN, each handshake read bounded by the connect
 *   timeout.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * All public methods are thread-safe. Each client owns one daemon thread, {@code iris-client-<device>},
 * started by {@link #connect()}: it connects, reads, calls the {@link Listener} (never concurrently) and
 * completes the futures, so dependent stages without {@code Async} run on it and must not block. Frames
 * are written by whichever thread produces them, under one lock and through one reused buffer; a send
 * may therefore block briefly while the socket's send buffer is full.
 */
public final class IrisClient implements AutoCloseable {
    /*
     * Why it is built this way. A blocking socket and one reader thread keep the client small and easy
     * to reason about; the load generator has its own lean driver. The client is split along its
     * concepts: this facade (public API, the writer, the lifecycle and the reader thread's loop),
     * ClientSession (one connection's reader side, from connect to its end), SendWindow (unanswered
     * SENDs in order and the window written ahead of their answers), ReconnectPolicy and Backoff (when
     * to connect again), ClientTls (TLS from PEM with the JDK alone). All mutable state shared with
     * application threads (the send window, presence queries, the output stream, the write buffer) is
     * guarded by `lock`; the reader thread alone owns the read side and the cursor. Futures and
     * listener methods are always invoked outside `lock`. Fields the session uses are package-private.
     */

    /** Largest frame accepted from the server before LOGIN_OK told us its maxPayload. */
    static final int MAX_FRAME_BEFORE_LOGIN = 1 << 20;
    /** At most this many deliveries are processed before a DELIVER_ACK is sent. */
    static final int ACK_EVERY = 64;
    /** Consecutive frames are batched into one socket write up to this size. */
    private static final int WRITE_BATCH = 64 * 1024;
    static final int MAX_FRAME_LIMIT = Integer.MAX_VALUE - 64;
    private static final long JOIN_MILLIS = 2_000;
    private static final int PING_FRAME_LENGTH = FrameHeader.frameLength(PingFrame.BODY_LENGTH);
    private static final int DELIVER_ACK_FRAME_LENGTH = FrameHeader.frameLength(DeliverAckFrame.BODY_LENGTH);
    private static final Logger LOG = System.getLogger(IrisClient.class.getName());

    // ---- configuration ----
    final String host;
    final int port;
    final Supplier<String> tokenSupplier;
    final String deviceId;
    final byte[] deviceIdBytes;
    final Listener listener;
    final ReconnectPolicy reconnectPolicy;
    final int connectTimeoutMillis;
    private final int maxPendingSends;
    final SSLContext tls;

    // ---- shared state, guarded by lock ----
    final Object lock = new Object();
    final SendWindow sends = new SendWindow();
    final LinkedHashMap<String, List<CompletableFuture<Presence>>> presenceWaiters = new LinkedHashMap<>();
    private ByteBuffer writeBuffer = ByteBuffer.allocate(WRITE_BATCH);
    OutputStream out;
    boolean ready;
    int maxPayload = -1;
    long lastWriteNanos;
    private IrisClientException stopCause;

    // ---- visible to all threads ----
    final CompletableFuture<Void> connectFuture = new CompletableFuture<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final Thread reader;
    volatile boolean closed;
    /** Set by {@link #close()} first: the reader acknowledges what it processed, then stops. */
    volatile boolean closing;
    volatile boolean connected;
    volatile long cursor;
    volatile Socket socket;
    /** The TCP socket under {@link #socket} (the same object without TLS); close() shuts its input. */
    volatile Socket tcpSocket;

    // ---- reader thread only ----
    /** Listener failures in a row (on the message redelivered each time): slows reconnection down. */
    int listenerFailures;

    private IrisClient(final Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.tokenSupplier = b.tokenSupplier;
        this.deviceId = b.deviceId;
        this.deviceIdBytes = b.deviceId.getBytes(StandardCharsets.UTF_8);
        this.listener = b.listener;
        this.reconnectPolicy = new ReconnectPolicy(b.reconnect, new Backoff(b.backoffMin.toNanos(), b.backoffMax.toNanos()));
        this.connectTimeoutMillis = (int) Math.min(b.connectTimeout.toMillis(), Integer.MAX_VALUE);
        this.maxPendingSends = b.maxPendingSends;
        this.tls = b.tls;
        this.cursor = b.resumeCursor;
        this.reader = new Thread(this::run, "iris-client-" + deviceId);
        this.reader.setDaemon(true);
    }

    /** @return a new builder; {@link Builder#build()} says what is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the client's thread, which connects and logs in, then keeps the session alive. Calling it
     * again returns the same future.
     *
     * @return completes when the first LOGIN_OK arrives. Fails with {@link IrisClientException} carrying
     * the server's {@link ErrorCode} if the login is refused with a non-retryable code, or with
     * {@code code() == null} if the client is closed first or, with reconnection disabled, the first
     * attempt fails. With reconnection enabled, unreachable servers are retried forever: use
     * {@link CompletableFuture#orTimeout} to bound the wait.
     */
    public CompletableFuture<Void> connect() {
        if (started.compareAndSet(false, true)) {
            if (closed) {
                connectFuture.completeExceptionally(closedException());
            } else {
                reader.start();
            }
        }
        return connectFuture;
    }

    /**
     * Sends a message with a fresh client message id (a random 32-bit prefix drawn at build time plus a
     * counter: unique within this client, and across clients of the same user with high probability).
     * Allowed before {@link #connect()} and while disconnected: the send is queued.
     *
     * @param recipient the recipient's user id, 1 to 64 bytes of UTF-8.
     * @param payload   the message; copied, so the array may be reused at once.
     * @return the server's receipt; see the class comment for failures.
     */
    public CompletableFuture<SendReceipt> send(final String recipient, final byte[] payload) {
        return enqueue(recipient, true, 0, payload);
    }

    /**
     * Sends a message with a client message id chosen by the application, e.g. to retry, after a
     * restart, a message whose receipt it never saw: the server stores it at most once.
     *
     * @param recipient   the recipient's user id, 1 to 64 bytes of UTF-8.
     * @param clientMsgId the dedup id; fails with {@link IllegalStateException} if a send with this id is
     *                    still pending in this client.
     * @param payload     the message; copied, so the array may be reused at once.
     * @return the server's receipt; see the class comment for failures.
     */
    public CompletableFuture<SendReceipt> send(final String recipient, final long clientMsgId, final byte[] payload) {
        return enqueue(recipient, false, clientMsgId, payload);
    }

    /**
     * Asks whether a user is online. Concurrent queries for one user share one request; queries not
     * answered when the connection drops are asked again after reconnection.
     *
     * @param userId the user, 1 to 64 bytes of UTF-8.
     * @return the server's answer.
     */
    public CompletableFuture<Presence> presence(final String userId) {
        Objects.requireNonNull(userId, "userId");
        final byte[] id = idBytes(userId);
        if (id == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                "userId must be 1 to " + Protocol.MAX_ID_LENGTH + " bytes of UTF-8: '" + userId + "'"));
        }
        final CompletableFuture<Presence> future = new CompletableFuture<>();
        synchronized (lock) {
            if (stopCause != null) {
                return CompletableFuture.failedFuture(closedException());
            }
            List<CompletableFuture<Presence>> waiters = presenceWaiters.get(userId);
            if (waiters == null) {
                if (presenceWaiters.size() >= maxPendingSends) {
                    return CompletableFuture.failedFuture(new IllegalStateException("too many pending presence queries"));
                }
                waiters = new ArrayList<>(1);
                presenceWaiters.put(userId, waiters);
                if (ready) {
                    try {
                        writePresenceQuery(id);
                    } catch (final IOException e) {
                        abortConnection(e);
                    }
                }
            }
            waiters.add(future);
        }
        return future;
    }

    /**
     * @return the highest seq delivered to the listener by this client (processed without exception),
     * or the configured {@link Builder#resumeCursor resume cursor} while nothing newer was delivered.
     * Persist it to resume a new client instance exactly where this one stopped.
     */
    public long cursor() {
        return cursor;
    }

    /** @return true while a session is established (LOGIN_OK received) and the server is not draining it. */
    public boolean isConnected() {
        return connected;
    }

    /** @return true once {@link #close()} was called or the client stopped for good. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes the connection and stops the client. Idempotent. Pending sends, presence queries and a
     * pending {@link #connect()} fail with {@link IrisClientException}. When called from another thread
     * than the client's own, waits (up to 2 s) for a listener call in progress to return, so no listener
     * method runs after this returns (except {@link Listener#onDisconnected}, if a session was up).
     */
    @Override
    public void close() {
        if (Thread.currentThread() != reader && reader.isAlive() && !closed) {
            // graceful: let the reader finish the delivery in progress and acknowledge everything the
            // listener processed, so a new client of this device does not receive it again
            closing = true;
            synchronized (lock) {
                lock.notifyAll(); // out of a reconnect pause
            }
            final Socket s = tcpSocket;
            if (s != null) {
                try {
                    s.shutdownInput(); // wakes a blocked read; output stays open for the final ack
                } catch (final IOException | RuntimeException ignored) {
                    // already closed
                }
            }
            try {
                reader.join(JOIN_MILLIS);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        stop(new IrisClientException("client closed", null));
        if (Thread.currentThread() != reader && reader.isAlive()) {
            try {
                reader.join(JOIN_MILLIS);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // sending side (any thread)

    private CompletableFuture<SendReceipt> enqueue(final String recipient, final boolean autoId, final long clientMsgId,
                                                   final byte[] payload) {
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(payload, "payload");
        final byte[] to = idBytes(recipient);
        if (to == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                "recipient must be 1 to " + Protocol.MAX_ID_LENGTH + " bytes of UTF-8: '" + recipient + "'"));
        }
        final CompletableFuture<SendReceipt> future = new CompletableFuture<>();
        synchronized (lock) {
            if (stopCause != null) {
                return CompletableFuture.failedFuture(closedException());
            }
            if (maxPayload >= 0 && payload.length > maxPayload) {
                return CompletableFuture.failedFuture(tooLarge(payload.length, maxPayload));
            }
            if (sends.size() >= maxPendingSends) {
                return CompletableFuture.failedFuture(new IllegalStateException("too many pending sends"));
            }
            final long id;
            if (autoId) {
                id = sends.nextClientMsgId();
            } else if (sends.isPending(clientMsgId)) {
                return CompletableFuture.failedFuture(
                    new IllegalStateException("clientMsgId " + clientMsgId + " is already pending"));
            } else {
                id = clientMsgId;
            }
            final PendingSend p = new PendingSend(id, to, payload.clone(), future);
            sends.add(p);
            try {
                pumpSends();
            } catch (final IOException e) {
                abortConnection(e);
            }
        }
        return future;
    }

    /** Writes queued SENDs in order while the connection is ready and the window allows. Holds lock. */
    void pumpSends() throws IOException {
        if (!ready) {
            return;
        }
        int batched = 0;
        PendingSend p;
        while ((p = sends.nextToWrite()) != null) {
            final int size = FrameHeader.frameLength(SendFrame.bodyLength(p.recipient.length, p.payload.length));
            if (batched > 0 && batched + size > WRITE_BATCH) {
                write(batched);
                batched = 0;
            }
            batched += ByteBufferFrameEncoder.send(room(batched + size), batched, p.clientMsgId, p.recipient,
                p.payload, 0, p.payload.length);
            sends.written(p);
        }
        if (batched > 0) {
            write(batched);
        }
    }

    /**
     * @param needed bytes the write buffer must hold from its start (what is batched so far plus the next frame).
     * @return the write buffer, grown (contents kept) if it was smaller. Holds lock.
     */
    private ByteBuffer room(final int needed) {
        if (writeBuffer.capacity() < needed) {
            final ByteBuffer grown = ByteBuffer.allocate(Math.max(needed, 2 * writeBuffer.capacity()));
            grown.put(0, writeBuffer.array(), 0, writeBuffer.capacity());
            writeBuffer = grown;
        }
        return writeBuffer;
    }

    // frame writers: each holds lock (the caller took it) and throws what the socket throws

    void writeLogin(final byte[] token) throws IOException {
        final int length = FrameHeader.frameLength(LoginFrame.bodyLength(token.length, deviceIdBytes.length));
        write(ByteBufferFrameEncoder.login(room(length), 0, Protocol.MIN_VERSION, Protocol.VERSION, token,
            deviceIdBytes, cursor));
    }

    void writePresenceQuery(final byte[] userId) throws IOException {
        final int length = FrameHeader.frameLength(PresenceQueryFrame.bodyLength(userId.length));
        write(ByteBufferFrameEncoder.presenceQuery(room(length), 0, userId));
    }

    void writePing(final long nonce) throws IOException {
        write(ByteBufferFrameEncoder.ping(room(PING_FRAME_LENGTH), 0, nonce));
    }

    void writePong(final long nonce) throws IOException {
        write(ByteBufferFrameEncoder.pong(room(PING_FRAME_LENGTH), 0, nonce));
    }

    void writeDeliverAck(final long upToSeq) throws IOException {
        write(ByteBufferFrameEncoder.deliverAck(room(DELIVER_ACK_FRAME_LENGTH), 0, upToSeq));
    }

    /** Writes the first {@code length} bytes of the write buffer. Holds lock. */
    void write(final int length) throws IOException {
        final OutputStream o = out;
        if (o == null) {
            throw new IOException("not connected");
        }
        o.write(writeBuffer.array(), 0, length);
        lastWriteNanos = System.nanoTime();
    }

    /** A write failed on a non-reader thread: drop the connection; the reader notices and reconnects. Holds lock. */
    private void abortConnection(final IOException e) {
        LOG.log(Level.DEBUG, "write failed, dropping the connection", e);
        ready = false;
        out = null;
        closeQuietly(socket);
    }

    /** Longest retry hint honoured from an ERROR. */
    static final long MAX_RETRY_HINT_MILLIS = TimeUnit.HOURS.toMillis(1);

    /**
     * Reads the retry hint that ERROR texts of {@link ErrorCode#TOO_MANY_CONNECTIONS} and
     * {@link ErrorCode#LOGIN_THROTTLED} end with: {@code "retry after <n> ms"}. Only for ERRORs in the
     * version-1 layout (sent at accept, or by a version-1 server); a version-2 ERROR carries the hint as a
     * typed field.
     *
     * @param text an ERROR text.
     * @return the hint in millis (at most {@link #MAX_RETRY_HINT_MILLIS}), or -1 if the text has none.
     */
    static long retryAfterMillis(final String text) {
        final String marker = "retry after ";
        final int at = text == null ? -1 : text.lastIndexOf(marker);
        if (at < 0) {
            return -1;
        }
        long millis = 0;
        int i = at + marker.length();
        final int start = i;
        while (i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
            millis = Math.min(MAX_RETRY_HINT_MILLIS, millis * 10 + (text.charAt(i) - '0'));
            i++;
        }
        return i > start && text.startsWith(" ms", i) ? millis : -1;
    }

    // ------------------------------------------------------------------------------------------------
    // the client's thread

    private void run() {
        long delayNanos = 0;
        while (!closed && !closing) {
            if (delayNanos > 0 && !pause(delayNanos)) {
                break;
            }
            final SessionEnd end = session();
            if (closed || closing) {
                break;
            }
            delayNanos = reconnectPolicy.delayNanos(end, listenerFailures);
            if (delayNanos == ReconnectPolicy.STOP) {
                if (!end.loggedIn && end.terminal) {
                    notifyDisconnected(end.code, end.reason);
                }
                final IrisClientException cause = new IrisClientException(end.reason, end.code, end.cause);
                stop(cause);
                notifyStopped(cause);
                break;
            }
            final long delayMillis = TimeUnit.NANOSECONDS.toMillis(delayNanos);
            LOG.log(Level.DEBUG, "iris-client {0}: {1}; reconnecting in {2} ms", deviceId, end.reason, delayMillis);
        }
    }

    /** Waits, unless closed meanwhile. @return false if closed. */
    private boolean pause(final long nanos) {
        final long deadline = System.nanoTime() + nanos;
        synchronized (lock) {
            long left;
            while (!closed && !closing && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return !closed && !closing;
    }

    /** One connection, from TCP connect to its end. Never throws. */
    private SessionEnd session() {
        final ClientSession session = new ClientSession(this);
        final SessionEnd end = session.run();
        end.loggedIn = session.loggedIn();
        if (end.loggedIn) {
            notifyDisconnected(end.code, end.reason);
        }
        return end;
    }

    // ------------------------------------------------------------------------------------------------
    // lifecycle

    /** Stops for good: closes the connection and fails everything pending with {@code cause}. */
    private void stop(final IrisClientException cause) {
        final List<CompletableFuture<?>> toFail = new ArrayList<>();
        closed = true;
        closeQuietly(socket); // first, without the lock: unblocks a writer stuck on a full socket
        synchronized (lock) {
            if (stopCause != null) {
                return;
            }
            stopCause = cause;
            closeQuietly(socket);
            for (final PendingSend p : sends.clear()) {
                toFail.add(p.future);
            }
            for (final List<CompletableFuture<Presence>> waiters : presenceWaiters.values()) {
                toFail.addAll(waiters);
            }
            presenceWaiters.clear();
            out = null;
            ready = false;
            lock.notifyAll();
        }
        connected = false;
        for (final CompletableFuture<?> f : toFail) {
            f.completeExceptionally(cause);
        }
        connectFuture.completeExceptionally(cause);
    }

    private IrisClientException closedException() {
        final IrisClientException cause;
        synchronized (lock) {
            cause = stopCause;
        }
        return cause == null
            ? new IrisClientException("client is closed", null)
            : new IrisClientException("client is closed: " + cause.getMessage(), cause.code(), cause);
    }

    void notifyDisconnected(final ErrorCode code, final String reason) {
        try {
            listener.onDisconnected(code, reason);
        } catch (final Throwable t) {
            LOG.log(Level.WARNING, "Listener.onDisconnected threw", t);
        }
    }

    private void notifyStopped(final IrisClientException cause) {
        try {
            listener.onStopped(cause);
        } catch (final Throwable t) {
            LOG.log(Level.WARNING, "Listener.onStopped threw", t);
        }
    }

    static IllegalArgumentException tooLarge(final int length, final int max) {
        return new IllegalArgumentException("payload of " + length + " bytes over the server's maxPayload of " + max);
    }

    /** @return the UTF-8 bytes of a valid user id, or null if it is empty, too long or has lone surrogates. */
    static byte[] idBytes(final String id) {
        final byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || bytes.length > Protocol.MAX_ID_LENGTH) {
            return null;
        }
        for (int i = 0; i < id.length(); i++) {
            final char c = id.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= id.length() || !Character.isLowSurrogate(id.charAt(i + 1))) {
                    return null;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return null;
            }
        }
        return bytes;
    }

    static void closeQuietly(final Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (final IOException ignored) {
                // closing anyway
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // public nested types

    /**
     * One message delivered to this device.
     *
     * @param seq              its position in the user's inbox; strictly increasing across deliveries.
     * @param sender           the sender's user id.
     * @param serverTimeMillis when the server stored it (epoch millis, server clock).
     * @param payload          the message bytes; a fresh copy owned by the listener. As for any record
     *                         with an array component, {@code equals} compares the array by identity.
     */
    public record Delivery(long seq, String sender, long serverTimeMillis, byte[] payload) {
    }

    /**
     * Receives messages and connection events. All methods are called on the client's thread, one at a
     * time, in order; they should return quickly (hand long work to another thread, but return from
     * {@link #onMessage} only once the message is safely processed: returning is what acknowledges it).
     */
    public interface Listener {
        /**
         * A new message (seq above {@link IrisClient#cursor()}). Returning normally marks it processed;
         * throwing leaves it unprocessed: it is delivered again after a reconnection.
         *
         * @param delivery the message.
         */
        void onMessage(Delivery delivery);

        /**
         * A session was established (every LOGIN_OK, the first and after each reconnection).
         *
         * @param cursor  the server resumes delivery after this seq.
         * @param lastSeq the newest seq in the inbox: messages in {@code (cursor, lastSeq]} follow.
         */
        default void onConnected(final long cursor, final long lastSeq) {
        }

        /**
         * An established session ended, or the server refused the login for good (the client then
         * stops). Whether the client reconnects is decided by the rules in {@link IrisClient}.
         *
         * @param code   the error code the server sent, or null (I/O error, EOF, heartbeat timeout, GOAWAY,
         *               listener failure, close).
         * @param reason a short text for logs.
         */
        default void onDisconnected(final ErrorCode code, final String reason) {
        }

        /**
         * The client stopped for good on its own (see the reconnection rules of {@link IrisClient}: a login
         * refused with AUTH_FAILED, e.g. for a revoked token; DEVICE_REPLACED; a connection lost with
         * reconnection disabled...): it is now closed and every later operation fails. Not called after
         * {@link IrisClient#close()}. Called once, after {@link #onDisconnected}.
         *
         * @param cause why, with the server's error code when it sent one.
         */
        default void onStopped(final IrisClientException cause) {
        }

        /**
         * The server is draining this connection; the client reconnects after about this delay.
         *
         * @param reconnectAfterMillis the delay the server asked for.
         */
        default void onGoAway(final long reconnectAfterMillis) {
        }
    }

    /**
     * Configures an {@link IrisClient}. Setters check their arguments at once; {@link #build()} checks
     * that the required ones (address, token, device id, listener) were set. Not thread-safe.
     */
    public static final class Builder {
        private String host;
        private int port;
        private Supplier<String> tokenSupplier;
        private String deviceId;
        private long resumeCursor = -1;
        private Listener listener;
        private boolean reconnect = true;
        private Duration backoffMin = Duration.ofMillis(100);
        private Duration backoffMax = Duration.ofSeconds(5);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private int maxPendingSends = 10_000;
        private SSLContext tls;

        private Builder() {
        }

        /**
         * Uses TLS (1.3 or 1.2), trusting the CA certificates in a PEM file, e.g. the {@code data/tls/ca.pem}
         * of a reference server in development mode. The server's certificate must also match the host
         * name given to {@link #address} (DNS name or IP address in its subjectAltName).
         *
         * @param caFile PEM file of trusted CA certificates, or null for the JDK's default trust store.
         * @return this.
         * @throws IllegalArgumentException if the file cannot be read.
         */
        public Builder tls(final Path caFile) {
            this.tls = ClientTls.context(caFile, null, null);
            return this;
        }

        /**
         * Uses TLS with a client certificate, for servers that require one ({@code tls.clientAuth=need}).
         *
         * @param caFile   PEM file of trusted CA certificates, or null for the JDK's default trust store.
         * @param certFile PEM client certificate chain.
         * @param keyFile  PEM private key of that certificate (PKCS#8, PKCS#1 RSA or SEC1 EC, unencrypted).
         * @return this.
         * @throws IllegalArgumentException if a file cannot be read or the key does not match.
         */
        public Builder tls(final Path caFile, final Path certFile, final Path keyFile) {
            Objects.requireNonNull(certFile, "certFile");
            Objects.requireNonNull(keyFile, "keyFile");
            this.tls = ClientTls.context(caFile, certFile, keyFile);
            return this;
        }

        /**
         * Uses TLS with an application-built context (its trust managers decide which servers are
         * trusted, its key managers which client certificate is presented). Host-name verification,
         * SNI and the TLS 1.3/1.2 restriction still apply.
         *
         * @param context the context, or null for plaintext (the default).
         * @return this.
         */
        public Builder tls(final SSLContext context) {
            this.tls = context;
            return this;
        }

        /**
         * Required.
         *
         * @param host the server's host name or address.
         * @param port its TCP port, 1 to 65535.
         * @return this.
         */
        public Builder address(final String host, final int port) {
            Objects.requireNonNull(host, "host");
            require(!host.isBlank(), "host must not be blank");
            require(port >= 1 && port <= 65535, "port must be in 1..65535 but was %d", port);
            this.host = host;
            this.port = port;
            return this;
        }

        /**
         * Required (this or {@link #token(String)}).
         *
         * @param tokenSupplier called on the client's thread before each connection attempt, so it can
         *                      hand out a fresh token each time; must return 1 to 4,096 UTF-8 bytes. If it
         *                      throws or returns an invalid token, the attempt fails and is retried.
         * @return this.
         */
        public Builder token(final Supplier<String> tokenSupplier) {
            this.tokenSupplier = Objects.requireNonNull(tokenSupplier, "tokenSupplier");
            return this;
        }

        /**
         * @param token a fixed token, 1 to 4,096 UTF-8 bytes.
         * @return this.
         */
        public Builder token(final String token) {
            Objects.requireNonNull(token, "token");
            final int length = token.getBytes(StandardCharsets.UTF_8).length;
            require(length >= 1 && length <= Protocol.MAX_TOKEN_LENGTH,
                "token must be 1 to %d bytes of UTF-8 but was %d", Protocol.MAX_TOKEN_LENGTH, length);
            this.tokenSupplier = () -> token;
            return this;
        }

        /**
         * Required.
         *
         * @param deviceId names this device of the user: 1 to 64 bytes of UTF-8. Each device has its own
         *                 delivery cursor; two clients with the same user and device replace each other.
         * @return this.
         */
        public Builder deviceId(final String deviceId) {
            Objects.requireNonNull(deviceId, "deviceId");
            require(idBytes(deviceId) != null, "deviceId must be 1 to %d bytes of valid UTF-8: '%s'",
                Protocol.MAX_ID_LENGTH, deviceId);
            this.deviceId = deviceId;
            return this;
        }

        /**
         * @param resumeCursor the highest seq this device already processed (a {@link IrisClient#cursor()}
         *                     persisted by the application), or -1 (the default) if unknown.
         * @return this.
         */
        public Builder resumeCursor(final long resumeCursor) {
            require(resumeCursor >= -1, "resumeCursor must be >= -1 but was %d", resumeCursor);
            this.resumeCursor = resumeCursor;
            return this;
        }

        /**
         * Required.
         *
         * @param listener receives messages and connection events.
         * @return this.
         */
        public Builder listener(final Listener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * @param reconnect whether to reconnect after a lost connection (default true).
         * @return this.
         */
        public Builder reconnect(final boolean reconnect) {
            this.reconnect = reconnect;
            return this;
        }

        /**
         * @param min the shortest wait before reconnecting (default 100 ms), at least 1 ms.
         * @param max the longest (default 5 s), at least {@code min}.
         * @return this.
         */
        public Builder backoff(final Duration min, final Duration max) {
            Objects.requireNonNull(min, "min");
            Objects.requireNonNull(max, "max");
            require(min.compareTo(Duration.ofMillis(1)) >= 0, "backoff min must be at least 1 ms but was %s", min);
            require(max.compareTo(min) >= 0, "backoff max (%s) must not be below min (%s)", max, min);
            this.backoffMin = min;
            this.backoffMax = max;
            return this;
        }

        /**
         * @param timeout the longest wait for the TCP connection, and then again for LOGIN_OK
         *                (default 10 s); at least 1 ms.
         * @return this.
         */
        public Builder connectTimeout(final Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            require(timeout.compareTo(Duration.ofMillis(1)) >= 0, "connectTimeout must be at least 1 ms but was %s",
                timeout);
            this.connectTimeout = timeout;
            return this;
        }

        /**
         * @param maxPendingSends the most sends not answered yet (default 10,000); beyond,
         *                        {@link IrisClient#send(String, byte[])} fails with {@link IllegalStateException}. Also bounds the users with a
         *                        presence query pending.
         * @return this.
         */
        public Builder maxPendingSends(final int maxPendingSends) {
            require(maxPendingSends >= 1, "maxPendingSends must be positive but was %d", maxPendingSends);
            this.maxPendingSends = maxPendingSends;
            return this;
        }

        /**
         * @return a new client, not connected yet (call {@link IrisClient#connect()}).
         * @throws IllegalStateException if a required setting is missing.
         */
        public IrisClient build() {
            requireState(host != null, "address(host, port) is required");
            requireState(tokenSupplier != null, "token(...) is required");
            requireState(deviceId != null, "deviceId(...) is required");
            requireState(listener != null, "listener(...) is required (a no-op one if this client only sends)");
            return new IrisClient(this);
        }

        private static void require(final boolean ok, final String format, final Object... args) {
            if (!ok) {
                throw new IllegalArgumentException(String.format(format, args));
            }
        }

        private static void requireState(final boolean ok, final String message) {
            if (!ok) {
                throw new IllegalStateException(message);
            }
        }
    }
}
