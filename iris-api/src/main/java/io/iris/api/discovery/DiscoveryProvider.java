package io.iris.api.discovery;

import io.iris.api.spi.NamedProvider;

/**
 * Creates a {@link Discovery}; registered in
 * {@code META-INF/services/io.iris.api.discovery.DiscoveryProvider} and chosen by the
 * {@code discovery} configuration key.
 */
public interface DiscoveryProvider extends NamedProvider<Discovery> {
}
