package io.iris.discovery.dns;

import io.iris.api.IrisConfig;
import io.iris.api.discovery.Discovery;
import io.iris.api.discovery.DiscoveryConfig;
import io.iris.api.discovery.DiscoveryProvider;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code discovery=dns}: members from the SRV records of {@code discovery.dns.name} (each target's
 * A/AAAA address, the record's port), or in {@code a} mode from the A/AAAA records of the name and the
 * fixed {@code discovery.dns.port}. DNS has no registration and no liveness of its own: whoever manages
 * the records (an orchestrator, a DNS server fed by health checks) decides who is listed. See
 * {@link DnsDiscovery} for how it runs.
 */
public final class DnsDiscoveryProvider implements DiscoveryProvider {
    /** The provider's name. */
    public static final String NAME = "dns";
    /** Required: the SRV name ({@code _iris._tcp.example.com}) or, in a mode, the host name. */
    public static final String KEY_NAME = "discovery.dns.name";
    /** {@code srv} (default) or {@code a}. */
    public static final String KEY_MODE = "discovery.dns.mode";
    /** The node-link port of every member; required in a mode, refused in srv mode. */
    public static final String KEY_PORT = "discovery.dns.port";
    /** Comma-separated DNS servers, {@code host[:port]}; default: the system's resolvers. */
    public static final String KEY_SERVERS = "discovery.dns.servers";
    /** Longest time between two resolutions, ms; default 30000 (a shorter record TTL, at least 1 s, wins). */
    public static final String KEY_INTERVAL = "discovery.dns.intervalMillis";
    /** Timeout of one query, ms; default 2000. */
    public static final String KEY_TIMEOUT = "discovery.dns.timeoutMillis";
    /** How long start-up waits for the first successful resolution, ms; default 10000. */
    public static final String KEY_START_TIMEOUT = "discovery.dns.startTimeoutMillis";
    /** Longest pause between retries after a failed resolution (the first is 100 ms, then doubling), ms; default 5000. */
    public static final String KEY_MAX_BACKOFF = "discovery.dns.maxBackoffMillis";

    static final Set<String> KEYS = Set.of(KEY_NAME, KEY_MODE, KEY_PORT, KEY_SERVERS, KEY_INTERVAL, KEY_TIMEOUT,
        KEY_START_TIMEOUT, KEY_MAX_BACKOFF);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Discovery create(final IrisConfig config) {
        return DnsDiscovery.start(settings(config));
    }

    /** How names are turned into members. */
    enum Mode { SRV, A }

    /** The validated configuration. */
    record Settings(Name name, Mode mode, int port, List<InetSocketAddress> servers, String serversText,
                    long intervalMillis, long timeoutMillis, long startTimeoutMillis, long maxBackoffMillis) {
    }

    static Settings settings(final IrisConfig config) {
        DiscoveryConfig.checkKeys(config, NAME, KEYS);
        DiscoveryConfig.self(config); // validated, not used: DNS has no registration
        final String nameText = config.requireString(KEY_NAME);
        final Name name;
        try {
            name = Name.fromString(nameText, Name.root);
        } catch (final TextParseException e) {
            throw new IllegalArgumentException("config key '" + KEY_NAME + "' = '" + nameText + "' is not a DNS name: "
                + e.getMessage(), e);
        }
        final String modeText = config.getString(KEY_MODE, "srv").toLowerCase(Locale.ROOT);
        final Mode mode;
        switch (modeText) {
            case "srv": mode = Mode.SRV; break;
            case "a": mode = Mode.A; break;
            default: throw new IllegalArgumentException("config key '" + KEY_MODE + "' = '" + modeText
                + "' is not srv or a");
        }
        final int port;
        if (mode == Mode.A) {
            if (!config.has(KEY_PORT)) {
                throw new IllegalArgumentException("config key '" + KEY_PORT + "' is required with "
                    + KEY_MODE + "=a (A records carry no port)");
            }
            port = config.getInt(KEY_PORT, 0, 1, 65535);
        } else {
            if (config.has(KEY_PORT)) {
                throw new IllegalArgumentException("config key '" + KEY_PORT + "' has no effect with " + KEY_MODE
                    + "=srv (the SRV records carry the ports): remove it");
            }
            port = 0;
        }
        final String serversText = config.getString(KEY_SERVERS, "");
        final List<InetSocketAddress> servers = new ArrayList<>();
        for (final String s : serversText.split(",")) {
            if (!s.isBlank()) {
                servers.add(server(s.trim()));
            }
        }
        return new Settings(name, mode, port, servers, serversText.isEmpty() ? "system resolvers" : serversText,
            config.getInt(KEY_INTERVAL, 30_000, 100, 86_400_000),
            config.getInt(KEY_TIMEOUT, 2000, 100, 60_000),
            config.getInt(KEY_START_TIMEOUT, 10_000, 0, 3_600_000),
            config.getInt(KEY_MAX_BACKOFF, 5000, 100, 600_000));
    }

    private static InetSocketAddress server(final String text) {
        final String host;
        int port = 53;
        try {
            if (text.startsWith("[")) {
                final int close = text.indexOf(']');
                host = text.substring(1, close);
                if (close + 1 < text.length()) {
                    port = Integer.parseInt(text.substring(close + 2));
                }
            } else if (text.indexOf(':') >= 0 && text.indexOf(':') == text.lastIndexOf(':')) {
                host = text.substring(0, text.indexOf(':'));
                port = Integer.parseInt(text.substring(text.indexOf(':') + 1));
            } else {
                host = text;
            }
        } catch (final RuntimeException e) {
            throw new IllegalArgumentException("config key '" + KEY_SERVERS + "': '" + text
                + "' is not host[:port] ([v6-address]:port)", e);
        }
        if (host.isEmpty() || port < 1 || port > 65535) {
            throw new IllegalArgumentException("config key '" + KEY_SERVERS + "': '" + text + "' is not host[:port]");
        }
        final InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("config key '" + KEY_SERVERS + "': cannot resolve '" + host + "'");
        }
        return address;
    }
}
