/**
 * How providers are found: each SPI has a provider interface extending
 * {@link io.iris.api.spi.NamedProvider}, implementations are listed in
 * {@code META-INF/services}, and {@link io.iris.api.spi.Providers} picks one by the name given in
 * configuration.
 */
package io.iris.api.spi;
