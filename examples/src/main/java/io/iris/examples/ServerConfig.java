package io.iris.examples;

import io.iris.api.IrisConfig;
import io.iris.engine.KnownKeys;
import io.iris.transport.tls.DevCertificates;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Loads the reference server's configuration, each layer overriding the one before: the bundled
 * {@code iris.properties} (every key with its default), a file given with {@code --config}, the
 * environment ({@code IRIS_SERVER_PORT} for {@code server.port}), then {@code --key=value} arguments.
 * Unknown keys are refused so a typo never passes silently, naming the closest known key
 * ({@code discovery.*} keys by the chosen discovery provider, which knows its own).
 *
 * <p>Relative paths ({@code data/...}) resolve against the working directory, as documented in
 * {@code iris.properties}, unless the system property {@value #HOME_PROPERTY} names the distribution's home
 * (the {@code bin/iris-server} launcher sets it): then they resolve against that home, so the data directory does
 * not depend on where the server was started from, and the home's {@value #HOME_CONFIG} (when present) is read
 * between the bundled defaults and {@code --config}. {@link #filesInUse} lists them resolved, for the server to
 * print at start, and tools that only read a file the server creates (the development secret) refuse to create
 * it elsewhere.
 */
final class ServerConfig {
    private static final String ENV_PREFIX = "IRIS_";
    /** Keys with no default: documented commented-out in iris.properties, so listed here to be known. */
    private static final List<String> OPTIONAL_KEYS = List.of("auth.jwt.secret", "auth.jwt.issuer",
        "auth.jwt.audience", "auth.jwt.secretKid", "auth.jwt.publicKeys");
    /** Keys the server reads itself (not the engine): declared to the engine so that it accepts them. */
    static final List<String> SERVER_KEYS = List.of("dev.secretFile", "tls.devDir", "tls.devNames");
    /** System property naming the distribution home that relative paths resolve against (set by bin/iris-server). */
    static final String HOME_PROPERTY = "iris.home";
    /** The distribution's configuration file under its home: the layer between the bundled defaults and --config. */
    static final String HOME_CONFIG = "conf/iris.properties";
    /** Keys whose value is one file or directory. */
    private static final List<String> PATH_KEYS = List.of("storage.chronicle.dir", "auth.jwt.revokedFile",
        "dev.secretFile", "tls.devDir", "tls.certFile", "tls.keyFile", "tls.trustFile");
    /** Key whose value is a comma-separated list of paths, each optionally prefixed with {@code kid=}. */
    private static final String PUBLIC_KEYS = "auth.jwt.publicKeys";

    private ServerConfig() {
    }

    /**
     * @param args command-line arguments after the subcommand; {@code --config F} and {@code --k=v} are consumed.
     * @param env  the environment.
     * @return the merged configuration.
     */
    static IrisConfig load(final List<String> args, final Map<String, String> env) {
        return load(args, env, System.getProperty(HOME_PROPERTY));
    }

    /**
     * @param args command-line arguments after the subcommand.
     * @param env  the environment.
     * @param home the distribution home (its {@value #HOME_CONFIG} is read, relative paths resolve against it),
     *             or null (or empty) for none: relative paths then resolve against the working directory.
     * @return the merged configuration, its relative paths resolved against {@code home} when given.
     */
    static IrisConfig load(final List<String> args, final Map<String, String> env, final String home) {
        final Map<String, String> values = new LinkedHashMap<>(defaults());
        final Map<String, String> known = new LinkedHashMap<>(values);
        if (home != null && !home.isEmpty() && Files.isRegularFile(Path.of(home, HOME_CONFIG))) {
            values.putAll(read(Path.of(home, HOME_CONFIG)));
        }
        for (int i = 0; i < args.size(); i++) {
            final String arg = args.get(i);
            if (arg.equals("--config")) {
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException("--config needs a file name");
                }
                values.putAll(read(Path.of(args.get(++i))));
            } else if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("unexpected argument '" + arg
                    + "': use --config FILE or --key=value");
            }
        }
        for (final Map.Entry<String, String> e : env.entrySet()) {
            if (e.getKey().startsWith(ENV_PREFIX)) {
                final String key = keyForEnv(e.getKey(), known);
                if (key != null) {
                    values.put(key, e.getValue());
                }
            }
        }
        for (final String arg : args) {
            if (arg.startsWith("--") && arg.contains("=")) {
                final int eq = arg.indexOf('=');
                values.put(arg.substring(2, eq), arg.substring(eq + 1));
            }
        }
        for (final String key : values.keySet()) {
            if (!known.containsKey(key) && !isOptionalKnown(key)) {
                final List<String> candidates = new java.util.ArrayList<>(known.keySet());
                candidates.addAll(OPTIONAL_KEYS);
                throw new IllegalArgumentException(KnownKeys.unknownKeyMessage(key, candidates)
                    + "; iris.properties lists every key");
            }
        }
        if (home != null && !home.isEmpty()) {
            resolveAgainst(Path.of(home), values);
        }
        return IrisConfig.of(values);
    }

    /** Rewrites the relative paths among {@code values} to absolute ones under {@code home}; empty values stay. */
    private static void resolveAgainst(final Path home, final Map<String, String> values) {
        for (final String key : PATH_KEYS) {
            final String v = values.get(key);
            if (v != null && !v.isEmpty()) {
                values.put(key, home.resolve(v).toAbsolutePath().normalize().toString());
            }
        }
        final String keys = values.get(PUBLIC_KEYS);
        if (keys != null && !keys.isBlank()) {
            final List<String> resolved = new java.util.ArrayList<>();
            for (final String entry : keys.split(",")) {
                final String e = entry.trim();
                final int eq = e.indexOf('=');
                resolved.add(eq < 0 ? home.resolve(e).toAbsolutePath().normalize().toString()
                    : e.substring(0, eq + 1) + home.resolve(e.substring(eq + 1).trim()).toAbsolutePath().normalize());
            }
            values.put(PUBLIC_KEYS, String.join(",", resolved));
        }
    }

    /**
     * Without {@code auth.jwt.secret} (and without {@code auth.jwt.publicKeys}, which needs no secret), uses
     * (creating it on first start) a random development secret kept in {@code dev.secretFile}.
     *
     * @param config the loaded configuration.
     * @return the configuration with a secret, and whether it is the development one.
     */
    static IrisConfig withSecret(final IrisConfig config) {
        if (!usesDevSecret(config)) {
            return config;
        }
        final Path file = Path.of(config.getString("dev.secretFile", "data/dev-secret"));
        try {
            if (!Files.exists(file)) {
                final byte[] secret = new byte[32];
                new SecureRandom().nextBytes(secret);
                if (file.getParent() != null) {
                    Files.createDirectories(file.getParent());
                }
                Files.writeString(file, "base64:" + Base64.getEncoder().encodeToString(secret) + "\n");
            }
            return config.with("auth.jwt.secret", Files.readString(file).trim());
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read or create the development secret " + file, e);
        }
    }

    /**
     * For tools ({@code mint-token}): like {@link #withSecret} but never creates the development secret, so a
     * token is never signed with a fresh secret no server knows (as happens when the tool runs in another
     * working directory than the server's).
     *
     * @param config the loaded configuration.
     * @return the configuration with a secret.
     * @throws IllegalArgumentException naming {@code dev.secretFile} and where it was looked for, when it does
     *                                  not exist.
     */
    static IrisConfig withExistingSecret(final IrisConfig config) {
        if (usesDevSecret(config)) {
            final String file = config.getString("dev.secretFile", "data/dev-secret");
            if (!Files.exists(Path.of(file))) {
                throw new IllegalArgumentException("no development secret at " + absolute(file) + " (config key"
                    + " 'dev.secretFile'): the server creates it on its first start, relative to its working"
                    + " directory. Run this from the server's directory, or pass --dev.secretFile=PATH or"
                    + " --auth.jwt.secret=SECRET");
            }
        }
        return withSecret(config);
    }

    /**
     * @param config   the configuration the server runs with.
     * @param original the configuration as loaded.
     * @return "key=absolute path" for each file or directory the server uses.
     */
    static List<String> filesInUse(final IrisConfig config, final IrisConfig original) {
        final List<String> files = new java.util.ArrayList<>();
        if ("chronicle".equals(config.getString("storage", ""))) {
            files.add("storage.chronicle.dir=" + absolute(config.getString("storage.chronicle.dir", "")));
        }
        if (!config.getString("auth.jwt.revokedFile", "").isEmpty()) {
            files.add("auth.jwt.revokedFile=" + absolute(config.getString("auth.jwt.revokedFile", "")));
        }
        if (usesDevSecret(original)) {
            files.add("dev.secretFile=" + absolute(config.getString("dev.secretFile", "")));
        }
        if (usesDevTls(original)) {
            files.add("tls.devDir=" + absolute(config.getString("tls.devDir", "")));
        }
        return files;
    }

    /** @return what relative paths resolve against, for messages: the distribution home or the working directory. */
    static String pathBase() {
        final String home = System.getProperty(HOME_PROPERTY);
        return home != null && !home.isEmpty() ? "the distribution home " + absolute(home)
            : "the working directory " + absolute(".");
    }

    /**
     * @param path a path from the configuration.
     * @return it resolved against the working directory, normalised.
     */
    static Path absolute(final String path) {
        return Path.of(path).toAbsolutePath().normalize();
    }

    /**
     * @param original the configuration as loaded, before {@link #withSecret}.
     * @return true when neither a secret nor public keys were configured and the development secret is used.
     */
    static boolean usesDevSecret(final IrisConfig original) {
        return original.getString("auth.jwt.secret", "").isEmpty()
            && original.getString("auth.jwt.publicKeys", "").isEmpty();
    }

    /**
     * TLS development mode: with {@code tls.enabled=true} and neither {@code tls.certFile} nor
     * {@code tls.keyFile} set, uses (generating them on first start) a development CA and server
     * certificate in {@code tls.devDir}, valid for localhost, 127.0.0.1, ::1 and {@code tls.devNames}.
     *
     * @param config the loaded configuration.
     * @return the configuration with certificate and key files, or unchanged.
     * @throws IllegalArgumentException if only one of the two files is configured.
     */
    static IrisConfig withTls(final IrisConfig config) {
        if (!"true".equals(config.getString("tls.enabled", "false"))) {
            return config;
        }
        final String cert = config.getString("tls.certFile", "");
        final String key = config.getString("tls.keyFile", "");
        if (!cert.isEmpty() && !key.isEmpty()) {
            return config;
        }
        if (!cert.isEmpty() || !key.isEmpty()) {
            throw new IllegalArgumentException("config keys 'tls.certFile' and 'tls.keyFile' go together: set both,"
                + " or neither for development certificates in tls.devDir");
        }
        final List<String> names = new java.util.ArrayList<>();
        for (final String n : config.getString("tls.devNames", "").split(",")) {
            if (!n.isBlank()) {
                names.add(n.trim());
            }
        }
        final String host = config.getString("server.host", "");
        if (!host.isEmpty() && !host.equals("0.0.0.0") && !host.equals("::")) {
            names.add(host);
        }
        final DevCertificates.Bundle dev = DevCertificates.ensure(Path.of(config.getString("tls.devDir", "data/tls")), names);
        return config.with("tls.certFile", dev.serverChain().toString()).with("tls.keyFile", dev.serverKey().toString());
    }

    /**
     * @param original the configuration as loaded, before {@link #withTls}.
     * @return true when TLS is on with the development certificates.
     */
    static boolean usesDevTls(final IrisConfig original) {
        return "true".equals(original.getString("tls.enabled", "false"))
            && original.getString("tls.certFile", "").isEmpty() && original.getString("tls.keyFile", "").isEmpty();
    }

    private static boolean isOptionalKnown(final String key) {
        // discovery.* keys are checked by the chosen provider (docs/discovery.md lists them with their defaults)
        return OPTIONAL_KEYS.contains(key) || key.startsWith("discovery.");
    }

    private static String keyForEnv(final String envName, final Map<String, String> known) {
        final String wanted = envName.substring(ENV_PREFIX.length());
        for (final String key : known.keySet()) {
            if (envFor(key).equals(wanted)) {
                return key;
            }
        }
        for (final String key : OPTIONAL_KEYS) {
            if (envFor(key).equals(wanted)) {
                return key;
            }
        }
        return null;
    }

    private static String envFor(final String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    private static Map<String, String> defaults() {
        try (InputStream in = ServerConfig.class.getResourceAsStream("/iris.properties")) {
            if (in == null) {
                throw new IllegalStateException("iris.properties is missing from the class path");
            }
            final Properties p = new Properties();
            p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
            return toMap(p);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> read(final Path file) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            final Properties p = new Properties();
            p.load(r);
            return toMap(p);
        } catch (final java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("--config " + file + ": no such file (" + absolute(file.toString()) + ")", e);
        } catch (final IOException e) {
            throw new IllegalArgumentException("--config " + file + ": cannot read it: " + e.getMessage(), e);
        }
    }

    private static Map<String, String> toMap(final Properties p) {
        final Map<String, String> m = new LinkedHashMap<>();
        for (final String name : p.stringPropertyNames()) {
            m.put(name, p.getProperty(name).trim());
        }
        return m;
    }
}
