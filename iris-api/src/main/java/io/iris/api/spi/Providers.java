package io.iris.api.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * Finds a provider by name with {@link ServiceLoader}. A missing name, or a name claimed by two
 * providers, is a start-up error whose message lists every name found.
 */
public final class Providers {
    private Providers() {
    }

    /**
     * @param type   the provider interface.
     * @param name   the configured name.
     * @param loader the class loader to search.
     * @param <P>    the provider type.
     * @return the single provider with that name.
     * @throws IllegalStateException if none or more than one provider has that name.
     */
    public static <P extends NamedProvider<?>> P load(final Class<P> type, final String name, final ClassLoader loader) {
        final List<P> matches = new ArrayList<>();
        final TreeSet<String> found = new TreeSet<>();
        for (final P provider : ServiceLoader.load(type, loader)) {
            found.add(provider.name());
            if (provider.name().equals(name)) {
                matches.add(provider);
            }
        }
        if (matches.isEmpty()) {
            throw new IllegalStateException("no " + type.getSimpleName() + " named '" + name
                + "' on the class path; found: " + (found.isEmpty() ? "none" : String.join(", ", found)));
        }
        if (matches.size() > 1) {
            final List<String> classes = new ArrayList<>();
            matches.forEach(p -> classes.add(p.getClass().getName()));
            throw new IllegalStateException("ambiguous " + type.getSimpleName() + " name '" + name
                + "': provided by " + classes);
        }
        return matches.get(0);
    }

    /**
     * As {@link #load(Class, String, ClassLoader)} with the provider interface's class loader.
     *
     * @param type the provider interface.
     * @param name the configured name.
     * @param <P>  the provider type.
     * @return the single provider with that name.
     */
    public static <P extends NamedProvider<?>> P load(final Class<P> type, final String name) {
        return load(type, name, Thread.currentThread().getContextClassLoader() != null
            ? Thread.currentThread().getContextClassLoader() : type.getClassLoader());
    }
}
