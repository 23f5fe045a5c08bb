package io.iris.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Immutable string key/value configuration with typed getters that fail fast with a message naming
 * the key and the bad value. Every key the engine reads is listed in
 * {@code examples/src/main/resources/iris.properties} with its default and meaning.
 *
 * <p>Providers receive the same object and read their own keys (by convention prefixed with their
 * area and name, e.g. {@code storage.chronicle.dir}).
 */
public final class IrisConfig {
    private static final IrisConfig EMPTY = new IrisConfig(Map.of());

    private final Map<String, String> values;

    private IrisConfig(final Map<String, String> values) {
        this.values = values;
    }

    /** @return a configuration with no keys: every getter returns its default. */
    public static IrisConfig empty() {
        return EMPTY;
    }

    /**
     * @param values keys and values; copied. A null value means the key is not set (as from
     *               {@code System.getenv} for a missing variable), so a required key then fails at start-up
     *               naming the key, instead of a {@link NullPointerException}.
     * @return a configuration holding a copy of {@code values}, values trimmed.
     */
    public static IrisConfig of(final Map<String, String> values) {
        final Map<String, String> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (v != null) {
                copy.put(Objects.requireNonNull(k, "key"), v.trim());
            }
        });
        return new IrisConfig(Collections.unmodifiableMap(copy));
    }

    /**
     * @param key   the key to set.
     * @param value its value; null removes the key (see {@link #of}).
     * @return a copy of this configuration with {@code key} set to {@code value}.
     */
    public IrisConfig with(final String key, final String value) {
        Objects.requireNonNull(key, "key");
        final Map<String, String> copy = new LinkedHashMap<>(values);
        if (value == null) {
            copy.remove(key);
        } else {
            copy.put(key, value);
        }
        return of(copy);
    }

    /** @return every key and value, unmodifiable. */
    public Map<String, String> asMap() {
        return values;
    }

    /**
     * @param key the key.
     * @return true when the key is set.
     */
    public boolean has(final String key) {
        return values.containsKey(key);
    }

    /**
     * @param key          the key.
     * @param defaultValue returned when the key is not set.
     * @return the value or the default.
     */
    public String getString(final String key, final String defaultValue) {
        return values.getOrDefault(key, defaultValue);
    }

    /**
     * @param key the key.
     * @return the value.
     * @throws IllegalArgumentException if the key is not set or empty.
     */
    public String requireString(final String key) {
        final String v = values.get(key);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("config key '" + key + "' is required but not set");
        }
        return v;
    }

    /**
     * @param key          the key.
     * @param defaultValue returned when the key is not set.
     * @return the value as a long; accepts the suffixes k, m, g (×1024) for sizes.
     * @throws IllegalArgumentException if the value is not a number.
     */
    public long getLong(final String key, final long defaultValue) {
        final String v = values.get(key);
        if (v == null || v.isEmpty()) {
            return defaultValue;
        }
        final String s = v.toLowerCase(Locale.ROOT).replace("_", "");
        long multiplier = 1;
        String digits = s;
        if (s.endsWith("k") || s.endsWith("m") || s.endsWith("g")) {
            multiplier = s.endsWith("k") ? 1024L : s.endsWith("m") ? 1024L * 1024 : 1024L * 1024 * 1024;
            digits = s.substring(0, s.length() - 1);
        }
        try {
            return Math.multiplyExact(Long.parseLong(digits), multiplier);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("config key '" + key + "' = '" + v + "' is not a number", e);
        }
    }

    /**
     * @param key          the key.
     * @param defaultValue returned when the key is not set.
     * @param min          smallest accepted value.
     * @param max          largest accepted value.
     * @return the value as an int.
     * @throws IllegalArgumentException if not a number or outside [min, max].
     */
    public int getInt(final String key, final int defaultValue, final int min, final int max) {
        final long v = getLong(key, defaultValue);
        if (v < min || v > max) {
            throw new IllegalArgumentException(
                "config key '" + key + "' = " + v + " is outside [" + min + ", " + max + "]");
        }
        return (int) v;
    }

    /**
     * @param key          the key.
     * @param defaultValue returned when the key is not set.
     * @return the value as a boolean ("true" or "false", any case).
     * @throws IllegalArgumentException for anything else.
     */
    public boolean getBoolean(final String key, final boolean defaultValue) {
        final String v = values.get(key);
        if (v == null || v.isEmpty()) {
            return defaultValue;
        }
        if ("true".equalsIgnoreCase(v)) {
            return true;
        }
        if ("false".equalsIgnoreCase(v)) {
            return false;
        }
        throw new IllegalArgumentException("config key '" + key + "' = '" + v + "' is not true or false");
    }

    @Override
    public String toString() {
        return "IrisConfig" + values.keySet();
    }
}
