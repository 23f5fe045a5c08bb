/**
 * The discovery SPI: which nodes form the cluster, and when that changes. Providers (static, DNS,
 * Consul) live in the {@code iris-spi-discovery} modules.
 */
package io.iris.api.discovery;
