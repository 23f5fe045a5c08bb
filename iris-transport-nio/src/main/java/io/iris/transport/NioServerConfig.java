package io.iris.transport;

import io.iris.transport.limit.AddressRateLimiter;
import io.iris.protocol.Protocol;
import io.iris.transport.tls.TlsConfig;

/**
 * Immutable settings of a {@link NioServer}. Start from {@link #defaults()} and derive copies with the
 * {@code withX} methods; every constructor and wither validates its value and fails fast with an
 * {@link IllegalArgumentException} that names the field and the bad value, so a server can never be
 * built from an inconsistent configuration.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>field</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>host</td><td>127.0.0.1</td><td>address to bind: loopback unless configured otherwise</td></tr>
 *   <tr><td>port</td><td>0</td><td>port to bind; 0 picks a free ephemeral port (see {@link NioServer#port()})</td></tr>
 *   <tr><td>ioThreads</td><td>1</td><td>selector threads, 1..256 (the thread index is stored in the low 8 bits of
 *       connection ids)</td></tr>
 *   <tr><td>maxConnections</td><td>10,000</td><td>open connections accepted; further ones get
 *       {@code ERROR SERVER_FULL}. Lowered at runtime to the process file-descriptor limit minus 64</td></tr>
 *   <tr><td>loginTimeoutMillis</td><td>10,000</td><td>initial read timeout of a connection (fires
 *       {@code LOGIN_TIMEOUT}); 0 disables it</td></tr>
 *   <tr><td>outboundHighWaterMark</td><td>4 MiB</td><td>unsent bytes a connection may hold; past it the
 *       connection is closed with {@code SLOW_CONSUMER}</td></tr>
 *   <tr><td>commandQueueBytes</td><td>8 MiB</td><td>capacity of each I/O thread's cross-thread command
 *       queue; a power of two, at least 4 KiB. The largest single {@link NioServer#offer} is an eighth of it</td></tr>
 *   <tr><td>maxFrameBeforeLogin</td><td>{@link Protocol#MAX_FRAME_BEFORE_LOGIN}</td><td>initial
 *       {@link Connection#maxInboundFrame()}</td></tr>
 *   <tr><td>socketReceiveBuffer, socketSendBuffer</td><td>0</td><td>SO_RCVBUF / SO_SNDBUF of accepted sockets;
 *       0 keeps the OS default</td></tr>
 *   <tr><td>goawayReconnectMillis</td><td>1,000</td><td>{@code reconnectAfterMillis} of the GOAWAY sent by
 *       {@link NioServer#drain()}</td></tr>
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
    /** Default command queue capacity per I/O thread: 8 MiB. */
    public static final int DEFAULT_COMMAND_QUEUE_BYTES = 8 * 1024 * 1024;
    /** Default outbound high-water mark per connection: 4 MiB. */
    public static final int DEFAULT_OUTBOUND_HIGH_WATER_MARK = 4 * 1024 * 1024;
    /** Smallest accepted command queue capacity. */
    public static final int MIN_COMMAND_QUEUE_BYTES = 4096;
    /** Most I/O threads: the thread index lives in the low 8 bits of a connection id. */
    public static final int MAX_IO_THREADS = 256;
    /** Default open connections per source address. */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 1000;
    /** Default new connections per second per source address. */
    public static final int DEFAULT_CONNECTIONS_PER_SECOND_PER_ADDRESS = 100;
    /** Default burst of new connections per source address. */
    public static final int DEFAULT_CONNECTION_BURST_PER_ADDRESS = 200;
    /** Default capacity of the per-address connection rate table. */
    public static final int DEFAULT_TRACKED_ADDRESSES = 65_536;

    private static final NioServerConfig DEFAULTS = new NioServerConfig(new Values());

    private final String host;
    private final int port;
    private final int ioThreads;
    private final int maxConnections;
    private final long loginTimeoutMillis;
    private final int outboundHighWaterMark;
    private final int commandQueueBytes;
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
        String host = "127.0.0.1";
        int port;
        int ioThreads = 1;
        int maxConnections = 10_000;
        long loginTimeoutMillis = 10_000L;
        int outboundHighWaterMark = DEFAULT_OUTBOUND_HIGH_WATER_MARK;
        int commandQueueBytes = DEFAULT_COMMAND_QUEUE_BYTES;
        int maxFrameBeforeLogin = Protocol.MAX_FRAME_BEFORE_LOGIN;
        int socketReceiveBuffer;
        int socketSendBuffer;
        int goawayReconnectMillis = 1000;
        int maxConnectionsPerAddress = DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
        int connectionsPerSecondPerAddress = DEFAULT_CONNECTIONS_PER_SECOND_PER_ADDRESS;
        int connectionBurstPerAddress = DEFAULT_CONNECTION_BURST_PER_ADDRESS;
        int trackedAddresses = DEFAULT_TRACKED_ADDRESSES;
        TlsConfig tls;
    }

    private NioServerConfig(final Values v) {
        if (v.host == null || v.host.isBlank()) {
            throw new IllegalArgumentException("host must be a non-empty address, was " + quote(v.host));
        }
        check("port", v.port, 0, 65_535);
        check("ioThreads", v.ioThreads, 1, MAX_IO_THREADS);
        check("maxConnections", v.maxConnections, 1, Integer.MAX_VALUE);
        if (v.loginTimeoutMillis < 0) {
            throw new IllegalArgumentException("loginTimeoutMillis must be >= 0 (0 disables it), was "
                + v.loginTimeoutMillis);
        }
        check("outboundHighWaterMark", v.outboundHighWaterMark, 1, Integer.MAX_VALUE);
        if (v.commandQueueBytes < MIN_COMMAND_QUEUE_BYTES || Integer.bitCount(v.commandQueueBytes) != 1) {
            throw new IllegalArgumentException("commandQueueBytes must be a power of two >= "
                + MIN_COMMAND_QUEUE_BYTES + ", was " + v.commandQueueBytes);
        }
        check("maxFrameBeforeLogin", v.maxFrameBeforeLogin, 1, Integer.MAX_VALUE);
        check("socketReceiveBuffer", v.socketReceiveBuffer, 0, Integer.MAX_VALUE);
        check("socketSendBuffer", v.socketSendBuffer, 0, Integer.MAX_VALUE);
        check("goawayReconnectMillis", v.goawayReconnectMillis, 0, Integer.MAX_VALUE);
        check("maxConnectionsPerAddress", v.maxConnectionsPerAddress, 0, Integer.MAX_VALUE);
        check("connectionsPerSecondPerAddress", v.connectionsPerSecondPerAddress, 0, 1_000_000_000);
        check("connectionBurstPerAddress", v.connectionBurstPerAddress, 0, 1_000_000_000);
        check("trackedAddresses", v.trackedAddresses, 1, AddressRateLimiter.MAX_CAPACITY);
        this.host = v.host;
        this.port = v.port;
        this.ioThreads = v.ioThreads;
        this.maxConnections = v.maxConnections;
        this.loginTimeoutMillis = v.loginTimeoutMillis;
        this.outboundHighWaterMark = v.outboundHighWaterMark;
        this.commandQueueBytes = v.commandQueueBytes;
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
        v.host = host;
        v.port = port;
        v.ioThreads = ioThreads;
        v.maxConnections = maxConnections;
        v.loginTimeoutMillis = loginTimeoutMillis;
        v.outboundHighWaterMark = outboundHighWaterMark;
        v.commandQueueBytes = commandQueueBytes;
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
     * @param ioThreads number of selector threads, 1..{@value #MAX_IO_THREADS}.
     * @return a copy with this thread count.
     */
    public NioServerConfig withIoThreads(final int ioThreads) {
        final Values v = values();
        v.ioThreads = ioThreads;
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
     * @param outboundHighWaterMark unsent bytes a connection may hold, at least 1.
     * @return a copy with this mark.
     */
    public NioServerConfig withOutboundHighWaterMark(final int outboundHighWaterMark) {
        final Values v = values();
        v.outboundHighWaterMark = outboundHighWaterMark;
        return new NioServerConfig(v);
    }

    /**
     * @param commandQueueBytes capacity of each I/O thread's command queue: a power of two, at least
     *                          {@value #MIN_COMMAND_QUEUE_BYTES}.
     * @return a copy with this capacity.
     */
    public NioServerConfig withCommandQueueBytes(final int commandQueueBytes) {
        final Values v = values();
        v.commandQueueBytes = commandQueueBytes;
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
     * @param goawayReconnectMillis reconnect delay advertised by the GOAWAY of {@link NioServer#drain()}, &gt;= 0.
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

    /** @return the number of I/O threads. */
    public int ioThreads() {
        return ioThreads;
    }

    /** @return the configured connection limit (before the file-descriptor rule of {@link NioServer#maxConnections()}). */
    public int maxConnections() {
        return maxConnections;
    }

    /** @return the initial read timeout of a connection in millis; 0 = none. */
    public long loginTimeoutMillis() {
        return loginTimeoutMillis;
    }

    /** @return the largest amount of unsent bytes a connection may hold. */
    public int outboundHighWaterMark() {
        return outboundHighWaterMark;
    }

    /** @return the capacity in bytes of each I/O thread's command queue. */
    public int commandQueueBytes() {
        return commandQueueBytes;
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
        return "NioServerConfig{host=" + host + ", port=" + port + ", ioThreads=" + ioThreads
            + ", maxConnections=" + maxConnections + ", loginTimeoutMillis=" + loginTimeoutMillis
            + ", outboundHighWaterMark=" + outboundHighWaterMark + ", commandQueueBytes=" + commandQueueBytes
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
