package io.iris.api.spi;

import io.iris.api.IrisConfig;

/**
 * A provider of an SPI implementation, registered in {@code META-INF/services/<provider interface>}
 * and chosen by {@link #name()} from configuration (e.g. {@code storage=memory}).
 *
 * @param <T> what the provider creates.
 */
public interface NamedProvider<T> {
    /** @return the short, lower-case name users write in configuration; unique per SPI. */
    String name();

    /**
     * Creates a configured instance. Called once at engine start-up.
     *
     * @param config the whole engine configuration; the provider reads its own keys.
     * @return a ready instance.
     * @throws IllegalArgumentException for bad or missing configuration, with a message naming the key.
     */
    T create(IrisConfig config);
}
