package io.iris.transport;

import io.iris.transport.framing.Framing;
import io.iris.transport.framing.LengthPrefixFraming;
import io.iris.transport.limit.AddressRateLimiter;
import io.iris.protocol.Protocol;
import io.iris.transport.tls.TlsConfig;

import java.util.Objects;

/**
 * Immutable settings of one {@link Listener} (a bound port of a {@link NioTransport}): address, TLS, framing,
 * write policy and connection limits. Loop-wide settings (event-loop threads, command queues, counters) are in
 * {@link NioTransportConfig}. Start from {@link #defaults()} and derive copies with the {@code withX} methods;
 * every wither validates its value and fails fast with an {@link IllegalArgumentException} that names the field
 * and the bad value, so a listener can never be built from an inconsistent configuration. Defaults are public
 * constants (the engine's config-key registry refers to them).
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>field</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>host</td><td>127.0.0.1</td><td>address to bind: loopback unless configured otherwise</td></tr>
 *   <tr><td>name</td><td>{@value #DEFAULT_NAME}</td><td>the listener's name: the {@code listener} label of its
 *       counters and its log lines</td></tr>
 *   <tr><td>port</td><td>0</td><td>port to bind; 0 picks a free ephemeral port (see {@link Listener#port()})</td></tr>
 *   <tr><td>maxConnections</td><td>10,000</td><td>open connections accepted; further ones get
 *       {@code ERROR SERVER_FULL}. Lowered at runtime to the process file-descriptor limit minus 64</td></tr>
 *   <tr><td>loginTimeoutMillis</td><td>10,000</td><td>initial read timeout of a connection (fires
 *       {@code LOGIN_TIMEOUT}); 0 disables it</td></tr>
 *   <tr><td>writePolicy</td><td>{@link WritePolicy#clientDefault()}</td><td>what a connection does when its unsent
 *       output grows: close at 4 MiB with {@code SLOW_CONSUMER} (clients), or water marks (node links)</td></tr>
 *   <tr><td>framing</td><td>{@link LengthPrefixFraming#FACTORY}</td><td>how bytes are cut into frames</td></tr>
 *   <tr><td>maxFrameBeforeLogin</td><td>{@link Protocol#MAX_FRAME_BEFORE_LOGIN}</td><td>initial
 *       {@link Connection#maxInboundFrame()}</td></tr>
 *   <tr><td>socketReceiveBuffer, socketSendBuffer</td><td>0</td><td>SO_RCVBUF / SO_SNDBUF of accepted sockets;
 *       0 keeps the OS default</td></tr>
 *   <tr><td>goawayReconnectMillis</td><td>1,000</td><td>{@code reconnectAfterMillis} of the GOAWAY sent by
 *       {@link NioTransport#drain()}</td></tr>
 *   <tr><td>maxConnectionsPerAddress</td><td>{@value #DEFAULT_MAX_CONNECTIONS_PER_ADDRESS}</td><td>open
 *       connections per source address ({@link io.iris.transport.limit.AddressKey}: an IPv4 address or an IPv6
 *       /64); further ones get {@code ERROR TOO_MANY_CONNECTIONS}. 0 disables the cap</td></tr>
 *   <tr><td>connectionsPerSecondPerAddress, connectionBurstPerAddress</td>
 *       <td>{@value #DEFAULT_CONNECTIONS_PER_SECOND_PER_ADDRESS}, {@value #DEFAULT_CONNECTION_BURST_PER_ADDRESS}</td>
 *       <td>new connections per second per source address, and how many may arrive at once; beyond, they get
 *       {@code ERROR TOO_MANY_CONNECTIONS}. The rate limit applies only when both are &gt; 0</td></tr>
 *   <tr><td>trackedAddresses</td><td>{@value #DEFAULT_TRACKED_ADDRESSES}</td><td>capacity of the connection
 *       rate table (see {@link AddressRateLimiter}), allocated at start when the rate limit is on</td></tr>
 *   <tr><td>tls</td><td>null</td><td>{@link TlsConfig} of the port; null = plaintext. With TLS every connection
 *       must start with a TLS handshake (TLS 1.3 or 1.2); a first byte other than a handshake record gets one
 *       plaintext {@code ERROR TLS_REQUIRED} and is closed</td></tr>
 * </table>
 */
public final class NioServerConfig {
    /** Default listener name. */
    public static final String DEFAULT_NAME = "client";
    /** Default address to bind. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** Default open connections accepted. */
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    /** Default login deadline of a new connection. */
    public static final long DEFAULT_LOGIN_TIMEOUT_MILLIS = 10_000L;
    /** Default outbound high-water mark per client connection: 4 MiB ({@link WritePolicy#DEFAULT_HIGH_WATER_MARK}). */
    public static final int DEFAULT_OUTBOUND_HIGH_WATER_MARK = WritePolicy.DEFAULT_HIGH_WATER_MARK;
    /** Default reconnect delay sent with GOAWAY. */
    public static final int DEFAULT_GOAWAY_RECONNECT_MILLIS = 1000;
    /** Default open connections per source address. */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 1000;
    /** Default new connections per second per source address. */
    public static final int DEFAULT_CONNECTIONS_PER_SECOND_PER_ADDRESS = 100;
    /** Default burst of new connections per source address. */
    public static final int DEFAULT_CONNECTION_BURST_PER_ADDRESS = 200;
    /** Default capacity of the per-address connection rate table. */
    public static final int DEFAULT_TRACKED_ADDRESSES = 65_536;

    private static final NioServerConfig DEFAULTS = new NioServerConfig(new Values());

    private final String name;
    private final String host;
    private final int port;
    private final int maxConnections;
    private final long loginTimeoutMillis;
    private final WritePolicy writePolicy;
    private final Framing.Factory framing;
    private final int maxFrameBeforeLogin;
    private final int socketReceiveBuffer;
    private final int socketSendBuffer;
    private final int goawayReconnectMillis;
    private final int maxConnectionsPerAddress;
    private final int connectionsPerSecondPerAddress;
    private final int connectionBurstPerAddress;
    private final int trackedAddresses;
    private final TlsConfig tls;

    /**
     * The mutable twin of the fields, holding the defaults: every wither takes the current values,
     * changes one and builds a new validated instance from them.
     */
    private static final class Values {
        String name = DEFAULT_NAME;
        String host = DEFAULT_HOST;
        int port;
        int maxConnections = DEFAULT_MAX_CONNECTIONS;
        long loginTimeoutMillis = DEFAULT_LOGIN_TIMEOUT_MILLIS;
        WritePolicy writePolicy = WritePolicy.clientDefault();
        Framing.Factory framing = LengthPrefixFraming.FACTORY;
        int maxFrameBeforeLogin = Protocol.MAX_FRAME_BEFORE_LOGIN;
        int socketReceiveBuffer;
        int socketSendBuffer;
        int goawayReconnectMillis = DEFAULT_GOAWAY_RECONNECT_MILLIS;
        int maxConnectionsPerAddress = DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
        int connectionsPerSecondPerAddress = DEFAULT_CONNECTIONS_PER_SECOND_PER_ADDRESS;
        int connectionBurstPerAddress = DEFAULT_CONNECTION_BURST_PER_ADDRESS;
        int trackedAddresses = DEFAULT_TRACKED_ADDRESSES;
        TlsConfig tls;
    }

    private NioServerConfig(final Values v) {
        if (v.name == null || v.name.isBlank()) {
            throw new IllegalArgumentException("name must be non-empty, was " + quote(v.name));
        }
        Objects.requireNonNull(v.writePolicy, "writePolicy");
        Objects.requireNonNull(v.framing, "framing");
        if (v.host == null || v.host.isBlank()) {
            throw new IllegalArgumentException("host must be a non-empty address, was " + quote(v.host));
        }
        check("port", v.port, 0, 65_535);
        check("maxConnections", v.maxConnections, 1, Integer.MAX_VALUE);
        if (v.loginTimeoutMillis < 0) {
            throw new IllegalArgumentException("loginTimeoutMillis must be >= 0 (0 disables it), was "
                + v.loginTimeoutMillis);
        }
        check("maxFrameBeforeLogin", v.maxFrameBeforeLogin, 1, Integer.MAX_VALUE);
        check("socketReceiveBuffer", v.socketReceiveBuffer, 0, Integer.MAX_VALUE);
        check("socketSendBuffer", v.socketSendBuffer, 0, Integer.MAX_VALUE);
        check("goawayReconnectMillis", v.goawayReconnectMillis, 0, Integer.MAX_VALUE);
        check("maxConnectionsPerAddress", v.maxConnectionsPerAddress, 0, Integer.MAX_VALUE);
        check("connectionsPerSecondPerAddress", v.connectionsPerSecondPerAddress, 0, 1_000_000_000);
        check("connectionBurstPerAddress", v.connectionBurstPerAddress, 0, 1_000_000_000);
        check("trackedAddresses", v.trackedAddresses, 1, AddressRateLimiter.MAX_CAPACITY);
        this.name = v.name;
        this.host = v.host;
        this.port = v.port;
        this.maxConnections = v.maxConnections;
        this.loginTimeoutMillis = v.loginTimeoutMillis;
        this.writePolicy = v.writePolicy;
        this.framing = v.framing;
        this.maxFrameBeforeLogin = v.maxFrameBeforeLogin;
        this.socketReceiveBuffer = v.socketReceiveBuffer;
        this.socketSendBuffer = v.socketSendBuffer;
        this.goawayReconnectMillis = v.goawayReconnectMillis;
        this.maxConnectionsPerAddress = v.maxConnectionsPerAddress;
        this.connectionsPerSecondPerAddress = v.connectionsPerSecondPerAddress;
        this.connectionBurstPerAddress = v.connectionBurstPerAddress;
        this.trackedAddresses = v.trackedAddresses;
        this.tls = v.tls;
    }

    private Values values() {
        final Values v = new Values();
        v.name = name;
        v.host = host;
        v.port = port;
        v.maxConnections = maxConnections;
        v.loginTimeoutMillis = loginTimeoutMillis;
        v.writePolicy = writePolicy;
        v.framing = framing;
        v.maxFrameBeforeLogin = maxFrameBeforeLogin;
        v.socketReceiveBuffer = socketReceiveBuffer;
        v.socketSendBuffer = socketSendBuffer;
        v.goawayReconnectMillis = goawayReconnectMillis;
        v.maxConnectionsPerAddress = maxConnectionsPerAddress;
        v.connectionsPerSecondPerAddress = connectionsPerSecondPerAddress;
        v.connectionBurstPerAddress = connectionBurstPerAddress;
        v.trackedAddresses = trackedAddresses;
        v.tls = tls;
        return v;
    }

    /** @return the default configuration (see the class comment for the values). */
    public static NioServerConfig defaults() {
        return DEFAULTS;
    }

    /**
     * @param host address to bind, e.g. {@code 0.0.0.0} or {@code 127.0.0.1}.
     * @return a copy with this host.
     */
    public NioServerConfig withHost(final String host) {
        final Values v = values();
        v.host = host;
        return new NioServerConfig(v);
    }

    /**
     * @param port port to bind, 0..65535; 0 picks a free ephemeral port.
     * @return a copy with this port.
     */
    public NioServerConfig withPort(final int port) {
        final Values v = values();
        v.port = port;
        return new NioServerConfig(v);
    }

    /**
     * @param maxConnections open connections accepted, at least 1.
     * @return a copy with this limit.
     */
    public NioServerConfig withMaxConnections(final int maxConnections) {
        final Values v = values();
        v.maxConnections = maxConnections;
        return new NioServerConfig(v);
    }

    /**
     * @param loginTimeoutMillis initial read timeout of each connection, &gt;= 0; 0 disables it.
     * @return a copy with this timeout.
     */
    public NioServerConfig withLoginTimeoutMillis(final long loginTimeoutMillis) {
        final Values v = values();
        v.loginTimeoutMillis = loginTimeoutMillis;
        return new NioServerConfig(v);
    }

    /**
     * Shorthand for {@code withWritePolicy(WritePolicy.closeAtHighWaterMark(outboundHighWaterMark))}.
     *
     * @param outboundHighWaterMark unsent bytes a connection may hold, at least 1.
     * @return a copy with this mark.
     */
    public NioServerConfig withOutboundHighWaterMark(final int outboundHighWaterMark) {
        check("outboundHighWaterMark", outboundHighWaterMark, 1, Integer.MAX_VALUE);
        return withWritePolicy(WritePolicy.closeAtHighWaterMark(outboundHighWaterMark));
    }

    /**
     * @param writePolicy what the listener's connections do when their unsent output grows.
     * @return a copy with this policy.
     */
    public NioServerConfig withWritePolicy(final WritePolicy writePolicy) {
        final Values v = values();
        v.writePolicy = writePolicy;
        return new NioServerConfig(v);
    }

    /**
     * @param framing makes the framing layer of each accepted connection.
     * @return a copy with this framing.
     */
    public NioServerConfig withFraming(final Framing.Factory framing) {
        final Values v = values();
        v.framing = framing;
        return new NioServerConfig(v);
    }

    /**
     * @param name the listener's name (counter label {@code listener}, log lines), non-empty.
     * @return a copy with this name.
     */
    public NioServerConfig withName(final String name) {
        final Values v = values();
        v.name = name;
        return new NioServerConfig(v);
    }

    /**
     * @param maxFrameBeforeLogin initial largest inbound frame (type + body), at least 1.
     * @return a copy with this limit.
     */
    public NioServerConfig withMaxFrameBeforeLogin(final int maxFrameBeforeLogin) {
        final Values v = values();
        v.maxFrameBeforeLogin = maxFrameBeforeLogin;
        return new NioServerConfig(v);
    }

    /**
     * @param socketReceiveBuffer SO_RCVBUF of accepted sockets in bytes; 0 keeps the OS default.
     * @return a copy with this size.
     */
    public NioServerConfig withSocketReceiveBuffer(final int socketReceiveBuffer) {
        final Values v = values();
        v.socketReceiveBuffer = socketReceiveBuffer;
        return new NioServerConfig(v);
    }

    /**
     * @param socketSendBuffer SO_SNDBUF of accepted sockets in bytes; 0 keeps the OS default.
     * @return a copy with this size.
     */
    public NioServerConfig withSocketSendBuffer(final int socketSendBuffer) {
        final Values v = values();
        v.socketSendBuffer = socketSendBuffer;
        return new NioServerConfig(v);
    }

    /**
     * @param goawayReconnectMillis reconnect delay advertised by the GOAWAY of {@link NioTransport#drain()}, &gt;= 0.
     * @return a copy with this delay.
     */
    public NioServerConfig withGoawayReconnectMillis(final int goawayReconnectMillis) {
        final Values v = values();
        v.goawayReconnectMillis = goawayReconnectMillis;
        return new NioServerConfig(v);
    }

    /**
     * @param maxConnectionsPerAddress open connections per source address, &gt;= 0; 0 disables the cap.
     * @return a copy with this cap.
     */
    public NioServerConfig withMaxConnectionsPerAddress(final int maxConnectionsPerAddress) {
        final Values v = values();
        v.maxConnectionsPerAddress = maxConnectionsPerAddress;
        return new NioServerConfig(v);
    }

    /**
     * @param connectionsPerSecondPerAddress sustained new connections per second per source address,
     *                                       0..1,000,000,000; 0 disables the rate limit.
     * @return a copy with this rate.
     */
    public NioServerConfig withConnectionsPerSecondPerAddress(final int connectionsPerSecondPerAddress) {
        final Values v = values();
        v.connectionsPerSecondPerAddress = connectionsPerSecondPerAddress;
        return new NioServerConfig(v);
    }

    /**
     * @param connectionBurstPerAddress new connections a source address may open at once,
     *                                  0..1,000,000,000; 0 disables the rate limit.
     * @return a copy with this burst.
     */
    public NioServerConfig withConnectionBurstPerAddress(final int connectionBurstPerAddress) {
        final Values v = values();
        v.connectionBurstPerAddress = connectionBurstPerAddress;
        return new NioServerConfig(v);
    }

    /**
     * @param trackedAddresses capacity of the connection rate table, 1..{@value AddressRateLimiter#MAX_CAPACITY}.
     * @return a copy with this capacity.
     */
    public NioServerConfig withTrackedAddresses(final int trackedAddresses) {
        final Values v = values();
        v.trackedAddresses = trackedAddresses;
        return new NioServerConfig(v);
    }

    /**
     * Turns every per-address limit off (cap and rate): for load generators and tests that open many
     * connections from one address.
     *
     * @return a copy without per-address limits.
     */
    public NioServerConfig withoutAddressLimits() {
        final Values v = values();
        v.maxConnectionsPerAddress = 0;
        v.connectionsPerSecondPerAddress = 0;
        return new NioServerConfig(v);
    }

    /**
     * @param tls the TLS settings of the port, or null for plaintext (the default).
     * @return a copy with this TLS setting.
     */
    public NioServerConfig withTls(final TlsConfig tls) {
        final Values v = values();
        v.tls = tls;
        return new NioServerConfig(v);
    }

    /** @return the address to bind. */
    public String host() {
        return host;
    }

    /** @return the port to bind; 0 for an ephemeral port. */
    public int port() {
        return port;
    }

    /** @return the configured connection limit (before the file-descriptor rule of {@link Listener#maxConnections()}). */
    public int maxConnections() {
        return maxConnections;
    }

    /** @return the initial read timeout of a connection in millis; 0 = none. */
    public long loginTimeoutMillis() {
        return loginTimeoutMillis;
    }

    /** @return the write policy's high-water mark. */
    public int outboundHighWaterMark() {
        return writePolicy.highWaterMark();
    }

    /** @return what the listener's connections do when their unsent output grows. */
    public WritePolicy writePolicy() {
        return writePolicy;
    }

    /** @return makes the framing layer of each accepted connection. */
    public Framing.Factory framing() {
        return framing;
    }

    /** @return the listener's name. */
    public String name() {
        return name;
    }

    /** @return the initial largest inbound frame of a connection. */
    public int maxFrameBeforeLogin() {
        return maxFrameBeforeLogin;
    }

    /** @return SO_RCVBUF of accepted sockets; 0 = OS default. */
    public int socketReceiveBuffer() {
        return socketReceiveBuffer;
    }

    /** @return SO_SNDBUF of accepted sockets; 0 = OS default. */
    public int socketSendBuffer() {
        return socketSendBuffer;
    }

    /** @return the reconnect delay sent in GOAWAY frames. */
    public int goawayReconnectMillis() {
        return goawayReconnectMillis;
    }

    /** @return open connections allowed per source address; 0 = no cap. */
    public int maxConnectionsPerAddress() {
        return maxConnectionsPerAddress;
    }

    /** @return sustained new connections per second per source address; 0 = no rate limit. */
    public int connectionsPerSecondPerAddress() {
        return connectionsPerSecondPerAddress;
    }

    /** @return new connections a source address may open at once; 0 = no rate limit. */
    public int connectionBurstPerAddress() {
        return connectionBurstPerAddress;
    }

    /** @return capacity of the per-address connection rate table. */
    public int trackedAddresses() {
        return trackedAddresses;
    }

    /** @return true if the per-address connection rate limit is on (rate and burst both &gt; 0). */
    public boolean limitsConnectionRatePerAddress() {
        return connectionsPerSecondPerAddress > 0 && connectionBurstPerAddress > 0;
    }

    /** @return the TLS settings, or null when the port is plaintext. */
    public TlsConfig tls() {
        return tls;
    }

    @Override
    public String toString() {
        return "NioServerConfig{name=" + name + ", host=" + host + ", port=" + port
            + ", maxConnections=" + maxConnections + ", loginTimeoutMillis=" + loginTimeoutMillis
            + ", writePolicy=" + writePolicy
            + ", maxFrameBeforeLogin=" + maxFrameBeforeLogin + ", socketReceiveBuffer=" + socketReceiveBuffer
            + ", socketSendBuffer=" + socketSendBuffer + ", goawayReconnectMillis=" + goawayReconnectMillis
            + ", maxConnectionsPerAddress=" + maxConnectionsPerAddress
            + ", connectionsPerSecondPerAddress=" + connectionsPerSecondPerAddress
            + ", connectionBurstPerAddress=" + connectionBurstPerAddress + ", trackedAddresses=" + trackedAddresses
            + ", tls=" + tls + '}';
    }

    private static void check(final String field, final int value, final int min, final int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be in [" + min + ", " + max + "], was " + value);
        }
    }

    private static String quote(final String s) {
        return s == null ? "null" : '"' + s + '"';
    }
}
