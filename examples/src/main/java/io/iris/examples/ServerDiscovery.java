package io.iris.examples;

import io.iris.api.IrisConfig;
import io.iris.api.counters.IrisCounters;
import io.iris.api.discovery.Discovery;
import io.iris.api.discovery.DiscoveryConfig;
import io.iris.api.discovery.DiscoveryProvider;
import io.iris.api.spi.Providers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * The reference server's use of the discovery SPI until the cluster consumes it: with
 * {@code discovery=<name>} set, the provider is found by name (ServiceLoader), opened (which registers
 * {@code discovery.self} where the provider supports it), and the membership it sees is logged at INFO,
 * once at start and on every change. Without the key there is no discovery (single node).
 */
final class ServerDiscovery {
    private static final Logger LOG = LoggerFactory.getLogger(ServerDiscovery.class);

    private ServerDiscovery() {
    }

    /**
     * As {@link #open(IrisConfig)}, with the discovery metrics kept in {@code counters} ({@link DiscoveryCounters}).
     *
     * @param config   the server configuration.
     * @param counters the instance's registry.
     * @return the open discovery, or null when {@code discovery} is empty.
     */
    static Discovery open(final IrisConfig config, final IrisCounters counters) {
        final Discovery discovery = open(config);
        if (discovery == null) {
            return null;
        }
        try {
            return new DiscoveryCounters(discovery, counters);
        } catch (final RuntimeException e) {
            discovery.close();
            throw e;
        }
    }

    /**
     * @param config the server configuration.
     * @return the open discovery, or null when {@code discovery} is empty.
     * @throws IllegalArgumentException for bad discovery keys (naming the key).
     * @throws IllegalStateException if no provider has that name, or its source does not answer in time.
     */
    static Discovery open(final IrisConfig config) {
        final String name = config.getString(DiscoveryConfig.KEY, "");
        if (name.isEmpty()) {
            for (final String key : config.asMap().keySet()) {
                if (key.startsWith(DiscoveryConfig.KEY + ".")) {
                    throw new IllegalArgumentException("config key '" + key + "' is set but '" + DiscoveryConfig.KEY
                        + "' is not: choose a provider (static, dns, consul, etcd) or remove it");
                }
            }
            return null;
        }
        final Discovery discovery = Providers.load(DiscoveryProvider.class, name).create(config);
        discovery.subscribe(members -> LOG.info("discovery={}: {} member(s): {}", name, members.size(),
            members));
        return discovery;
    }
}
