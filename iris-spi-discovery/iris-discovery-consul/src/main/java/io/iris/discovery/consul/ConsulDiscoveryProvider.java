package io.iris.discovery.consul;

import io.iris.api.IrisConfig;
import io.iris.api.discovery.Discovery;
import io.iris.api.discovery.DiscoveryConfig;
import io.iris.api.discovery.DiscoveryProvider;
import io.iris.api.discovery.Member;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.Set;

/**
 * {@code discovery=consul}: members are the instances of {@code discovery.consul.service} whose health
 * checks pass, read from a Consul agent's HTTP API with blocking queries. This node
 * ({@code discovery.self}) registers as an instance with a TTL check it keeps passing, so a node that
 * dies turns critical after {@code discovery.consul.ttlMillis} and leaves the list. See
 * {@link ConsulDiscovery} for how it runs.
 */
public final class ConsulDiscoveryProvider implements DiscoveryProvider {
    /** The provider's name. */
    public static final String NAME = "consul";
    /** The local Consul agent's HTTP address; default {@value #DEFAULT_URL}. */
    public static final String KEY_URL = "discovery.consul.url";
    /** Required: the Consul service name the cluster's nodes register under and are read from. */
    public static final String KEY_SERVICE = "discovery.consul.service";
    /** ACL token sent as {@code X-Consul-Token}; default none. */
    public static final String KEY_TOKEN = "discovery.consul.token";
    /** TTL of this node's health check, ms (passed every third of it); default 10000. */
    public static final String KEY_TTL = "discovery.consul.ttlMillis";
    /** Longest wait of one blocking query, seconds (Consul caps it at 600); default 60. */
    public static final String KEY_WAIT = "discovery.consul.waitSeconds";
    /** Connect timeout, and the timeout of a request beyond its blocking wait, ms; default 5000. */
    public static final String KEY_TIMEOUT = "discovery.consul.timeoutMillis";
    /** How long start-up waits for the first member list (and registration), ms; default 10000. */
    public static final String KEY_START_TIMEOUT = "discovery.consul.startTimeoutMillis";
    /** Longest pause between retries while the agent is unreachable (the first is 100 ms, then doubling), ms; default 5000. */
    public static final String KEY_MAX_BACKOFF = "discovery.consul.maxBackoffMillis";

    static final String DEFAULT_URL = "http://127.0.0.1:8500";
    static final Set<String> KEYS = Set.of(KEY_URL, KEY_SERVICE, KEY_TOKEN, KEY_TTL, KEY_WAIT, KEY_TIMEOUT,
        KEY_START_TIMEOUT, KEY_MAX_BACKOFF);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Discovery create(final IrisConfig config) {
        return ConsulDiscovery.start(settings(config));
    }

    /** The validated configuration. */
    record Settings(URI url, String service, Optional<String> token, long ttlMillis, int waitSeconds,
                    long timeoutMillis, long startTimeoutMillis, long maxBackoffMillis, Optional<Member> self) {
    }

    static Settings settings(final IrisConfig config) {
        DiscoveryConfig.checkKeys(config, NAME, KEYS);
        final String urlText = config.getString(KEY_URL, DEFAULT_URL);
        final URI url;
        try {
            final URI parsed = new URI(urlText);
            if (!("http".equals(parsed.getScheme()) || "https".equals(parsed.getScheme())) || parsed.getHost() == null) {
                throw new URISyntaxException(urlText, "not http(s)://host:port");
            }
            url = new URI(parsed.getScheme(), null, parsed.getHost(), parsed.getPort(), "/", null, null);
        } catch (final URISyntaxException e) {
            throw new IllegalArgumentException("config key '" + KEY_URL + "' = '" + urlText
                + "' is not an http(s)://host:port URL", e);
        }
        final String service = config.requireString(KEY_SERVICE);
        if (!service.matches("[A-Za-z0-9][A-Za-z0-9-]*")) {
            throw new IllegalArgumentException("config key '" + KEY_SERVICE + "' = '" + service
                + "' is not a Consul service name (letters, digits, dashes)");
        }
        final String token = config.getString(KEY_TOKEN, "");
        if (token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new IllegalArgumentException("config key '" + KEY_TOKEN + "' holds a character not allowed in"
                + " an HTTP header");
        }
        return new Settings(url, service, token.isEmpty() ? Optional.empty() : Optional.of(token),
            config.getInt(KEY_TTL, 10_000, 1000, 3_600_000),
            config.getInt(KEY_WAIT, 60, 1, 600),
            config.getInt(KEY_TIMEOUT, 5000, 100, 600_000),
            config.getInt(KEY_START_TIMEOUT, 10_000, 0, 3_600_000),
            config.getInt(KEY_MAX_BACKOFF, 5000, 100, 600_000),
            DiscoveryConfig.self(config));
    }
}
