package io.iris.examples;

import io.iris.admin.AdminServer;
import io.iris.engine.admin.AdminApi;
import io.iris.admin.AdminReply;
import io.iris.api.IrisConfig;
import io.iris.api.counters.IrisCounters;
import io.iris.api.discovery.Discovery;
import io.iris.api.storage.StorageUnavailableException;
import io.iris.engine.IrisEngine;
import io.iris.engine.auth.JwtAuthenticator;
import io.iris.engine.auth.JwtAuthenticatorProvider;
import io.iris.engine.auth.JwtMinter;
import io.iris.engine.auth.RevocationFile;
import io.iris.transport.tls.DevCertificates;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Entry point of {@code iris-server.jar}.
 *
 * <pre>
 * java -jar iris-server.jar [serve] [--config FILE] [--key=value ...]   start the server (default)
 * java -jar iris-server.jar mint-token USER [--ttl=24h] [--private-key=PEM --kid=K] [--key=value]
 *                                                                      print a dev token for USER
 * java -jar iris-server.jar revoke-token JTI [--expires=EXP] [--key=value]
 *                                                                      add JTI to auth.jwt.revokedFile
 * java -jar iris-server.jar chat --token=T --to=USER [--host=H --port=P --device=D] [--tls [--ca=PEM]]
 * java -jar iris-server.jar admin sessions|disconnect|revoke|drain|config|overload ... --admin=URL --token=T
 *                                                                      a running server's admin API ({@link AdminCommand})
 * </pre>
 */
public final class IrisMain {
    private static final List<String> HELP = List.of("help", "--help", "-h");
    private static final String USAGE = "usage: java -jar iris-server.jar [serve] [--config FILE] [--key=value ...]\n"
        + "       java -jar iris-server.jar mint-token USER [--ttl=24h] [--private-key=PEM_FILE [--kid=KID]]"
        + " [--config FILE] [--key=value ...]\n"
        + "       java -jar iris-server.jar revoke-token JTI [--expires=EPOCH_SECONDS|ISO_INSTANT|30d]"
        + " [--config FILE] [--key=value ...]\n"
        + "       java -jar iris-server.jar chat --token=TOKEN --to=USER [--host=127.0.0.1] [--port=7700] [--device=cli]"
        + " [--tls [--ca=CA_PEM_FILE]]\n"
        + "       java -jar iris-server.jar admin sessions|disconnect|revoke|drain|config|overload ..."
        + " --admin=http://127.0.0.1:PORT --token=TOKEN (see: admin help)\n"
        + "       java -jar iris-server.jar help\n"
        + "Relative paths in the configuration (data/...) resolve against the working directory; the server prints"
        + " where its files are at start.";
    private IrisMain() {
    }

    /**
     * @param args see the class comment.
     * @throws Exception on start-up failure.
     */
    public static void main(final String[] args) throws Exception {
        final List<String> list = new ArrayList<>(Arrays.asList(args));
        final String command = !list.isEmpty() && (!list.get(0).startsWith("--") || HELP.contains(list.get(0)))
            ? list.remove(0) : "serve";
        try {
            switch (command) {
                case "serve":
                    serve(list);
                    break;
                case "mint-token":
                    mintToken(list);
                    break;
                case "revoke-token":
                    revokeToken(list);
                    break;
                case "chat":
                    final int code = ChatClient.run(list, System.in,
                        new PrintStream(System.out, true, StandardCharsets.UTF_8));
                    System.out.flush();
                    System.exit(code);
                    break;
                case "admin":
                    System.exit(AdminCommand.run(list, System.out, System.err));
                    break;
                case "help":
                case "--help":
                case "-h":
                    System.out.println(USAGE);
                    break;
                default:
                    System.err.println("iris: unknown command '" + command + "'");
                    System.err.println(USAGE);
                    System.exit(2);
            }
        } catch (final IllegalArgumentException e) {
            // a bad command line or configuration: the message names the option or config key
            System.err.println("iris: " + e.getMessage());
            System.exit(2);
        } catch (final IllegalStateException | UncheckedIOException | StorageUnavailableException e) {
            // a start-up failure outside the configuration's values (port taken, storage unreachable, a file)
            System.err.println("iris: " + oneLine(e));
            System.exit(1);
        }
    }

    /** @return true for {@code help}, {@code --help}, {@code -h}. */
    static boolean isHelp(final String arg) {
        return HELP.contains(arg);
    }

    /** @return the message of {@code e}, with its cause's when the message alone does not say what failed. */
    static String oneLine(final Throwable e) {
        final String message = e.getMessage() == null ? e.toString() : e.getMessage();
        final Throwable cause = e.getCause();
        if (cause == null || cause.getMessage() == null || message.contains(cause.getMessage())) {
            return message;
        }
        return message + ": " + cause.getMessage();
    }

    private static void serve(final List<String> args) throws InterruptedException {
        final IrisConfig loaded = ServerConfig.load(args, System.getenv());
        final IrisConfig config = ServerConfig.withTls(ServerConfig.withSecret(loaded));
        // the admin server starts first, so /health answers and /ready says "starting" while storage recovers
        final IrisCounters counters = new IrisCounters();
        final AtomicReference<IrisEngine> started = new AtomicReference<>();
        final AdminServer admin = AdminServer.enabledIn(config) ? AdminServer.builder().config(config)
            .counters(counters).readiness(() -> {
                final IrisEngine e = started.get();
                return e == null ? Optional.of("starting: storage recovering, client listener not up") : e.notReadyReason();
            }).adminHandler((method, path, query, caller) -> {
                final IrisEngine e = started.get();
                if (e == null) {
                    return new AdminReply(503, "{\"error\":\"starting: storage recovering\"}");
                }
                final AdminApi.Reply reply = e.admin().handle(method, path, query, caller);
                return new AdminReply(reply.status(), reply.json());
            }).start() : null;
        final IrisEngine engine;
        final Discovery discovery;
        try {
            engine = IrisEngine.builder().config(config).applicationKeys(ServerConfig.SERVER_KEYS).counters(counters)
                .start();
            started.set(engine);
            try {
                discovery = ServerDiscovery.open(config, counters);
            } catch (final RuntimeException e) {
                engine.close();
                throw e;
            }
        } catch (final RuntimeException e) {
            if (admin != null) {
                admin.close();
            }
            throw e;
        }
        final AtomicBoolean stopping = new AtomicBoolean();
        final Runnable stop = () -> {
            if (!stopping.compareAndSet(false, true)) {
                return; // the hook and the main thread both get here after a drain: once is enough
            }
            if (discovery != null) {
                discovery.close();
            }
            engine.close(); // /ready answers 503 "draining" meanwhile; returns at once if a drain already runs
            engine.whenStopped().join();
            if (admin != null) {
                admin.close();
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "iris-shutdown"));

        final String host = "0.0.0.0".equals(engine.settings().host()) ? "127.0.0.1" : engine.settings().host();
        final String jar = "java -jar examples/target/iris-server.jar";
        final boolean tls = engine.settings().tls().enabled();
        final String where = " --host=" + host + " --port=" + engine.port()
            + (tls ? " --tls" + (ServerConfig.usesDevTls(loaded)
                ? " --ca=" + Path.of(config.getString("tls.devDir", "data/tls"), DevCertificates.CA_FILE) : "") : "");
        System.out.println();
        System.out.println("Iris is running on " + engine.settings().host() + ":" + engine.port()
            + " (storage=" + engine.settings().storage() + (tls ? ", TLS 1.3/1.2" : "") + "). Ctrl-C stops it gracefully.");
        System.out.println("Files (relative paths resolve against " + ServerConfig.pathBase()
            + "): " + String.join(", ", ServerConfig.filesInUse(config, loaded)));
        if (admin != null) {
            System.out.println("Admin (metrics, health, readiness) on " + (admin.tls() ? "https" : "http") + "://"
                + admin.address().getAddress().getHostAddress() + ":" + admin.port() + "/metrics, /health, /ready"
                + (config.getString("admin.token", "").isEmpty() ? "" : " (bearer token: admin.token)"));
        }
        if (ServerConfig.usesDevTls(loaded)) {
            final Path ca = Path.of(config.getString("tls.devDir", "data/tls"), DevCertificates.CA_FILE);
            System.out.println("WARNING: TLS uses DEVELOPMENT certificates from " + ca.getParent() + " (self-signed CA,"
                + " generated on first start). Clients must trust " + ca + " (chat: --tls --ca=" + ca + ")."
                + " Do not use them in production: set tls.certFile and tls.keyFile.");
        }
        if (ServerConfig.usesDevSecret(loaded)) {
            System.out.println("WARNING: no auth.jwt.secret configured; using the development secret in "
                + ServerConfig.absolute(config.getString("dev.secretFile", "data/dev-secret"))
                + ". Do not use it in production.");
            // development mode only: with a real key, the operator mints tokens deliberately
            final JwtMinter minter = JwtAuthenticatorProvider.minterFrom(config);
            System.out.println("Chat as alice (tokens valid 24h; mint more with: " + jar + " mint-token USER,"
                + " from this directory):");
            System.out.println("  " + jar + " chat --token=" + minter.mint("alice", Duration.ofHours(24)) + " --to=bob" + where);
            System.out.println("and, in another terminal, as bob:");
            System.out.println("  " + jar + " chat --token=" + minter.mint("bob", Duration.ofHours(24)) + " --to=alice" + where);
        } else if (config.getString(JwtAuthenticatorProvider.KEY_SECRET, "").isEmpty()) {
            System.out.println("Tokens are verified with the public keys in " + JwtAuthenticatorProvider.KEY_PUBLIC_KEYS
                + "; mint tokens with: " + jar + " mint-token USER --private-key=PEM_FILE [--kid=KID]");
        } else {
            System.out.println("Tokens are verified with auth.jwt.secret; mint one with: " + jar
                + " mint-token USER [--ttl=24h] (with the same configuration), then: " + jar
                + " chat --token=TOKEN --to=PEER" + where);
        }
        System.out.println();
        System.out.flush();
        // stopped by SIGTERM / Ctrl-C (the hook) or by POST /admin/drain (the engine closes itself)
        engine.whenStopped().join();
        stop.run();
        System.exit(0);
    }

    private static void mintToken(final List<String> args) {
        if (args.isEmpty() || args.get(0).startsWith("--")) {
            throw new IllegalArgumentException("mint-token needs a user id: mint-token USER [--ttl=24h]");
        }
        final String user = args.remove(0);
        Duration ttl = Duration.ofHours(24);
        String privateKey = null;
        String kid = null;
        for (final var it = args.iterator(); it.hasNext(); ) {
            final String a = it.next();
            if (a.startsWith("--ttl=")) {
                ttl = parseDuration(a.substring("--ttl=".length()));
                it.remove();
            } else if (a.startsWith("--private-key=")) {
                privateKey = a.substring("--private-key=".length());
                it.remove();
            } else if (a.startsWith("--kid=")) {
                kid = a.substring("--kid=".length());
                it.remove();
            }
        }
        final IrisConfig loaded = ServerConfig.load(args, System.getenv());
        final long maxLifetime = loaded.getLong(JwtAuthenticatorProvider.KEY_MAX_LIFETIME_SECONDS,
            JwtAuthenticator.DEFAULT_MAX_LIFETIME.toSeconds());
        if (ttl.toSeconds() > maxLifetime) {
            throw new IllegalArgumentException("--ttl=" + ttl.toSeconds() + "s is longer than "
                + JwtAuthenticatorProvider.KEY_MAX_LIFETIME_SECONDS + " (" + maxLifetime + " s): the server would "
                + "refuse the token");
        }
        final JwtMinter minter;
        if (privateKey != null) {
            final String pem;
            try {
                pem = Files.readString(Path.of(privateKey));
            } catch (final IOException e) {
                throw new IllegalArgumentException("cannot read --private-key " + privateKey + ": " + e.getMessage(), e);
            }
            minter = JwtAuthenticatorProvider.minterFrom(loaded, kid, pem);
        } else if (kid != null) {
            throw new IllegalArgumentException("--kid goes with --private-key; the secret's kid is auth.jwt.secretKid");
        } else {
            minter = JwtAuthenticatorProvider.minterFrom(ServerConfig.withExistingSecret(loaded));
        }
        System.out.println(minter.mint(user, ttl));
    }

    /**
     * {@code revoke-token JTI [--expires=...]}: adds the token id to {@code auth.jwt.revokedFile}, which a running
     * server re-reads within {@code auth.jwt.revokedFilePollMillis} ({@code admin revoke}, {@link AdminCommand},
     * revokes at once through the admin API, until the next restart). {@code --expires} is the token's {@code exp}: epoch seconds, an ISO-8601 instant, or a duration
     * from now (default 30d); the entry is dropped once it has passed, so give the real expiry when known.
     */
    static void revokeToken(final List<String> args) {
        if (args.isEmpty() || args.get(0).startsWith("--")) {
            throw new IllegalArgumentException("revoke-token needs a token id (jti): revoke-token JTI [--expires=...]");
        }
        final String jti = args.remove(0);
        Instant expires = Instant.now().plus(Duration.ofDays(30));
        for (final var it = args.iterator(); it.hasNext(); ) {
            final String a = it.next();
            if (a.startsWith("--expires=")) {
                expires = parseInstant(a.substring("--expires=".length()));
                it.remove();
            }
        }
        final IrisConfig config = ServerConfig.load(args, System.getenv());
        final String file = config.getString("auth.jwt.revokedFile", "");
        if (file.isEmpty()) {
            throw new IllegalArgumentException("config key 'auth.jwt.revokedFile' is not set: nowhere to record the revocation");
        }
        try {
            RevocationFile.add(Path.of(file), jti, expires.getEpochSecond(), System.currentTimeMillis());
        } catch (final IOException e) {
            throw new IllegalStateException("cannot update the revocation file " + file + ": " + e, e);
        }
        System.out.println("revoked " + jti + " until " + expires + " in " + file + "; a running server applies it within "
            + config.getString("auth.jwt.revokedFilePollMillis", "2000") + " ms");
    }

    /**
     * @param text epoch seconds, an ISO-8601 instant ({@code 2030-01-01T00:00:00Z}), or a duration from now ({@code 7d}).
     * @return the instant.
     */
    static Instant parseInstant(final String text) {
        final String t = text.trim();
        if (!t.isEmpty() && t.chars().allMatch(Character::isDigit)) {
            try {
                return Instant.ofEpochSecond(Long.parseLong(t));
            } catch (final NumberFormatException | DateTimeException e) {
                throw new IllegalArgumentException("bad expiry '" + text + "'", e);
            }
        }
        if (t.contains("T")) {
            try {
                return Instant.parse(t);
            } catch (final DateTimeParseException e) {
                throw new IllegalArgumentException("bad expiry '" + text + "': use epoch seconds, 2030-01-01T00:00:00Z"
                    + " or a duration like 7d", e);
            }
        }
        return Instant.now().plus(parseDuration(t));
    }

    /**
     * @param text a duration like 90s, 15m, 24h, 7d.
     * @return the duration.
     */
    static Duration parseDuration(final String text) {
        final String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.length() < 2) {
            throw new IllegalArgumentException("bad duration '" + text + "': use e.g. 90s, 15m, 24h, 7d");
        }
        final long n;
        try {
            n = Long.parseLong(t.substring(0, t.length() - 1));
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException("bad duration '" + text + "': use e.g. 90s, 15m, 24h, 7d", e);
        }
        switch (t.charAt(t.length() - 1)) {
            case 's': return Duration.ofSeconds(n);
            case 'm': return Duration.ofMinutes(n);
            case 'h': return Duration.ofHours(n);
            case 'd': return Duration.ofDays(n);
            default: throw new IllegalArgumentException("bad duration '" + text + "': use e.g. 90s, 15m, 24h, 7d");
        }
    }
}
