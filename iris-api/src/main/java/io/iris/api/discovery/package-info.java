/**
 * The discovery SPI: which nodes form the cluster, and when that changes. Providers (static, DNS,
 * Consul, etcd) live in the {@code iris-spi-discovery} modules; {@link io.iris.api.discovery.Membership}
 * is the list-keeping they share, {@link io.iris.api.discovery.SourceDiscovery} the frame of a provider
 * whose threads read a source, {@link io.iris.api.discovery.DiscoveryConfig} their common keys.
 */
package io.iris.api.discovery;
