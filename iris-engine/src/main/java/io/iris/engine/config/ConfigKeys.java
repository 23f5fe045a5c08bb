package io.iris.engine.config;

import io.iris.engine.auth.JwtAuthenticator;
import io.iris.engine.auth.JwtAuthenticatorProvider;
import io.iris.engine.auth.TokenRevocations;
import io.iris.protocol.Protocol;
import io.iris.transport.NioServerConfig;
import io.iris.transport.limit.AddressRateLimiter;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry of every configuration key the engine accepts: each declared once, with its default, bounds and a
 * one-line description. {@code EngineSettings} parses its keys through these declarations, {@code KnownKeys}
 * recognises exactly these names, and tests hold the reference server's {@code iris.properties} and the key table
 * of {@code docs/operations.md} against them, so a default cannot drift between code and documents.
 *
 * <p>Defaults the transport or the auth code own are referenced, not repeated: the per-address limits and the
 * outbound high-water mark come from {@link NioServerConfig}'s constants, the JWT defaults from
 * {@link JwtAuthenticator}. Some keys are read by other components with these defaults: the {@code flow.*} keys by
 * {@code FlowSettings} (a test asserts its defaults equal these), {@code auth.jwt.*} by
 * {@link JwtAuthenticatorProvider}, {@code dedup.window} and {@code storage.retentionSeconds} by storage providers.
 * A provider's own keys ({@code storage.<name>.*}, {@code discovery.*}) are not listed: each provider checks its own.
 */
public final class ConfigKeys {
    private static final List<ConfigKey> ALL = new ArrayList<>();

    // ---- network (the transport) ----
    /** Address to bind: loopback unless configured otherwise. */
    public static final ConfigKey SERVER_HOST = text("server.host", "127.0.0.1",
        "address to bind; 0.0.0.0 = all interfaces");
    public static final ConfigKey SERVER_PORT = integer("server.port", 7700, 0, 65535,
        "TCP port for clients; 0 = any free port");
    public static final ConfigKey SERVER_IO_THREADS = integer("server.ioThreads", 1, 1, 64,
        "selector (I/O) threads");
    public static final ConfigKey SERVER_MAX_CONNECTIONS = integer("server.maxConnections", 10_000, 1, 1_000_000,
        "most concurrent client connections (also capped at the open-file limit - 64)");

    // ---- TLS ----
    public static final ConfigKey TLS_ENABLED = text("tls.enabled", "false",
        "true: the client port speaks TLS 1.3/1.2 only");
    public static final ConfigKey TLS_CERT_FILE = text("tls.certFile", "", "PEM certificate chain, leaf first");
    public static final ConfigKey TLS_KEY_FILE = text("tls.keyFile", "", "PEM private key of the leaf certificate");
    public static final ConfigKey TLS_CLIENT_AUTH = text("tls.clientAuth", "none",
        "client certificates: none, want or need");
    public static final ConfigKey TLS_TRUST_FILE = text("tls.trustFile", "",
        "PEM CA certificates client certificates must chain to");

    // ---- engine ----
    public static final ConfigKey ENGINE_SHARDS = integer("engine.shards", 2, 1, 256, "shard threads");
    public static final ConfigKey ENGINE_QUEUE_BYTES = integer("engine.queueBytes", 8 * 1024 * 1024, 64 * 1024,
        1 << 30, "bytes of each shard's command queue (a power of two)");
    public static final ConfigKey ENGINE_MAX_BATCH = integer("engine.maxBatch", 1024, 1, 1 << 20,
        "most sends made durable by one storage sync (group commit)");
    public static final ConfigKey ENGINE_USER_CACHE_SIZE = integer("engine.userCacheSize", 65_536, 1, 1 << 24,
        "user ids each shard keeps interned; when full the shard's cache is emptied");

    // ---- providers ----
    public static final ConfigKey STORAGE = text("storage", "memory", "storage provider name");
    public static final ConfigKey AUTH = text("auth", JwtAuthenticatorProvider.NAME, "authenticator provider name");

    // ---- authentication (auth=jwt) ----
    public static final ConfigKey AUTH_JWT_SECRET = text(JwtAuthenticatorProvider.KEY_SECRET, "",
        "HS256 secret: at least 32 bytes of UTF-8, or base64: followed by the bytes");
    public static final ConfigKey AUTH_JWT_SECRET_KID = text(JwtAuthenticatorProvider.KEY_SECRET_KID, "",
        "kid of the HMAC secret; required with public keys");
    public static final ConfigKey AUTH_JWT_PUBLIC_KEYS = text(JwtAuthenticatorProvider.KEY_PUBLIC_KEYS, "",
        "PEM public keys: kid=path entries, or one bare path");
    public static final ConfigKey AUTH_JWT_ISSUER = text(JwtAuthenticatorProvider.KEY_ISSUER, "",
        "required 'iss' claim, if set");
    public static final ConfigKey AUTH_JWT_AUDIENCE = text(JwtAuthenticatorProvider.KEY_AUDIENCE, "",
        "required 'aud' claim, if set");
    public static final ConfigKey AUTH_JWT_LEEWAY_SECONDS = integer(JwtAuthenticatorProvider.KEY_LEEWAY_SECONDS,
        (int) JwtAuthenticator.DEFAULT_LEEWAY.toSeconds(), 0, (int) JwtAuthenticator.MAX_LEEWAY.toSeconds(),
        "clock skew tolerated on exp/nbf/iat, seconds");
    public static final ConfigKey AUTH_JWT_MAX_LIFETIME_SECONDS = integer(
        JwtAuthenticatorProvider.KEY_MAX_LIFETIME_SECONDS, (int) JwtAuthenticator.DEFAULT_MAX_LIFETIME.toSeconds(),
        (int) JwtAuthenticator.MIN_MAX_LIFETIME.toSeconds(), 10 * 365 * 86_400,
        "longest a token may still be valid for, seconds");
    public static final ConfigKey AUTH_JWT_REVOKED_FILE = text("auth.jwt.revokedFile", "",
        "revoked token ids file; empty = none");
    public static final ConfigKey AUTH_JWT_REVOKED_FILE_POLL_MILLIS = integer("auth.jwt.revokedFilePollMillis",
        2_000, 100, 3_600_000, "how often the revocation file is checked for changes, ms");
    public static final ConfigKey AUTH_JWT_MAX_REVOCATIONS = integer("auth.jwt.maxRevocations",
        TokenRevocations.DEFAULT_MAX_ENTRIES, 1, 100_000_000, "most unexpired revocations held in memory");

    // ---- limits ----
    public static final ConfigKey LIMITS_MAX_PAYLOAD = integer("limits.maxPayload", Protocol.DEFAULT_MAX_PAYLOAD, 1,
        16 * 1024 * 1024, "largest message payload, bytes");
    public static final ConfigKey LIMITS_RATE_PER_SECOND = integer("limits.rate.perSecond", 100, 1, 1_000_000_000,
        "per-user sustained sends per second");
    public static final ConfigKey LIMITS_RATE_BURST = integer("limits.rate.burst", 500, 1, 1_000_000_000,
        "sends a user may make at once");
    public static final ConfigKey LIMITS_IP_MAX_CONNECTIONS = integer("limits.ip.maxConnections",
        NioServerConfig.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, 0, 1_000_000,
        "open connections per source address; 0 = no limit");
    public static final ConfigKey LIMITS_IP_CONNECTIONS_PER_SECOND = integer("limits.ip.connectionsPerSecond",
        NioServerConfig.DEFAULT_CONNECTIONS_PER_SECOND_PER_ADDRESS, 0, 1_000_000,
        "sustained new connections per second per source address; 0 = no limit");
    public static final ConfigKey LIMITS_IP_CONNECTION_BURST = integer("limits.ip.connectionBurst",
        NioServerConfig.DEFAULT_CONNECTION_BURST_PER_ADDRESS, 0, 1_000_000,
        "new connections a source address may open at once; 0 = no limit");
    public static final ConfigKey LIMITS_LOGIN_FAILURES_PER_MINUTE = integer("limits.login.failuresPerMinute", 30, 0,
        1_000_000, "sustained failed logins per minute per source address; 0 = no limit");
    public static final ConfigKey LIMITS_LOGIN_FAILURE_BURST = integer("limits.login.failureBurst", 60, 0, 1_000_000,
        "failed logins a source address may make at once; 0 = no limit");
    public static final ConfigKey LIMITS_IP_TRACKED_ADDRESSES = integer("limits.ip.trackedAddresses",
        NioServerConfig.DEFAULT_TRACKED_ADDRESSES, 1, AddressRateLimiter.MAX_CAPACITY,
        "addresses each per-address rate table tracks at once");

    // ---- flow control (parsed by FlowSettings) ----
    public static final ConfigKey FLOW_HIGH_WATER_FRACTION = text("flow.highWaterFraction", "0.75",
        "a SEND to a shard queue filled above this fraction is refused at once; in (0, 1)");
    public static final ConfigKey FLOW_SAMPLE_INTERVAL_MILLIS = integer("flow.sampleIntervalMillis", 25, 1, 60_000,
        "how often the overload signals are sampled, ms");
    public static final ConfigKey FLOW_DWELL_MILLIS = integer("flow.dwellMillis", 2_000, 0, 3_600_000,
        "how long every signal stays below its exit threshold before the level steps down, ms");
    public static final ConfigKey FLOW_SLOW_SHED_ONE_IN = integer("flow.slow.shedOneIn", 4, 1, 1_000_000,
        "at SLOW, one SEND in this many is refused");
    public static final ConfigKey FLOW_SLOW_RETRY_AFTER_MILLIS = integer("flow.slow.retryAfterMillis", 50, 1,
        3_600_000, "retry-after sent with OVERLOADED at SLOW, ms");
    public static final ConfigKey FLOW_SHED_RETRY_AFTER_MILLIS = integer("flow.shed.retryAfterMillis", 250, 1,
        3_600_000, "retry-after sent with OVERLOADED at SHED, ms");
    public static final ConfigKey FLOW_CRITICAL_RETRY_AFTER_MILLIS = integer("flow.critical.retryAfterMillis", 1_000,
        1, 3_600_000, "retry-after sent with OVERLOADED at CRITICAL, ms");
    public static final ConfigKey FLOW_OUTBOUND_BUDGET_BYTES = whole("flow.outbound.budgetBytes", "256m",
        "unsent bytes over all connections the outbound signal is a fraction of");
    public static final ConfigKey FLOW_QUEUE_ENTER = text("flow.queue.enter", "0.25,0.5,0.7",
        "shard queue fill entering SLOW,SHED,CRITICAL");
    public static final ConfigKey FLOW_QUEUE_EXIT = text("flow.queue.exit", "0.1,0.35,0.6",
        "shard queue fill leaving SLOW,SHED,CRITICAL");
    public static final ConfigKey FLOW_COMMIT_LATENCY_ENTER = text("flow.commitLatencyMillis.enter", "100,500,2000",
        "sustained group-commit latency entering SLOW,SHED,CRITICAL, ms");
    public static final ConfigKey FLOW_COMMIT_LATENCY_EXIT = text("flow.commitLatencyMillis.exit", "50,250,1000",
        "sustained group-commit latency leaving SLOW,SHED,CRITICAL, ms");
    public static final ConfigKey FLOW_HEAP_ENTER = text("flow.heap.enter", "0.85,0.92,0.97",
        "heap after GC entering SLOW,SHED,CRITICAL, fraction of the max heap");
    public static final ConfigKey FLOW_HEAP_EXIT = text("flow.heap.exit", "0.75,0.88,0.94",
        "heap after GC leaving SLOW,SHED,CRITICAL, fraction of the max heap");
    public static final ConfigKey FLOW_OUTBOUND_ENTER = text("flow.outbound.enter", "0.25,0.5,0.75",
        "outbound backlog entering SLOW,SHED,CRITICAL, fraction of flow.outbound.budgetBytes");
    public static final ConfigKey FLOW_OUTBOUND_EXIT = text("flow.outbound.exit", "0.15,0.4,0.65",
        "outbound backlog leaving SLOW,SHED,CRITICAL, fraction of flow.outbound.budgetBytes");
    public static final ConfigKey STORAGE_RETRY_AFTER_MILLIS = whole("storage.retryAfterMillis", "1000",
        "retry-after sent with STORAGE_UNAVAILABLE, ms");

    // ---- sessions and delivery ----
    public static final ConfigKey SESSION_LOGIN_TIMEOUT_MILLIS = whole("session.loginTimeoutMillis", "10000",
        "time a new connection has to send LOGIN, ms");
    public static final ConfigKey SESSION_HEARTBEAT_MILLIS = integer("session.heartbeatMillis", 30_000, 100,
        3_600_000, "client PING interval; three without any frame close the connection, ms");
    public static final ConfigKey DELIVERY_WINDOW = integer("delivery.window", 256, 1, 1 << 20,
        "unacknowledged deliveries in flight per device");
    public static final ConfigKey DELIVERY_WINDOW_BYTES = integer("delivery.windowBytes", 1024 * 1024, 1, 1 << 30,
        "unacknowledged delivery bytes in flight per device");
    public static final ConfigKey DELIVERY_OUTBOUND_HIGH_WATER_MARK = integer("delivery.outboundHighWaterMark",
        NioServerConfig.DEFAULT_OUTBOUND_HIGH_WATER_MARK, 4096, 1 << 30,
        "unsent bytes per connection before it is closed as a slow consumer");
    public static final ConfigKey DELIVERY_STALL_TIMEOUT_MILLIS = integer("delivery.stallTimeoutMillis", 60_000, 0,
        86_400_000, "how long a device may sit at a full window without acknowledging; 0 = never, ms");

    // ---- storage (read by every provider, docs/spi.md) ----
    public static final ConfigKey DEDUP_WINDOW = whole("dedup.window", "262144",
        "recent (sender, clientMsgId) keys the storage remembers so a retried send is stored once");
    public static final ConfigKey STORAGE_RETENTION_SECONDS = whole("storage.retentionSeconds", "2592000",
        "seconds after which an unacknowledged message is dropped; 0 = never");

    // ---- shutdown ----
    public static final ConfigKey SHUTDOWN_DRAIN_TIMEOUT_MILLIS = whole("shutdown.drainTimeoutMillis", "5000",
        "graceful shutdown budget, ms");

    // ---- admin HTTP server (iris-admin: metrics, health, readiness; docs/operations.md "Metrics") ----
    /** Admin address: loopback unless configured otherwise. */
    public static final ConfigKey ADMIN_HOST = text("admin.host", "127.0.0.1",
        "address the admin HTTP server binds; keep it loopback or private");
    public static final ConfigKey ADMIN_PORT = integer("admin.port", -1, -1, 65535,
        "admin HTTP port (/metrics, /health, /ready); -1 = no admin server, 0 = any free port");
    public static final ConfigKey ADMIN_TOKEN = text("admin.token", "",
        "bearer token every admin request must carry; empty = none (then `/admin/*` answers 403)");
    public static final ConfigKey ADMIN_TLS_ENABLED = text("admin.tls.enabled", "false",
        "true: the admin port speaks HTTPS with the client port's certificate (tls.certFile, tls.keyFile)");

    private static final Map<String, ConfigKey> BY_NAME = byName();

    private ConfigKeys() {
    }

    /** @return every key, in declaration order (the order of the documentation). */
    public static List<ConfigKey> all() {
        return Collections.unmodifiableList(ALL);
    }

    /**
     * @param name a key.
     * @return its declaration, or null when the engine does not know it.
     */
    public static ConfigKey named(final String name) {
        return BY_NAME.get(name);
    }

    private static ConfigKey integer(final String name, final int defaultValue, final int min, final int max,
                                     final String doc) {
        return register(ConfigKey.ofInt(name, defaultValue, min, max, doc));
    }

    private static ConfigKey whole(final String name, final String defaultValue, final String doc) {
        return register(ConfigKey.ofLong(name, defaultValue, doc));
    }

    private static ConfigKey text(final String name, final String defaultValue, final String doc) {
        return register(ConfigKey.ofText(name, defaultValue, doc));
    }

    private static ConfigKey register(final ConfigKey key) {
        ALL.add(key);
        return key;
    }

    private static Map<String, ConfigKey> byName() {
        final Map<String, ConfigKey> map = new LinkedHashMap<>();
        for (final ConfigKey key : ALL) {
            if (map.put(key.name(), key) != null) {
                throw new IllegalStateException("config key declared twice: " + key.name());
            }
        }
        return Collections.unmodifiableMap(map);
    }
}
