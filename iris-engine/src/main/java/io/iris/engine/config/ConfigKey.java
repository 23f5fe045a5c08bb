package io.iris.engine.config;

import io.iris.api.IrisConfig;

import java.util.Map;
import java.util.Objects;

/**
 * One configuration key the engine accepts: its name, its default, its bounds (for whole numbers) and a one-line
 * description, declared once in {@link ConfigKeys}. The typed getters read the key from an {@link IrisConfig} with
 * that default and those bounds, so the code that parses a key cannot disagree with what is documented.
 *
 * <p>The default is kept as text, as an operator writes it in a properties file ({@code ""} when the key is unset
 * by default); whole-number defaults also parse as numbers.
 */
public final class ConfigKey {
    /** How the value is read. */
    public enum Type {
        /** A whole number within {@link #min()}..{@link #max()} ({@link IrisConfig#getInt}). */
        INT,
        /** A whole number, k/m/g suffixes allowed ({@link IrisConfig#getLong}), checked by its reader. */
        LONG,
        /** Text: a name, a path, a list or a number its reader parses and checks itself. */
        TEXT
    }

    private final String name;
    private final Type type;
    private final String defaultValue;
    private final long min;
    private final long max;
    /** The default of an INT or LONG key as a number (sizes with k/m/g expanded); 0 for TEXT. */
    private final long numericDefault;
    private final String doc;

    private ConfigKey(final String name, final Type type, final String defaultValue, final long min, final long max,
                      final String doc) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = type;
        this.defaultValue = Objects.requireNonNull(defaultValue, "defaultValue");
        this.min = min;
        this.max = max;
        this.numericDefault = type == Type.TEXT ? 0 : IrisConfig.of(Map.of(name, defaultValue)).getLong(name, 0);
        this.doc = Objects.requireNonNull(doc, "doc");
    }

    static ConfigKey ofInt(final String name, final int defaultValue, final int min, final int max, final String doc) {
        if (defaultValue < min || defaultValue > max) {
            throw new IllegalArgumentException(name + ": default " + defaultValue + " outside [" + min + ", " + max + "]");
        }
        return new ConfigKey(name, Type.INT, Integer.toString(defaultValue), min, max, doc);
    }

    static ConfigKey ofLong(final String name, final String defaultValue, final String doc) {
        return new ConfigKey(name, Type.LONG, defaultValue, Long.MIN_VALUE, Long.MAX_VALUE, doc);
    }

    static ConfigKey ofText(final String name, final String defaultValue, final String doc) {
        return new ConfigKey(name, Type.TEXT, defaultValue, 0, 0, doc);
    }

    /** @return the key, e.g. {@code server.port}. */
    public String name() {
        return name;
    }

    /** @return how the value is read. */
    public Type type() {
        return type;
    }

    /** @return the default as text ({@code ""}: unset). */
    public String defaultValue() {
        return defaultValue;
    }

    /** @return the smallest accepted value of an {@link Type#INT} key. */
    public long min() {
        return min;
    }

    /** @return the largest accepted value of an {@link Type#INT} key. */
    public long max() {
        return max;
    }

    /** @return one line saying what the key does. */
    public String doc() {
        return doc;
    }

    /**
     * @param config the configuration.
     * @return the value of an {@link Type#INT} key, or its default.
     * @throws IllegalArgumentException naming the key, if it is not a number or outside its bounds.
     */
    public int getInt(final IrisConfig config) {
        require(Type.INT);
        return config.getInt(name, (int) numericDefault, (int) min, (int) max);
    }

    /**
     * @param config the configuration.
     * @return the value of a {@link Type#LONG} key, or its default.
     * @throws IllegalArgumentException naming the key, if it is not a number.
     */
    public long getLong(final IrisConfig config) {
        require(Type.LONG);
        return config.getLong(name, numericDefault);
    }

    /**
     * @param config the configuration.
     * @return the value as text, or the default.
     */
    public String getString(final IrisConfig config) {
        return config.getString(name, defaultValue);
    }

    private void require(final Type wanted) {
        if (type != wanted) {
            throw new IllegalStateException(name + " is " + type + ", not " + wanted);
        }
    }

    @Override
    public String toString() {
        return name + "=" + defaultValue;
    }
}
