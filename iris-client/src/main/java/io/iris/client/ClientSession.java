package io.iris.client;

import io.iris.client.SendWindow.PendingSend;
import io.iris.protocol.ErrorCode;
import io.iris.protocol.Presence;
import io.iris.protocol.Protocol;
import io.iris.protocol.SendReceipt;
import io.iris.protocol.SendStatus;
import io.iris.protocol.codec.ByteBufferFrameDecoder;
import io.iris.protocol.codec.FrameReader;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * One connection of an {@link IrisClient}, from TCP connect (and TLS handshake) through LOGIN to its end: the
 * reader side of the session. It runs on the client's thread only and owns the per-connection state (the
 * socket, the frame reader, heartbeat and GOAWAY timers, the acknowledgement position); what outlives a
 * connection (pending sends, presence queries, the cursor, the writer and its lock) stays in the client,
 * which this class reaches through package-private members, under the client's lock as the client's own
 * methods do. A session never throws: {@link #run()} turns every way a connection can end into a
 * {@link SessionEnd}, which {@link ReconnectPolicy} turns into the next step.
 */
final class ClientSession {
    private static final Logger LOG = System.getLogger(IrisClient.class.getName());
    /** Initial size of the reassembly buffer of one connection. */
    private static final int READ_BUFFER = 16 * 1024;

    private final IrisClient client;
    private final FrameReader frames = new FrameReader(READ_BUFFER);
    private final ByteBufferFrameDecoder decoder = new ByteBufferFrameDecoder();
    private long pingNonce;
    private Socket socket;
    private boolean loggedIn;
    private long heartbeatNanos;
    private long lastReceiveNanos;
    private long ackedUpTo;
    private int deliveredSinceAck;
    private long goAwayDeadline;
    private boolean goingAway;
    private int soTimeout = -1;

    ClientSession(final IrisClient client) {
        this.client = client;
    }

    /** @return true once LOGIN_OK arrived on this connection. */
    boolean loggedIn() {
        return loggedIn;
    }

    SessionEnd run() {
        SessionEnd end;
        try {
            end = connectAndRead();
        } catch (final FrameReader.FrameException e) {
            LOG.log(Level.WARNING, "iris-client " + client.deviceId + ": protocol error from server: " + e.getMessage());
            end = SessionEnd.retry("protocol error from server: " + e.getMessage(), null, e);
        } catch (final SSLException e) {
            end = client.closed ? SessionEnd.retry("client closed", null, null) : tlsFailure(loggedIn, e);
        } catch (final IOException | RuntimeException e) {
            end = client.closed ? SessionEnd.retry("client closed", null, null)
                : SessionEnd.retry(loggedIn ? "connection lost: " + e : "connect failed: " + e, null, e);
        } finally {
            IrisClient.closeQuietly(socket);
            synchronized (client.lock) {
                if (client.socket == socket) {
                    client.socket = null;
                }
                client.tcpSocket = null;
                client.out = null;
                client.ready = false;
            }
            client.connected = false;
        }
        return end;
    }


    private SessionEnd connectAndRead() throws IOException {
        final byte[] token = fetchToken();
        final Socket tcp = new Socket();
        synchronized (client.lock) {
            if (client.closed) {
                return SessionEnd.retry("client closed", null, null);
            }
            socket = tcp;
            client.socket = tcp;
            client.tcpSocket = tcp;
        }
        tcp.setTcpNoDelay(true);
        tcp.setKeepAlive(true);
        tcp.connect(new InetSocketAddress(client.host, client.port), client.connectTimeoutMillis);
        final Socket s = client.tls == null ? tcp : handshake(tcp);
        final java.io.InputStream in = s.getInputStream();
        synchronized (client.lock) {
            if (client.closed) {
                return SessionEnd.retry("client closed", null, null);
            }
            client.out = s.getOutputStream();
            client.writeLogin(token);
        }
        frames.reset(IrisClient.MAX_FRAME_BEFORE_LOGIN);
        decoder.version(Protocol.VERSION); // until LOGIN_OK names one: an ERROR may carry retry advice
        final long loginDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(client.connectTimeoutMillis);
        lastReceiveNanos = System.nanoTime();
        while (true) {
            adjustSoTimeout(s);
            int n;
            try {
                n = frames.fill(in);
            } catch (final SocketTimeoutException e) {
                n = 0;
            }
            if (client.closed) {
                return SessionEnd.retry("client closed", null, null);
            }
            if (client.closing) {
                return closeGracefully();
            }
            final long now = System.nanoTime();
            if (n < 0) {
                if (goingAway) {
                    return SessionEnd.after("server closed after GOAWAY", Math.max(0, goAwayDeadline - now));
                }
                return SessionEnd.retry("connection closed by server", null, null);
            }
            if (n > 0) {
                lastReceiveNanos = now;
            }
            while (frames.poll(decoder)) {
                final SessionEnd end = onFrame();
                if (end != null) {
                    return end;
                }
                if (client.closed) {
                    return SessionEnd.retry("client closed", null, null);
                }
                if (client.closing) {
                    return closeGracefully();
                }
            }
            if (loggedIn) {
                ackIfNeeded();
            }
            final SessionEnd end = checkTimers(System.nanoTime(), loginDeadline);
            if (end != null) {
                return end;
            }
        }
    }

    /** Layers TLS over the connected socket and completes the handshake (each read bounded by the connect timeout). */
    private Socket handshake(final Socket tcp) throws IOException {
        final SSLSocket ssl = ClientTls.layer(client.tls, tcp, client.host, client.port);
        synchronized (client.lock) {
            socket = ssl;
            if (client.closed) {
                throw new IOException("client closed");
            }
            client.socket = ssl;
        }
        ssl.setSoTimeout(client.connectTimeoutMillis);
        ssl.startHandshake();
        return ssl;
    }

    private SessionEnd onFrame() throws IOException {
        final ByteBufferFrameDecoder d = decoder;
        final byte type = d.type();
        switch (type) {
            case Protocol.LOGIN_OK:
                return loggedIn ? protocolError("second LOGIN_OK") : onLoginOk(d);
            case Protocol.SEND_ACK:
                return loggedIn ? onSendAck(d) : protocolError("SEND_ACK before LOGIN_OK");
            case Protocol.DELIVER:
                return loggedIn ? onDeliver(d) : protocolError("DELIVER before LOGIN_OK");
            case Protocol.PRESENCE:
                return loggedIn ? onPresence(d) : protocolError("PRESENCE before LOGIN_OK");
            case Protocol.PING:
                synchronized (client.lock) {
                    client.writePong(d.nonce());
                }
                return null;
            case Protocol.PONG:
                return null;
            case Protocol.ERROR:
                return onError(d);
            case Protocol.GOAWAY:
                return onGoAway(d);
            default:
                return protocolError("unexpected " + Protocol.typeName(type) + " frame from server");
        }
    }

    private SessionEnd onLoginOk(final ByteBufferFrameDecoder d) throws IOException {
        if (d.maxVersion() < Protocol.MIN_VERSION || d.maxVersion() > Protocol.VERSION) {
            return SessionEnd.terminal("server chose protocol version " + d.maxVersion() + ", outside "
                + Protocol.MIN_VERSION + ".." + Protocol.VERSION, ErrorCode.UNSUPPORTED_VERSION);
        }
        decoder.version(d.maxVersion());
        final int largest = IrisClient.MAX_FRAME_LIMIT - Protocol.FRAME_OVERHEAD;
        final int serverMaxPayload = d.maxPayload() < 0 ? largest : Math.min(d.maxPayload(), largest);
        final int hb = d.heartbeatMillis();
        final long serverCursor = d.cursor();
        final long lastSeq = d.lastSeq();
        loggedIn = true;
        heartbeatNanos = hb > 0 ? TimeUnit.MILLISECONDS.toNanos(hb) : 0;
        ackedUpTo = serverCursor;
        frames.limit(Protocol.maxFrameAfterLogin(serverMaxPayload));
        final List<PendingSend> refused = new ArrayList<>();
        synchronized (client.lock) {
            client.maxPayload = serverMaxPayload;
            refused.addAll(client.sends.restart(serverMaxPayload));
        }
        for (final PendingSend p : refused) {
            p.future.completeExceptionally(client.tooLarge(p.payload.length, serverMaxPayload));
        }
        synchronized (client.lock) {
            // sends queued meanwhile were appended to unsent, after the older ones: order holds
            client.ready = true;
            client.pumpSends();
            for (final String user : client.presenceWaiters.keySet()) {
                client.writePresenceQuery(user.getBytes(StandardCharsets.UTF_8));
            }
        }
        client.connected = true;
        LOG.log(Level.DEBUG, "iris-client {0}: logged in, cursor {1}, lastSeq {2}", client.deviceId, serverCursor,
            lastSeq);
        try {
            client.listener.onConnected(serverCursor, lastSeq);
        } catch (final Throwable t) {
            LOG.log(Level.WARNING, "Listener.onConnected threw", t);
        }
        client.connectFuture.complete(null);
        return null;
    }

    private SessionEnd onSendAck(final ByteBufferFrameDecoder d) throws IOException {
        final long id = d.clientMsgId();
        final PendingSend p;
        synchronized (client.lock) {
            p = client.sends.answered(id);
            if (p != null) {
                client.pumpSends();
            }
        }
        if (p == null) {
            LOG.log(Level.DEBUG, "SEND_ACK for unknown clientMsgId {0}", id);
            return null;
        }
        final SendStatus status;
        try {
            status = SendStatus.fromCode(d.code());
        } catch (final IllegalArgumentException e) {
            p.future.completeExceptionally(new IrisClientException("unknown send status " + d.code(), null, e));
            return null;
        }
        p.future.complete(new SendReceipt(status, d.seq(), d.time(), d.retryAfterMillis()));
        return null;
    }

    private SessionEnd onDeliver(final ByteBufferFrameDecoder d) throws IOException {
        final long seq = d.seq();
        if (seq <= client.cursor) {
            return null; // already seen: dropped, but acked below so the server moves on
        }
        final IrisClient.Delivery delivery = new IrisClient.Delivery(seq, d.id(), d.time(), d.payload());
        try {
            client.listener.onMessage(delivery);
        } catch (final Throwable t) {
            client.listenerFailures++;
            LOG.log(Level.WARNING, "Listener.onMessage threw for seq " + seq
                + "; not acknowledged, will be delivered again after reconnecting", t);
            try {
                ackIfNeeded(); // what was processed before it
            } catch (final IOException e) {
                LOG.log(Level.DEBUG, "could not acknowledge before disconnecting", e);
            }
            return SessionEnd.listenerFailed("listener failed on seq " + seq + ": " + t, t);
        }
        client.listenerFailures = 0;
        client.cursor = seq;
        if (++deliveredSinceAck >= IrisClient.ACK_EVERY) {
            ackIfNeeded();
        }
        return null;
    }

    private SessionEnd onPresence(final ByteBufferFrameDecoder d) {
        final String user = d.id();
        final List<CompletableFuture<Presence>> waiters;
        synchronized (client.lock) {
            waiters = client.presenceWaiters.remove(user);
        }
        if (waiters != null) {
            final Presence presence = new Presence(user, d.online(), d.time());
            for (final CompletableFuture<Presence> f : waiters) {
                f.complete(presence);
            }
        }
        return null;
    }

    private SessionEnd onError(final ByteBufferFrameDecoder d) {
        final ErrorCode code = ErrorCode.fromCode(d.code());
        final String reason = "server error " + (code != null ? code.name() : "code " + d.code()) + ": " + d.text();
        if (code == ErrorCode.DEVICE_REPLACED) {
            return SessionEnd.terminal(reason, code);
        }
        if (code == ErrorCode.TOO_MANY_CONNECTIONS || code == ErrorCode.LOGIN_THROTTLED) {
            // refused by a per-address limit: back off as usual, but never sooner than the server's hint:
            // the typed field of a version-2 ERROR, else (version-1 layout) the end of the text
            final long hint = d.retryAfterMillis() >= 0 ? Math.min(d.retryAfterMillis(), IrisClient.MAX_RETRY_HINT_MILLIS)
                : client.retryAfterMillis(d.text());
            return SessionEnd.throttled(reason, code, TimeUnit.MILLISECONDS.toNanos(Math.max(hint, 0)));
        }
        if (!loggedIn && (code == ErrorCode.AUTH_FAILED || code == ErrorCode.TOKEN_EXPIRED
            || code == ErrorCode.UNSUPPORTED_VERSION || code == ErrorCode.TLS_REQUIRED)) {
            return SessionEnd.terminal(reason, code);
        }
        return SessionEnd.retry(reason, code, null);
    }

    private SessionEnd onGoAway(final ByteBufferFrameDecoder d) {
        final long after = d.retryAfterMillis();
        if (!goingAway) {
            goingAway = true;
            goAwayDeadline = System.nanoTime() + client.reconnectPolicy.backoff().afterNanos(TimeUnit.MILLISECONDS.toNanos(after));
            synchronized (client.lock) {
                client.ready = false; // new SENDs wait for the next connection
            }
            client.connected = false;
            try {
                client.listener.onGoAway(after);
            } catch (final Throwable t) {
                LOG.log(Level.WARNING, "Listener.onGoAway threw", t);
            }
        }
        return null;
    }

    private SessionEnd checkTimers(final long now, final long loginDeadline) throws IOException {
        if (!loggedIn) {
            if (now - loginDeadline >= 0) {
                return SessionEnd.retry("no LOGIN_OK within " + client.connectTimeoutMillis + " ms", null, null);
            }
            return null;
        }
        if (goingAway && now - goAwayDeadline >= 0) {
            return SessionEnd.after("GOAWAY", 0);
        }
        if (heartbeatNanos > 0) {
            if (now - lastReceiveNanos >= 3 * heartbeatNanos) {
                return SessionEnd.retry("nothing received from server for "
                    + TimeUnit.NANOSECONDS.toMillis(now - lastReceiveNanos) + " ms", null, null);
            }
            synchronized (client.lock) {
                if (client.out != null && now - client.lastWriteNanos >= heartbeatNanos) {
                    client.writePing(++pingNonce);
                }
            }
        }
        return null;
    }

    /** The client is closing: acknowledge what the listener processed, then end the session. */
    private SessionEnd closeGracefully() throws IOException {
        if (loggedIn) {
            ackIfNeeded();
        }
        return SessionEnd.retry("client closed", null, null);
    }

    private void ackIfNeeded() throws IOException {
        final long upTo = client.cursor;
        deliveredSinceAck = 0;
        if (upTo > ackedUpTo && upTo >= 0) {
            synchronized (client.lock) {
                client.writeDeliverAck(upTo);
            }
            ackedUpTo = upTo;
        }
    }

    /** Read timeout: short enough to send PINGs, notice a dead server and honour GOAWAY on time. */
    private void adjustSoTimeout(final Socket s) throws IOException {
        long tickMillis;
        if (!loggedIn) {
            tickMillis = Math.max(1, Math.min(250, client.connectTimeoutMillis / 4));
        } else if (heartbeatNanos > 0) {
            tickMillis = Math.max(1, Math.min(1000, TimeUnit.NANOSECONDS.toMillis(heartbeatNanos) / 4));
        } else {
            tickMillis = 1000;
        }
        if (goingAway) {
            tickMillis = Math.max(1, Math.min(tickMillis,
                TimeUnit.NANOSECONDS.toMillis(goAwayDeadline - System.nanoTime()) + 1));
        }
        if (tickMillis != soTimeout) {
            soTimeout = (int) tickMillis;
            s.setSoTimeout(soTimeout);
        }
    }

    private SessionEnd protocolError(final String what) {
        LOG.log(Level.WARNING, "iris-client " + client.deviceId + ": protocol error from server: " + what);
        return SessionEnd.retry("protocol error from server: " + what, null, null);
    }


    private byte[] fetchToken() throws IOException {
        final String token;
        try {
            token = client.tokenSupplier.get();
        } catch (final RuntimeException e) {
            throw new IOException("token supplier failed: " + e, e);
        }
        if (token == null || token.isEmpty()) {
            throw new IOException("token supplier returned no token");
        }
        final byte[] bytes = token.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > Protocol.MAX_TOKEN_LENGTH) {
            throw new IOException("token of " + bytes.length + " bytes, over " + Protocol.MAX_TOKEN_LENGTH);
        }
        return bytes;
    }

    /**
     * A TLS failure ends the client for good when retrying cannot help: the server's certificate is
     * not trusted or does not match the host, or the port does not speak TLS. Anything else (e.g. the
     * connection dropped mid-handshake) is retried.
     */
    private SessionEnd tlsFailure(final boolean loggedIn, final SSLException e) {
        final String where = client.host + ":" + client.port;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateException) {
                LOG.log(Level.WARNING, "iris-client " + client.deviceId + ": TLS server certificate of " + where
                    + " refused: " + e.getMessage());
                return SessionEnd.terminal("TLS handshake with " + where + " failed: server certificate refused ("
                    + e.getMessage() + "); check the trusted CA and the host name", e);
            }
        }
        final String message = String.valueOf(e.getMessage());
        if (!loggedIn && message.contains("nrecognized SSL message")) {
            return SessionEnd.terminal("TLS handshake with " + where + " failed: the server did not answer with TLS"
                + " (a plaintext port?): " + message, e);
        }
        return SessionEnd.retry((loggedIn ? "connection lost: " : "connect failed: ") + e, null, e);
    }
}
