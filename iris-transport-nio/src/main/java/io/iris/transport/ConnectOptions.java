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

    private static final ConnectOptions DEFAULTS = new ConnectOptions(new Values());

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

    /** The mutable twin of the fields, holding the defaults: each wither copies, changes one, validates. */
    private static final class Values {
        String name = DEFAULT_NAME;
        long connectTimeoutMillis = DEFAULT_CONNECT_TIMEOUT_MILLIS;
        SSLContext tls;
        String tlsServerName;
        Framing.Factory framing = LengthPrefixFraming.FACTORY;
        WritePolicy writePolicy = WritePolicy.linkDefault();
        int maxInboundFrame = Protocol.DEFAULT_MAX_PAYLOAD + Protocol.FRAME_OVERHEAD;
        long readTimeoutMillis;
        int socketReceiveBuffer;
        int socketSendBuffer;
    }

    private ConnectOptions(final Values v) {
        if (v.name == null || v.name.isBlank()) {
            throw new IllegalArgumentException("name must be non-empty, was " + v.name);
        }
        if (v.connectTimeoutMillis < 1) {
            throw new IllegalArgumentException("connectTimeoutMillis must be >= 1, was " + v.connectTimeoutMillis);
        }
        if (v.maxInboundFrame < 1) {
            throw new IllegalArgumentException("maxInboundFrame must be >= 1, was " + v.maxInboundFrame);
        }
        if (v.readTimeoutMillis < 0) {
            throw new IllegalArgumentException("readTimeoutMillis must be >= 0 (0 disables it), was "
                + v.readTimeoutMillis);
        }
        if (v.socketReceiveBuffer < 0 || v.socketSendBuffer < 0) {
            throw new IllegalArgumentException("socket buffers must be >= 0 (0 = OS default), were "
                + v.socketReceiveBuffer + " and " + v.socketSendBuffer);
        }
        this.name = v.name;
        this.connectTimeoutMillis = v.connectTimeoutMillis;
        this.tls = v.tls;
        this.tlsServerName = v.tlsServerName;
        this.framing = Objects.requireNonNull(v.framing, "framing");
        this.writePolicy = Objects.requireNonNull(v.writePolicy, "writePolicy");
        this.maxInboundFrame = v.maxInboundFrame;
        this.readTimeoutMillis = v.readTimeoutMillis;
        this.socketReceiveBuffer = v.socketReceiveBuffer;
        this.socketSendBuffer = v.socketSendBuffer;
    }

    private Values values() {
        final Values v = new Values();
        v.name = name;
        v.connectTimeoutMillis = connectTimeoutMillis;
        v.tls = tls;
        v.tlsServerName = tlsServerName;
        v.framing = framing;
        v.writePolicy = writePolicy;
        v.maxInboundFrame = maxInboundFrame;
        v.readTimeoutMillis = readTimeoutMillis;
        v.socketReceiveBuffer = socketReceiveBuffer;
        v.socketSendBuffer = socketSendBuffer;
        return v;
    }

    /** @return the default options (see the class comment). */
    public static ConnectOptions defaults() {
        return DEFAULTS;
    }

    /** @param name counter label, non-empty. @return a copy with it. */
    public ConnectOptions withName(final String name) {
        final Values v = values();
        v.name = name;
        return new ConnectOptions(v);
    }

    /** @param millis connect timeout, at least 1. @return a copy with it. */
    public ConnectOptions withConnectTimeoutMillis(final long millis) {
        final Values v = values();
        v.connectTimeoutMillis = millis;
        return new ConnectOptions(v);
    }

    /**
     * @param context    the client TLS context (e.g. {@link Pem#clientContext}), or null for plaintext.
     * @param serverName the name to verify the server certificate against and send as SNI; null = the address's host.
     * @return a copy with this TLS setting.
     */
    public ConnectOptions withTls(final SSLContext context, final String serverName) {
        final Values v = values();
        v.tls = context;
        v.tlsServerName = serverName;
        return new ConnectOptions(v);
    }

    /** @param framing makes the connection's framing layer. @return a copy with it. */
    public ConnectOptions withFraming(final Framing.Factory framing) {
        final Values v = values();
        v.framing = framing;
        return new ConnectOptions(v);
    }

    /** @param writePolicy what the connection does when its unsent output grows. @return a copy with it. */
    public ConnectOptions withWritePolicy(final WritePolicy writePolicy) {
        final Values v = values();
        v.writePolicy = writePolicy;
        return new ConnectOptions(v);
    }

    /** @param maxInboundFrame initial largest inbound frame, at least 1. @return a copy with it. */
    public ConnectOptions withMaxInboundFrame(final int maxInboundFrame) {
        final Values v = values();
        v.maxInboundFrame = maxInboundFrame;
        return new ConnectOptions(v);
    }

    /** @param millis initial read timeout (fires IDLE_TIMEOUT), &gt;= 0; 0 = none. @return a copy with it. */
    public ConnectOptions withReadTimeoutMillis(final long millis) {
        final Values v = values();
        v.readTimeoutMillis = millis;
        return new ConnectOptions(v);
    }

    /**
     * @param receive SO_RCVBUF, &gt;= 0 (0 = OS default).
     * @param send    SO_SNDBUF, &gt;= 0 (0 = OS default).
     * @return a copy with these sizes.
     */
    public ConnectOptions withSocketBuffers(final int receive, final int send) {
        final Values v = values();
        v.socketReceiveBuffer = receive;
        v.socketSendBuffer = send;
        return new ConnectOptions(v);
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
