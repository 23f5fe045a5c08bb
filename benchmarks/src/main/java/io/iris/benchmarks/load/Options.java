package io.iris.benchmarks.load;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Command-line options of the load generator: {@code --name=value} pairs. A name that contains a dot
 * (or is {@code storage} / {@code auth}) is a server configuration key and is passed to the server
 * unchanged (for example {@code --engine.shards=1 --storage=memory}); any other name is the
 * generator's own option. Every option read is remembered, so a report can list the values in force.
 */
final class Options {
    private final Map<String, String> own = new LinkedHashMap<>();
    private final Map<String, String> server = new LinkedHashMap<>();
    private final Map<String, String> used = new LinkedHashMap<>();

    Options(final List<String> args) {
        for (final String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("expected --name=value, got '" + arg + "'");
            }
            final String name = arg.substring(2, arg.indexOf('='));
            final String value = arg.substring(arg.indexOf('=') + 1);
            if (name.contains(".") || name.equals("storage") || name.equals("auth")) {
                server.put(name, value);
            } else {
                own.put(name, value);
            }
        }
    }

    String string(final String name, final String defaultValue) {
        final String v = own.getOrDefault(name, defaultValue);
        used.put(name, v);
        return v;
    }

    int integer(final String name, final int defaultValue) {
        return (int) longValue(name, defaultValue);
    }

    long longValue(final String name, final long defaultValue) {
        final String v = string(name, Long.toString(defaultValue)).replace("_", "");
        try {
            return Long.parseLong(v);
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer, was '" + v + "'");
        }
    }

    double decimal(final String name, final double defaultValue) {
        final String v = string(name, Double.toString(defaultValue));
        try {
            return Double.parseDouble(v);
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, was '" + v + "'");
        }
    }

    boolean bool(final String name, final boolean defaultValue) {
        final String v = string(name, Boolean.toString(defaultValue));
        if (v.equals("true")) {
            return true;
        }
        if (v.equals("false")) {
            return false;
        }
        throw new IllegalArgumentException("--" + name + " must be true or false, was '" + v + "'");
    }

    /** @return server configuration keys given on the command line. */
    Map<String, String> serverKeys() {
        return server;
    }

    /** @return the generator options read so far, with the values in force. */
    Map<String, String> used() {
        return used;
    }

    /** Fails on an option nobody read (a typo would otherwise be silently ignored). */
    void checkAllUsed() {
        final List<String> unknown = new ArrayList<>();
        for (final String name : own.keySet()) {
            if (!used.containsKey(name)) {
                unknown.add("--" + name);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s): " + String.join(", ", unknown));
        }
    }
}
