package io.iris.transport;

import io.iris.protocol.ErrorCode;
import io.iris.transport.framing.Framing;
import io.iris.transport.tls.Pem;
import io.iris.transport.tls.TlsConfig;
import org.agrona.DirectBuffer;

import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * What the connections of one {@link Listener}, or of one {@link NioTransport#connect} call, share: the
 * handler, how their layers are built (socket layer: plain, TLS server or TLS client; framing), the write
 * policy, initial limits and timers, and the counters. Immutable; made at listen or connect time.
 */
final class Endpoint {
    final ConnectionHandler handler;
    final Framing.Factory framing;
    final WritePolicy writePolicy;
    final TransportCounters.Group counters;
    /** GOAWAY frame sent on drain (accepted connections), or null (outbound: not a client of this server). */
    final DirectBuffer goaway;
    final long initialReadTimeoutMillis;
    final ErrorCode initialTimeoutCode;
    /** The initial read timeout is a login deadline that frames do not push back. */
    final boolean loginDeadline;
    final int initialMaxInboundFrame;
    final long connectTimeoutMillis;
    /** The listener (released per closed connection), or null for outbound connections. */
    final Listener listener;
    private final TlsConfig serverTls;
    private final SSLContext clientTls;
    private final String tlsServerName;

    /** For the connections accepted by a listener. */
    Endpoint(final Listener listener, final NioServerConfig config, final ConnectionHandler handler,
             final TransportCounters.Group counters, final DirectBuffer goaway) {
        this.handler = handler;
        this.framing = config.framing();
        this.writePolicy = config.writePolicy();
        this.counters = counters;
        this.goaway = goaway;
        this.initialReadTimeoutMillis = config.loginTimeoutMillis();
        this.initialTimeoutCode = ErrorCode.LOGIN_TIMEOUT;
        this.loginDeadline = true;
        this.initialMaxInboundFrame = config.maxFrameBeforeLogin();
        this.connectTimeoutMillis = 0;
        this.listener = listener;
        this.serverTls = config.tls();
        this.clientTls = null;
        this.tlsServerName = null;
    }

    /** For one outbound connection. */
    Endpoint(final ConnectOptions options, final ConnectionHandler handler, final TransportCounters.Group counters) {
        this.handler = handler;
        this.framing = options.framing();
        this.writePolicy = options.writePolicy();
        this.counters = counters;
        this.goaway = null;
        this.initialReadTimeoutMillis = options.readTimeoutMillis();
        this.initialTimeoutCode = ConnectOptions.readTimeoutCode();
        this.loginDeadline = false;
        this.initialMaxInboundFrame = options.maxInboundFrame();
        this.connectTimeoutMillis = options.connectTimeoutMillis();
        this.listener = null;
        this.serverTls = null;
        this.clientTls = options.tls();
        this.tlsServerName = options.tlsServerName();
    }

    /** @return the socket layer of a connection that just connected (on its loop). */
    SocketLayer newSocketLayer(final NioConnection c) {
        final SSLEngine engine;
        if (serverTls != null) {
            engine = serverTls.newServerEngine(c.remoteAddress.getHostString(), c.remoteAddress.getPort());
        } else if (clientTls != null) {
            final String host = tlsServerName != null ? tlsServerName : c.remoteAddress.getHostString();
            engine = clientTls.createSSLEngine(host, c.remoteAddress.getPort());
            engine.setUseClientMode(true);
            final SSLParameters p = engine.getSSLParameters();
            p.setProtocols(Pem.PROTOCOLS.toArray(new String[0]));
            p.setEndpointIdentificationAlgorithm("HTTPS");
            if (tlsServerName != null) {
                p.setServerNames(List.of(new SNIHostName(tlsServerName)));
            }
            engine.setSSLParameters(p);
        } else {
            return PlainSocketLayer.INSTANCE;
        }
        return new TlsSocketLayer(engine, c.owner.tlsBuffers(engine));
    }

    /** A connection of this endpoint closed (or never opened): releases what its listener counted. */
    void connectionClosed(final NioConnection c) {
        if (listener != null) {
            listener.connectionClosed(c.addressKey);
        }
    }
}
