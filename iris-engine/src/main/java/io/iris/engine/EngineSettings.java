package io.iris.engine;

import io.iris.api.IrisConfig;
import io.iris.engine.config.ConfigKeys;
import io.iris.engine.flow.FlowSettings;
import io.iris.protocol.Protocol;
import io.iris.transport.tls.TlsConfig;

import java.nio.file.Path;

/**
 * The engine's settings, parsed from the configuration through the key registry {@link ConfigKeys} (where
 * each key's default and allowed range are declared, once). (Providers read their own keys, e.g.
 * {@code dedup.window} for the storage dedup window.) {@link KnownKeys} accepts the registry's keys; the
 * reference server's {@code iris.properties} documents each of them for operators.
 *
 * @param host                  {@code server.host}: address to bind; default loopback ({@link ConfigKeys#SERVER_HOST}: an
 *                              engine is reachable from other machines only when configured so).
 * @param port                  {@code server.port}: TCP port, 0 for any free port.
 * @param ioThreads             {@code server.ioThreads}: selector threads.
 * @param maxConnections        {@code server.maxConnections}: connection limit (also capped below the fd limit).
 * @param shards                {@code engine.shards}: shard agent threads.
 * @param queueBytes            {@code engine.queueBytes}: each shard's command queue, a power of two.
 * @param maxBatch              {@code engine.maxBatch}: most sends per group commit.
 * @param storage               {@code storage}: storage provider name.
 * @param auth                  {@code auth}: authenticator provider name.
 * @param maxPayload            {@code limits.maxPayload}: largest message payload in bytes.
 * @param ratePerSecond         {@code limits.rate.perSecond}: sustained sends per second per user.
 * @param rateBurst             {@code limits.rate.burst}: sends a user may make at once.
 * @param flow                  every {@code flow.*} key: overload levels, thresholds, retry-after per level.
 * @param storageRetryMillis    {@code storage.retryAfterMillis}: retry-after with STORAGE_UNAVAILABLE.
 * @param loginTimeoutMillis    {@code session.loginTimeoutMillis}: time allowed before LOGIN.
 * @param heartbeatMillis       {@code session.heartbeatMillis}: client PING interval; 3× without a frame closes.
 * @param deliveryWindow        {@code delivery.window}: unacknowledged deliveries in flight per device.
 * @param deliveryWindowBytes   {@code delivery.windowBytes}: unacknowledged delivery bytes in flight per device.
 * @param outboundHighWaterMark {@code delivery.outboundHighWaterMark}: unsent bytes per connection before it is closed as a slow consumer.
 * @param deliveryStallTimeoutMillis {@code delivery.stallTimeoutMillis}: how long a device may sit at a full
 *                              window without acknowledging before it is closed as a slow consumer; 0 = never.
 * @param drainTimeoutMillis    {@code shutdown.drainTimeoutMillis}: graceful shutdown budget.
 * @param maxRevocations        {@code auth.jwt.maxRevocations}: most revoked token ids kept at once.
 * @param revokedFile           {@code auth.jwt.revokedFile}: the revocation list file, or empty for none.
 * @param revokedFilePollMillis {@code auth.jwt.revokedFilePollMillis}: how often that file is checked for changes.
 * @param addressLimits         {@code limits.ip.*} and {@code limits.login.*}: per-source-address limits.
 * @param tls                   the {@code tls.*} keys.
 * @param userCacheSize         {@code engine.userCacheSize}: user ids each shard keeps interned; reaching it
 *                              empties the shard's cache (bounds the heap a sender spraying new recipient ids costs).
 */
public record EngineSettings(String host, int port, int ioThreads, int maxConnections, int shards, int queueBytes,
                             int maxBatch, String storage, String auth, int maxPayload, int ratePerSecond,
                             int rateBurst, FlowSettings flow, long storageRetryMillis,
                             long loginTimeoutMillis, int heartbeatMillis, int deliveryWindow,
                             int deliveryWindowBytes, int outboundHighWaterMark, long deliveryStallTimeoutMillis,
                             long drainTimeoutMillis,
                             int maxRevocations, String revokedFile, long revokedFilePollMillis,
                             AddressLimits addressLimits, Tls tls, int userCacheSize) {
    /**
     * Limits per source address (an IPv4 address or an IPv6 /64); 0 disables each.
     *
     * @param maxConnections       {@code limits.ip.maxConnections}: open connections per address.
     * @param connectionsPerSecond {@code limits.ip.connectionsPerSecond}: sustained new connections per second per address.
     * @param connectionBurst      {@code limits.ip.connectionBurst}: new connections an address may open at once.
     * @param failuresPerMinute    {@code limits.login.failuresPerMinute}: sustained failed logins per minute per address.
     * @param failureBurst         {@code limits.login.failureBurst}: failed logins an address may make at once.
     * @param trackedAddresses     {@code limits.ip.trackedAddresses}: capacity of each per-address rate table.
     */
    public record AddressLimits(int maxConnections, int connectionsPerSecond, int connectionBurst,
                                int failuresPerMinute, int failureBurst, int trackedAddresses) {
        static AddressLimits from(final IrisConfig c) {
            return new AddressLimits(
                ConfigKeys.LIMITS_IP_MAX_CONNECTIONS.getInt(c),
                ConfigKeys.LIMITS_IP_CONNECTIONS_PER_SECOND.getInt(c),
                ConfigKeys.LIMITS_IP_CONNECTION_BURST.getInt(c),
                ConfigKeys.LIMITS_LOGIN_FAILURES_PER_MINUTE.getInt(c),
                ConfigKeys.LIMITS_LOGIN_FAILURE_BURST.getInt(c),
                ConfigKeys.LIMITS_IP_TRACKED_ADDRESSES.getInt(c));
        }
    }

    /**
     * The TLS keys of the client port.
     *
     * @param enabled    {@code tls.enabled}: the port speaks TLS 1.3/1.2 only (default false).
     * @param certFile   {@code tls.certFile}: PEM certificate chain, leaf first.
     * @param keyFile    {@code tls.keyFile}: PEM private key of the leaf (PKCS#8, PKCS#1 RSA or SEC1 EC).
     * @param clientAuth {@code tls.clientAuth}: none (default), want or need.
     * @param trustFile  {@code tls.trustFile}: PEM CA certificates client certificates must chain to.
     */
    public record Tls(boolean enabled, String certFile, String keyFile, TlsConfig.ClientAuth clientAuth,
                      String trustFile) {
        /**
         * Reads the files and builds the transport's TLS configuration.
         *
         * @return the configuration, or null when TLS is disabled.
         * @throws IllegalArgumentException naming the config key, if a file is missing, unreadable or mismatched.
         */
        public TlsConfig toTlsConfig() {
            if (!enabled) {
                return null;
            }
            if (certFile.isEmpty() || keyFile.isEmpty()) {
                throw new IllegalArgumentException("config keys 'tls.certFile' and 'tls.keyFile' are required when"
                    + " tls.enabled=true (the reference server generates development certificates when both are empty)");
            }
            if (clientAuth != TlsConfig.ClientAuth.NONE && trustFile.isEmpty()) {
                throw new IllegalArgumentException("config key 'tls.trustFile' is required with tls.clientAuth="
                    + clientAuth.name().toLowerCase(java.util.Locale.ROOT));
            }
            try {
                return TlsConfig.builder().certificateChain(Path.of(certFile)).privateKey(Path.of(keyFile))
                    .clientAuth(clientAuth).trustedCertificates(trustFile.isEmpty() ? null : Path.of(trustFile)).build();
            } catch (final IllegalArgumentException e) {
                throw new IllegalArgumentException("TLS configuration (tls.certFile=" + certFile + ", tls.keyFile="
                    + keyFile + (trustFile.isEmpty() ? "" : ", tls.trustFile=" + trustFile) + "): " + e.getMessage(), e);
            }
        }

        static Tls from(final IrisConfig c) {
            final String enabled = ConfigKeys.TLS_ENABLED.getString(c);
            if (!enabled.equals("true") && !enabled.equals("false")) {
                throw new IllegalArgumentException("config key 'tls.enabled' = '" + enabled + "' is not true or false");
            }
            final TlsConfig.ClientAuth auth;
            try {
                auth = TlsConfig.ClientAuth.parse(ConfigKeys.TLS_CLIENT_AUTH.getString(c));
            } catch (final IllegalArgumentException e) {
                throw new IllegalArgumentException("config key 'tls.clientAuth': " + e.getMessage(), e);
            }
            return new Tls(Boolean.parseBoolean(enabled), ConfigKeys.TLS_CERT_FILE.getString(c),
                ConfigKeys.TLS_KEY_FILE.getString(c), auth, ConfigKeys.TLS_TRUST_FILE.getString(c));
        }
    }

    /**
     * @param c the configuration.
     * @return the settings, defaults filled in.
     * @throws IllegalArgumentException naming the key, for any bad value.
     */
    public static EngineSettings from(final IrisConfig c) {
        final int queueBytes = ConfigKeys.ENGINE_QUEUE_BYTES.getInt(c);
        if (Integer.bitCount(queueBytes) != 1) {
            throw new IllegalArgumentException("config key 'engine.queueBytes' = " + queueBytes + " is not a power of two");
        }
        final int maxPayload = ConfigKeys.LIMITS_MAX_PAYLOAD.getInt(c);
        final int outboundHighWater = ConfigKeys.DELIVERY_OUTBOUND_HIGH_WATER_MARK.getInt(c);
        final int windowBytes = ConfigKeys.DELIVERY_WINDOW_BYTES.getInt(c);
        final int maxFrame = Protocol.maxFrameAfterLogin(maxPayload) + Protocol.HEADER;
        if ((long) windowBytes + maxFrame > outboundHighWater) {
            throw new IllegalArgumentException("config key 'delivery.outboundHighWaterMark' = " + outboundHighWater
                + " must hold delivery.windowBytes (" + windowBytes + ") plus one maximal frame (" + maxFrame
                + " bytes for limits.maxPayload=" + maxPayload + "), so that deliveries alone never close a reader"
                + " that keeps acknowledging");
        }
        return new EngineSettings(
            ConfigKeys.SERVER_HOST.getString(c),
            ConfigKeys.SERVER_PORT.getInt(c),
            ConfigKeys.SERVER_IO_THREADS.getInt(c),
            ConfigKeys.SERVER_MAX_CONNECTIONS.getInt(c),
            ConfigKeys.ENGINE_SHARDS.getInt(c),
            queueBytes,
            ConfigKeys.ENGINE_MAX_BATCH.getInt(c),
            ConfigKeys.STORAGE.getString(c),
            ConfigKeys.AUTH.getString(c),
            maxPayload,
            ConfigKeys.LIMITS_RATE_PER_SECOND.getInt(c),
            ConfigKeys.LIMITS_RATE_BURST.getInt(c),
            FlowSettings.from(c),
            ConfigKeys.STORAGE_RETRY_AFTER_MILLIS.getLong(c),
            ConfigKeys.SESSION_LOGIN_TIMEOUT_MILLIS.getLong(c),
            ConfigKeys.SESSION_HEARTBEAT_MILLIS.getInt(c),
            ConfigKeys.DELIVERY_WINDOW.getInt(c),
            windowBytes,
            outboundHighWater,
            ConfigKeys.DELIVERY_STALL_TIMEOUT_MILLIS.getInt(c),
            ConfigKeys.SHUTDOWN_DRAIN_TIMEOUT_MILLIS.getLong(c),
            ConfigKeys.AUTH_JWT_MAX_REVOCATIONS.getInt(c),
            ConfigKeys.AUTH_JWT_REVOKED_FILE.getString(c),
            ConfigKeys.AUTH_JWT_REVOKED_FILE_POLL_MILLIS.getInt(c),
            AddressLimits.from(c),
            Tls.from(c),
            ConfigKeys.ENGINE_USER_CACHE_SIZE.getInt(c));
    }
}
