package io.iris.transport;

import io.iris.protocol.ErrorCode;
import io.iris.protocol.Protocol;
import io.iris.transport.framing.Framing;
import io.iris.transport.framing.LengthPrefixFraming;
import io.iris.transport.tls.Pem;

import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * Immutable settings of one outbound connection ({@link NioTransport#connect}): connect timeout, TLS (client
 * mode), framing, write policy and inbound limits. Start from {@link #defaults()}; every wither validates and
 * fails fast naming the field and the bad value.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>field</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>name</td><td>{@value #DEFAULT_NAME}</td><td>the {@code listener} label of the connection's counters</td></tr>
 *   <tr><td>connectTimeoutMillis</td><td>{@value #DEFAULT_CONNECT_TIMEOUT_MILLIS}</td><td>longest wait for the
 *       TCP connect (checked by the loop's ~100 ms sweep); then
 *       {@link ConnectionHandler#onConnectFailed} with a {@link java.net.SocketTimeoutException}</td></tr>
 *   <tr><td>tls</td><td>null</td><td>an {@link SSLContext} to run TLS 1.3/1.2 in client mode with (trust and, for
 *       mutual TLS, the client key); null = plaintext</td></tr>
 *   <tr><td>tlsServerName</td><td>null</td><td>the host name to verify the server's certificate against (and
 *       send as SNI); null = the address's host string</td></tr>
 *   <tr><td>framing</td><td>{@link LengthPrefixFraming#FACTORY}</td><td>how bytes are cut into frames</td></tr>
 *   <tr><td>writePolicy</td><td>{@link WritePolicy#linkDefault()}</td><td>water marks: node links stop
 *       producing instead of being closed</td></tr>
 *   <tr><td>maxInboundFrame</td><td>{@link Protocol#DEFAULT_MAX_PAYLOAD} + {@link Protocol#FRAME_OVERHEAD}</td>
 *       <td>initial {@link Connection#maxInboundFrame()}</td></tr>
 *   <tr><td>readTimeoutMillis</td><td>0</td><td>initial read timeout (fires {@code IDLE_TIMEOUT}); 0 = none</td></tr>
 *   <tr><td>socketReceiveBuffer, socketSendBuffer</td><td>0</td><td>SO_RCVBUF / SO_SNDBUF; 0 = OS default</td></tr>
 * </table>
 */
public final class ConnectOptions {
    /** Default counter label of outbound connections. */
    public static final String DEFAULT_NAME = "outbound";
    /** Default connect timeout. */
    public static final long DEFAULT_CONNECT_TIMEOUT_MILLIS = 10_000L;

    private static final ConnectOptions DEFAULTS = new ConnectOptions(DEFAULT_NAME, DEFAULT_CONNECT_TIMEOUT_MILLIS,
        null, null, LengthPrefixFraming.FACTORY, WritePolicy.linkDefault(),
        Protocol.DEFAULT_MAX_PAYLOAD + Protocol.FRAME_OVERHEAD, 0, 0, 0);

    private final String name;
    private final long connectTimeoutMillis;
    private final SSLContext tls;
    private final String tlsServerName;
    private final Framing.Factory framing;
    private final WritePolicy writePolicy;
    private final int maxInboundFrame;
    private final long readTimeoutMillis;
    private final int socketReceiveBuffer;
    private final int socketSendBuffer;

    private ConnectOptions(final String name, final long connectTimeoutMillis, final SSLContext tls,
                           final String tlsServerName, final Framing.Factory framing, final WritePolicy writePolicy,
                           final int maxInboundFrame, final long readTimeoutMillis, final int socketReceiveBuffer,
                           final int socketSendBuffer) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must be non-empty, was " + name);
        }
        if (connectTimeoutMillis < 1) {
            throw new IllegalArgumentException("connectTimeoutMillis must be >= 1, was " + connectTimeoutMillis);
        }
        if (maxInboundFrame < 1) {
            throw new IllegalArgumentException("maxInboundFrame must be >= 1, was " + maxInboundFrame);
        }
        if (readTimeoutMillis < 0) {
            throw new IllegalArgumentException("readTimeoutMillis must be >= 0 (0 disables it), was " + readTimeoutMillis);
        }
        if (socketReceiveBuffer < 0 || socketSendBuffer < 0) {
            throw new IllegalArgumentException("socket buffers must be >= 0 (0 = OS default), were "
                + socketReceiveBuffer + " and " + socketSendBuffer);
        }
        this.name = name;
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.tls = tls;
        this.tlsServerName = tlsServerName;
        this.framing = Objects.requireNonNull(framing, "framing");
        this.writePolicy = Objects.requireNonNull(writePolicy, "writePolicy");
        this.maxInboundFrame = maxInboundFrame;
        this.readTimeoutMillis = readTimeoutMillis;
        this.socketReceiveBuffer = socketReceiveBuffer;
        this.socketSendBuffer = socketSendBuffer;
    }

    /** @return the default options (see the class comment). */
    public static ConnectOptions defaults() {
        return DEFAULTS;
    }

    /** @param name counter label, non-empty. @return a copy with it. */
    public ConnectOptions withName(final String name) {
        return new ConnectOptions(name, connectTimeoutMillis, tls, tlsServerName, framing, writePolicy,
            maxInboundFrame, readTimeoutMillis, socketReceiveBuffer, socketSendBuffer);
    }

    /** @param millis connect timeout, at least 1. @return a copy with it. */
    public ConnectOptions withConnectTimeoutMillis(final long millis) {
        return new ConnectOptions(name, millis, tls, tlsServerName, framing, writePolicy,
            maxInboundFrame, readTimeoutMillis, socketReceiveBuffer, socketSendBuffer);
    }

    /**
     * @param context    the client TLS context (e.g. {@link Pem#clientContext}), or null for plaintext.
     * @param serverName the name to verify the server certificate against and send as SNI; null = the address's host.
     * @return a copy with this TLS setting.
     */
    public ConnectOptions withTls(final SSLContext context, final String serverName) {
        return new ConnectOptions(name, connectTimeoutMillis, context, serverName, framing, writePolicy,
            maxInboundFrame, readTimeoutMillis, socketReceiveBuffer, socketSendBuffer);
    }

    /** @param framing makes the connection's framing layer. @return a copy with it. */
    public ConnectOptions withFraming(final Framing.Factory framing) {
        return new ConnectOptions(name, connectTimeoutMillis, tls, tlsServerName, framing, writePolicy,
            maxInboundFrame, readTimeoutMillis, socketReceiveBuffer, socketSendBuffer);
    }

    /** @param writePolicy what the connection does when its unsent output grows. @return a copy with it. */
    public ConnectOptions withWritePolicy(final WritePolicy writePolicy) {
        return new ConnectOptions(name, connectTimeoutMillis, tls, tlsServerName, framing, writePolicy,
            maxInboundFrame, readTimeoutMillis, socketReceiveBuffer, socketSendBuffer);
    }

    /** @param maxInboundFrame initial largest inbound frame, at least 1. @return a copy with it. */
    public ConnectOptions withMaxInboundFrame(final int maxInboundFrame) {
        return new ConnectOptions(name, connectTimeoutMillis, tls, tlsServerName, framing, writePolicy,
            maxInboundFrame, readTimeoutMillis, socketReceiveBuffer, socketSendBuffer);
    }

    /** @param millis initial read timeout (fires IDLE_TIMEOUT), &gt;= 0; 0 = none. @return a copy with it. */
    public ConnectOptions withReadTimeoutMillis(final long millis) {
        return new ConnectOptions(name, connectTimeoutMillis, tls, tlsServerName, framing, writePolicy,
            maxInboundFrame, millis, socketReceiveBuffer, socketSendBuffer);
    }

    /**
     * @param receive SO_RCVBUF, &gt;= 0 (0 = OS default).
     * @param send    SO_SNDBUF, &gt;= 0 (0 = OS default).
     * @return a copy with these sizes.
     */
    public ConnectOptions withSocketBuffers(final int receive, final int send) {
        return new ConnectOptions(name, connectTimeoutMillis, tls, tlsServerName, framing, writePolicy,
            maxInboundFrame, readTimeoutMillis, receive, send);
    }

    /** @return the counter label. */
    public String name() {
        return name;
    }

    /** @return the connect timeout. */
    public long connectTimeoutMillis() {
        return connectTimeoutMillis;
    }

    /** @return the client TLS context, or null for plaintext. */
    public SSLContext tls() {
        return tls;
    }

    /** @return the TLS server name, or null for the address's host. */
    public String tlsServerName() {
        return tlsServerName;
    }

    /** @return the framing factory. */
    public Framing.Factory framing() {
        return framing;
    }

    /** @return the write policy. */
    public WritePolicy writePolicy() {
        return writePolicy;
    }

    /** @return the initial largest inbound frame. */
    public int maxInboundFrame() {
        return maxInboundFrame;
    }

    /** @return the initial read timeout; 0 = none. */
    public long readTimeoutMillis() {
        return readTimeoutMillis;
    }

    /** @return SO_RCVBUF; 0 = OS default. */
    public int socketReceiveBuffer() {
        return socketReceiveBuffer;
    }

    /** @return SO_SNDBUF; 0 = OS default. */
    public int socketSendBuffer() {
        return socketSendBuffer;
    }

    /** @return the error a fired read timeout sends. */
    static ErrorCode readTimeoutCode() {
        return ErrorCode.IDLE_TIMEOUT;
    }

    @Override
    public String toString() {
        return "ConnectOptions{name=" + name + ", connectTimeoutMillis=" + connectTimeoutMillis
            + ", tls=" + (tls != null) + ", tlsServerName=" + tlsServerName + ", writePolicy=" + writePolicy
            + ", maxInboundFrame=" + maxInboundFrame + ", readTimeoutMillis=" + readTimeoutMillis + '}';
    }
}
