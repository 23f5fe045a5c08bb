package io.iris.discovery.etcd;

import io.iris.api.IrisConfig;
import io.iris.api.discovery.Discovery;
import io.iris.api.discovery.DiscoveryConfig;
import io.iris.api.discovery.DiscoveryProvider;
import io.iris.api.discovery.Member;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code discovery=etcd}: members are the keys under {@code discovery.etcd.prefix}; this node
 * ({@code discovery.self}) registers itself there with a lease it keeps alive, so a member that dies
 * disappears when its lease expires ({@code discovery.etcd.leaseTtlSeconds}). Reads every key and
 * default; see {@link EtcdDiscovery} for how it runs.
 */
public final class EtcdDiscoveryProvider implements DiscoveryProvider {
    /** The provider's name. */
    public static final String NAME = "etcd";
    /** Comma-separated etcd client URLs (http or https); default {@value #DEFAULT_ENDPOINTS}. */
    public static final String KEY_ENDPOINTS = "discovery.etcd.endpoints";
    /** Key prefix of the members; default {@value #DEFAULT_PREFIX}. Must end with '/'. */
    public static final String KEY_PREFIX = "discovery.etcd.prefix";
    /** Lease TTL of this node's registration, seconds, 2..3600; default 10. */
    public static final String KEY_LEASE_TTL = "discovery.etcd.leaseTtlSeconds";
    /** Timeout of one request (and connect), ms; default 5000. */
    public static final String KEY_TIMEOUT = "discovery.etcd.timeoutMillis";
    /** How long start-up waits for the first member list (and registration), ms; default 10000. */
    public static final String KEY_START_TIMEOUT = "discovery.etcd.startTimeoutMillis";
    /** Longest pause between retries while etcd is unreachable (the first is 100 ms, then doubling), ms; default 5000. */
    public static final String KEY_MAX_BACKOFF = "discovery.etcd.maxBackoffMillis";

    static final String DEFAULT_ENDPOINTS = "http://127.0.0.1:2379";
    static final String DEFAULT_PREFIX = "/iris/members/";

    /** Every key this provider reads. */
    static final Set<String> KEYS = Set.of(KEY_ENDPOINTS, KEY_PREFIX, KEY_LEASE_TTL, KEY_TIMEOUT, KEY_START_TIMEOUT,
        KEY_MAX_BACKOFF);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Discovery create(final IrisConfig config) {
        return EtcdDiscovery.start(settings(config));
    }

    /** The validated configuration. */
    record Settings(List<URI> endpoints, String endpointsText, String prefix, int leaseTtlSeconds,
                    Duration timeout, long startTimeoutMillis, long maxBackoffMillis, Optional<Member> self) {
    }

    static Settings settings(final IrisConfig config) {
        DiscoveryConfig.checkKeys(config, NAME, KEYS);
        final String endpointsText = config.getString(KEY_ENDPOINTS, DEFAULT_ENDPOINTS);
        final List<URI> endpoints = new ArrayList<>();
        for (final String e : endpointsText.split(",")) {
            if (e.isBlank()) {
                continue;
            }
            try {
                final URI uri = new URI(e.trim());
                if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                    || (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/"))) {
                    throw new URISyntaxException(e, "not http(s)://host:port");
                }
                endpoints.add(new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), "/", null, null));
            } catch (final URISyntaxException bad) {
                throw new IllegalArgumentException("config key '" + KEY_ENDPOINTS + "': '" + e.trim()
                    + "' is not an http(s)://host:port URL", bad);
            }
        }
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("config key '" + KEY_ENDPOINTS + "' lists no endpoint");
        }
        final String prefix = config.getString(KEY_PREFIX, DEFAULT_PREFIX);
        if (prefix.isEmpty() || !prefix.endsWith("/")) {
            throw new IllegalArgumentException("config key '" + KEY_PREFIX + "' = '" + prefix
                + "' must be non-empty and end with '/'");
        }
        return new Settings(endpoints, endpointsText, prefix,
            config.getInt(KEY_LEASE_TTL, 10, 2, 3600),
            Duration.ofMillis(config.getInt(KEY_TIMEOUT, 5000, 100, 600_000)),
            config.getInt(KEY_START_TIMEOUT, 10_000, 0, 3_600_000),
            config.getInt(KEY_MAX_BACKOFF, 5000, 100, 600_000),
            DiscoveryConfig.self(config));
    }
}
