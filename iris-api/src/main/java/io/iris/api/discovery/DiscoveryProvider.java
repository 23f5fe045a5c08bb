package io.iris.api.discovery;

import io.iris.api.spi.NamedProvider;

/**
 * Creates a {@link Discovery}; registered in
 * {@code META-INF/services/io.iris.api.discovery.DiscoveryProvider} and chosen by the
 * {@code discovery} configuration key. A provider reads {@code discovery.self} (see
 * {@link DiscoveryConfig}) and its own {@code discovery.<name>.*} keys, and refuses any other
 * {@code discovery.*} key through {@link DiscoveryConfig#checkKeys}.
 */
public interface DiscoveryProvider extends NamedProvider<Discovery> {
}
