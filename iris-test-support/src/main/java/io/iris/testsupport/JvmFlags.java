package io.iris.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * The JVM flags every Iris JVM needs on Java 17+ (Agrona's and Chronicle Queue's {@code --add-exports} /
 * {@code --add-opens}, Chronicle's opt-outs), as the parent pom's {@code iris.jvm.flags} states them: the build
 * filters that property into {@code jvm-flags.properties} next to this class, so every launcher that reads it
 * here (the tests' child JVMs, the load generator's servers) passes exactly the pom's set. The server jar's
 * manifest carries the same module flags from {@code iris.manifest.add-exports} / {@code iris.manifest.add-opens};
 * {@link #manifestAddExports()} and {@link #manifestAddOpens()} expose them so a test can hold the two against
 * each other.
 */
public final class JvmFlags {
    private static final String RESOURCE = "jvm-flags.properties";
    private static final Properties PROPERTIES = load();

    private JvmFlags() {
    }

    /** @return the pom's {@code iris.jvm.flags} as one line, as written there. */
    public static String line() {
        return property("iris.jvm.flags");
    }

    /** @return every flag, one command-line argument each ({@code --add-exports}, its value, ..., {@code -Dk=v}). */
    public static List<String> all() {
        return List.of(line().split("\\s+"));
    }

    /**
     * @return the module flags only ({@code --add-exports} / {@code --add-opens} and their values): what
     *         {@code java -jar iris-server.jar} gets from the jar's manifest, without any {@code -D} property.
     */
    public static List<String> moduleFlags() {
        final List<String> all = all();
        final List<String> module = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).startsWith("--add-") && i + 1 < all.size()) {
                module.add(all.get(i));
                module.add(all.get(++i));
            }
        }
        return module;
    }

    /** @return the manifest's {@code Add-Exports} value (space-separated {@code module/package}). */
    public static List<String> manifestAddExports() {
        return Arrays.asList(property("iris.manifest.add-exports").split("\\s+"));
    }

    /** @return the manifest's {@code Add-Opens} value (space-separated {@code module/package}). */
    public static List<String> manifestAddOpens() {
        return Arrays.asList(property("iris.manifest.add-opens").split("\\s+"));
    }

    private static String property(final String key) {
        final String value = PROPERTIES.getProperty(key, "").trim();
        if (value.isEmpty() || value.startsWith("${")) {
            throw new IllegalStateException(key + " missing from " + RESOURCE + " (was the resource filtered?)");
        }
        return value;
    }

    private static Properties load() {
        final Properties p = new Properties();
        try (InputStream in = JvmFlags.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " not on the class path");
            }
            p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
