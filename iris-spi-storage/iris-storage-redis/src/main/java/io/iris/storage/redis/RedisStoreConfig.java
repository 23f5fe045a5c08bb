package io.iris.storage.redis;

import io.iris.api.IrisConfig;
import io.iris.api.storage.StorageProvider;
import io.lettuce.core.RedisURI;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The settings of a {@link RedisInboxStore}, read from the engine configuration and validated up
 * front so a typo fails at start-up with the key's name. Every key is documented in
 * {@code docs/storage.md}. Immutable.
 */
public final class RedisStoreConfig {
    /** {@code redis://host:port[/db]} (also {@code rediss://}) or {@code redis-cluster://host:port,host:port}. */
    public static final String URI = "storage.redis.uri";
    /** First part of every key; must not contain braces. */
    public static final String KEY_PREFIX = "storage.redis.keyPrefix";
    /** Connect timeout, command timeout and the most a sync waits for Redis's replies, ms. */
    public static final String TIMEOUT_MILLIS = "storage.redis.timeoutMillis";
    /** Connections (lanes) per link; a user's operations always use the same one. */
    public static final String CONNECTIONS = "storage.redis.connections";
    /** Replicas that must acknowledge the writes of a sync ({@code WAIT}); 0 = do not wait. */
    public static final String WAIT_REPLICAS = "storage.redis.waitReplicas";
    /** The {@code WAIT} timeout, ms. */
    public static final String WAIT_TIMEOUT_MILLIS = "storage.redis.waitTimeoutMillis";
    /** Consecutive failed operations that open the circuit breaker (a lost connection opens it at once). */
    public static final String BREAKER_FAILURES = "storage.redis.breaker.failureThreshold";
    /** How long the open breaker refuses operations before one probe reconnects, ms. */
    public static final String BREAKER_OPEN_MILLIS = "storage.redis.breaker.openMillis";
    /** The most appends that may wait for a sync; beyond, appends are refused. */
    public static final String MAX_PENDING_APPENDS = "storage.redis.maxPendingAppends";
    /** Users whose last seq is remembered locally to pipeline their appends. */
    public static final String LOCAL_USERS = "storage.redis.localUsers";
    /** Recent dedup keys remembered locally, so retries are answered without a round trip. */
    public static final String LOCAL_DEDUP_KEYS = "storage.redis.localDedupKeys";

    /** Default of {@link #URI}. */
    public static final String DEFAULT_URI = "redis://127.0.0.1:6379";

    private static final String CLUSTER_SCHEME = "redis-cluster://";
    private static final String TLS_CLUSTER_SCHEME = "rediss-cluster://";

    private final String uri;
    private final boolean cluster;
    private final List<RedisURI> redisUris;
    private final String keyPrefix;
    private final long timeoutMillis;
    private final int connections;
    private final int waitReplicas;
    private final long waitTimeoutMillis;
    private final int breakerFailures;
    private final long breakerOpenMillis;
    private final int maxPendingAppends;
    private final int localUsers;
    private final int localDedupKeys;
    private final int dedupWindow;
    private final long retentionSeconds;

    private RedisStoreConfig(final IrisConfig c) {
        this.uri = c.getString(URI, DEFAULT_URI).trim();
        this.cluster = uri.startsWith(CLUSTER_SCHEME) || uri.startsWith(TLS_CLUSTER_SCHEME);
        this.redisUris = parse(uri, cluster);
        this.keyPrefix = c.getString(KEY_PREFIX, "iris");
        if (keyPrefix.isEmpty() || keyPrefix.indexOf('{') >= 0 || keyPrefix.indexOf('}') >= 0) {
            throw new IllegalArgumentException("config key '" + KEY_PREFIX + "' = '" + keyPrefix
                + "' must be non-empty and contain no '{' or '}' (they delimit the user's hash tag)");
        }
        this.timeoutMillis = c.getInt(TIMEOUT_MILLIS, 2000, 10, 600_000);
        this.connections = c.getInt(CONNECTIONS, 1, 1, 64);
        this.waitReplicas = c.getInt(WAIT_REPLICAS, 0, 0, 100);
        this.waitTimeoutMillis = c.getInt(WAIT_TIMEOUT_MILLIS, 1000, 1, 600_000);
        this.breakerFailures = c.getInt(BREAKER_FAILURES, 3, 1, 1_000_000);
        this.breakerOpenMillis = c.getInt(BREAKER_OPEN_MILLIS, 500, 1, 600_000);
        this.maxPendingAppends = c.getInt(MAX_PENDING_APPENDS, 65_536, 1, 1 << 24);
        this.localUsers = c.getInt(LOCAL_USERS, 65_536, 64, 1 << 24);
        this.localDedupKeys = c.getInt(LOCAL_DEDUP_KEYS, 65_536, 64, 1 << 24);
        this.dedupWindow = c.getInt(StorageProvider.DEDUP_WINDOW, StorageProvider.DEFAULT_DEDUP_WINDOW, 1, 1 << 26);
        this.retentionSeconds = c.getLong(StorageProvider.RETENTION_SECONDS, StorageProvider.DEFAULT_RETENTION_SECONDS);
        if (retentionSeconds < 0 || retentionSeconds > Long.MAX_VALUE / 1000) {
            throw new IllegalArgumentException("config key '" + StorageProvider.RETENTION_SECONDS + "' = "
                + retentionSeconds + " must be 0 (no retention) or a positive number of seconds");
        }
    }

    /**
     * @param config the engine configuration.
     * @return the validated settings.
     * @throws IllegalArgumentException naming the key of a bad value.
     */
    public static RedisStoreConfig from(final IrisConfig config) {
        return new RedisStoreConfig(config);
    }

    private static List<RedisURI> parse(final String uri, final boolean cluster) {
        try {
            if (!cluster) {
                return List.of(RedisURI.create(uri));
            }
            final boolean tls = uri.startsWith(TLS_CLUSTER_SCHEME);
            String rest = uri.substring(tls ? TLS_CLUSTER_SCHEME.length() : CLUSTER_SCHEME.length());
            String credentials = "";
            final int at = rest.lastIndexOf('@');
            if (at >= 0) {
                credentials = rest.substring(0, at + 1);
                rest = rest.substring(at + 1);
            }
            final List<RedisURI> seeds = new ArrayList<>();
            for (final String hostPort : rest.split(",")) {
                final String h = hostPort.trim();
                if (h.isEmpty() || h.contains("/")) {
                    throw new IllegalArgumentException("bad seed '" + h + "' (want host:port; no database in cluster mode)");
                }
                seeds.add(RedisURI.create((tls ? "rediss://" : "redis://") + credentials + h));
            }
            return List.copyOf(seeds);
        } catch (final RuntimeException e) {
            throw new IllegalArgumentException("config key '" + URI + "' = '" + redact(uri)
                + "' is not a Redis URI (redis://host:port, rediss://host:port or redis-cluster://host:port,host:port): "
                + e.getMessage(), e);
        }
    }

    /**
     * @param uri a URI that may hold a password.
     * @return the URI with any password replaced by {@code ***}.
     */
    static String redact(final String uri) {
        final int scheme = uri.indexOf("://");
        final int at = uri.lastIndexOf('@');
        if (scheme < 0 || at < scheme) {
            return uri;
        }
        return uri.substring(0, scheme + 3) + "***" + uri.substring(at);
    }

    /** @return the URI as configured, without its password. */
    public String uri() {
        return redact(uri);
    }

    /** @return true for a Redis Cluster ({@code redis-cluster://}). */
    public boolean cluster() {
        return cluster;
    }

    /** @return the server (standalone) or the seed nodes (cluster). */
    public List<RedisURI> redisUris() {
        return redisUris;
    }

    /** @return the first part of every key. */
    public String keyPrefix() {
        return keyPrefix;
    }

    /** @return connect and command timeout, ms. */
    public long timeoutMillis() {
        return timeoutMillis;
    }

    /** @return connections (lanes) per link. */
    public int connections() {
        return connections;
    }

    /** @return replicas a sync waits for; 0 = none. */
    public int waitReplicas() {
        return waitReplicas;
    }

    /** @return the WAIT timeout, ms. */
    public long waitTimeoutMillis() {
        return waitTimeoutMillis;
    }

    /** @return consecutive failures that open the breaker. */
    public int breakerFailures() {
        return breakerFailures;
    }

    /** @return how long the breaker stays open before a probe, ms. */
    public long breakerOpenMillis() {
        return breakerOpenMillis;
    }

    /** @return the most appends awaiting a sync. */
    public int maxPendingAppends() {
        return maxPendingAppends;
    }

    /** @return users whose last seq is cached locally. */
    public int localUsers() {
        return localUsers;
    }

    /** @return dedup keys cached locally. */
    public int localDedupKeys() {
        return localDedupKeys;
    }

    /** @return dedup keys kept in Redis per inbox: the most recent appends of the inbox. */
    public int dedupWindow() {
        return dedupWindow;
    }

    /** @return the retention, seconds; 0 = none. */
    public long retentionSeconds() {
        return retentionSeconds;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT,
            "redis{uri=%s, prefix=%s, timeout=%dms, waitReplicas=%d, dedupWindow=%d, retention=%ds}",
            uri(), keyPrefix, timeoutMillis, waitReplicas, dedupWindow, retentionSeconds);
    }
}
