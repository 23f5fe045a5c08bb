package io.iris.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import com.sun.net.httpserver.HttpsParameters;
import io.iris.api.IrisConfig;
import io.iris.api.counters.IrisCounters;
import io.iris.engine.config.ConfigKeys;
import io.iris.transport.tls.Pem;
import io.iris.transport.tls.TlsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The admin HTTP server of an Iris instance, on a port of its own, separate from the client port.
 *
 * <p>Routes:
 * <ul>
 *   <li>{@code GET /metrics}: the {@link IrisCounters} registry in the Prometheus text format 0.0.4;</li>
 *   <li>{@code GET /health}: 200 {@code {"status":"UP"}} while the process serves HTTP (liveness);</li>
 *   <li>{@code GET /ready}: 200 {@code {"ready":true}} when the readiness supplier reports no reason, else 503
 *       {@code {"ready":false,"reason":"…"}} (readiness: storage recovered and writable, client listener up, not
 *       draining — see {@code IrisEngine.notReadyReason()});</li>
 *   <li>{@code /admin/…}: the {@link AdminHandler}, when one is given, else 404;</li>
 *   <li>anything else: 404; a method other than GET or HEAD on the first three: 405.</li>
 * </ul>
 *
 * <p>Security: binds to loopback unless told otherwise. The admin API ({@code /admin/*}) answers only with a bearer
 * token configured ({@code 403} otherwise): it can close sessions and stop the server. With a bearer token configured, <em>every</em>
 * request, {@code /health} included, must carry {@code Authorization: Bearer <token>} or gets 401 (the token is
 * compared in constant time); a liveness probe sends the header like any other client. With TLS (an
 * {@link SSLContext}), it speaks HTTPS only. Every request is logged with its caller: remote address and
 * whether it was authenticated (scrapes and probes at DEBUG, admin calls at INFO, refusals at WARN).
 *
 * <p>Requests are served by two daemon threads: the admin port cannot take threads from the engine, and a
 * flood of requests queues rather than multiplying threads.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    /** Threads serving requests. */
    static final int THREADS = 2;

    private final HttpServer server;
    private final ExecutorService executor;
    private final IrisCounters counters;
    private final Supplier<Optional<String>> readiness;
    private final AdminHandler adminHandler;
    private final byte[] tokenDigest;
    private final boolean tls;

    private AdminServer(final Builder b) throws IOException {
        this.counters = b.counters;
        this.readiness = b.readiness;
        this.adminHandler = b.adminHandler;
        this.tokenDigest = b.token.isEmpty() ? null : sha256(b.token);
        this.tls = b.sslContext != null;
        final InetSocketAddress address = new InetSocketAddress(b.host, b.port);
        if (b.sslContext != null) {
            final HttpsServer https = HttpsServer.create(address, 16);
            https.setHttpsConfigurator(new HttpsConfigurator(b.sslContext) {
                @Override
                public void configure(final HttpsParameters params) {
                    final javax.net.ssl.SSLParameters p = getSSLContext().getDefaultSSLParameters();
                    p.setProtocols(Pem.PROTOCOLS.toArray(new String[0])); // never TLS 1.1/1.0
                    params.setSSLParameters(p);
                }
            });
            this.server = https;
        } else {
            this.server = HttpServer.create(address, 16);
        }
        final AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(THREADS, r -> {
            final Thread t = new Thread(r, "iris-admin-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        LOG.info("admin server listening on {}://{}:{} ({})", tls ? "https" : "http", b.host, port(),
            tokenDigest == null ? "no token: reachable by anyone who can connect" : "bearer token required");
    }

    /** @return a new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param config a configuration.
     * @return whether it asks for an admin server ({@code admin.port} is not -1).
     */
    public static boolean enabledIn(final IrisConfig config) {
        return ConfigKeys.ADMIN_PORT.getInt(config) >= 0;
    }

    /** @return the port it listens on (the chosen one when configured with 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** @return the address it is bound to. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** @return whether it speaks HTTPS. */
    public boolean tls() {
        return tls;
    }

    /** Stops listening (requests in progress get up to one second) and stops its threads. Idempotent. */
    @Override
    public void close() {
        server.stop(1);
        executor.shutdownNow();
    }

    private void handle(final HttpExchange exchange) throws IOException {
        try (exchange) {
            final String method = exchange.getRequestMethod();
            final String path = exchange.getRequestURI().getPath();
            final boolean authenticated = tokenDigest != null && authorized(exchange);
            final String caller = exchange.getRemoteAddress().getAddress().getHostAddress() + ':'
                + exchange.getRemoteAddress().getPort() + (tokenDigest == null ? " (no token configured)"
                : authenticated ? " (authenticated)" : " (not authenticated)");
            if (tokenDigest != null && !authenticated) {
                LOG.warn("admin {} {} from {}: 401", method, path, caller);
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"iris-admin\"");
                send(exchange, 401, "application/json", json("error", "a bearer token is required"));
                return;
            }
            final boolean read = "GET".equals(method) || "HEAD".equals(method);
            if (path.startsWith("/admin/") && adminHandler != null) {
                if (tokenDigest == null) {
                    // operations that close sessions or stop the server: never without a credential
                    LOG.warn("admin {} {} from {}: 403 (no admin.token configured)", method, path, caller);
                    send(exchange, 403, "application/json",
                        json("error", "the admin API needs a credential: set admin.token on the server"));
                    return;
                }
                LOG.info("admin {} {} from {}", method, path, caller);
                AdminReply reply;
                try {
                    reply = Objects.requireNonNull(adminHandler.handle(method, path,
                        query(exchange.getRequestURI().getRawQuery()), caller), "admin handler reply");
                } catch (final Exception e) {
                    LOG.warn("admin {} {} from {} failed", method, path, caller, e);
                    reply = new AdminReply(500, json("error", String.valueOf(e.getMessage())));
                }
                send(exchange, reply.status(), "application/json", reply.json());
                return;
            }
            LOG.debug("admin {} {} from {}", method, path, caller);
            switch (path) {
                case "/metrics", "/health", "/ready" -> {
                    if (!read) {
                        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                        send(exchange, 405, "application/json", json("error", "method not allowed: " + method));
                    } else if (path.equals("/metrics")) {
                        send(exchange, 200, PrometheusText.CONTENT_TYPE, PrometheusText.format(counters));
                    } else if (path.equals("/health")) {
                        send(exchange, 200, "application/json", "{\"status\":\"UP\"}");
                    } else {
                        final Optional<String> reason = readiness.get();
                        if (reason.isEmpty()) {
                            send(exchange, 200, "application/json", "{\"ready\":true}");
                        } else {
                            send(exchange, 503, "application/json",
                                "{\"ready\":false,\"reason\":\"" + escape(reason.get()) + "\"}");
                        }
                    }
                }
                default -> send(exchange, 404, "application/json", json("error", "no such path: " + path));
            }
        } catch (final RuntimeException e) {
            LOG.warn("admin request failed", e);
            throw e;
        }
    }

    private boolean authorized(final HttpExchange exchange) {
        final String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        // digests of equal length: the comparison's time says nothing about the token's length or content
        return MessageDigest.isEqual(tokenDigest, sha256(header.substring(7).trim()));
    }

    private static void send(final HttpExchange exchange, final int status, final String contentType,
                             final String body) throws IOException {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        final boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length == 0 ? -1 : bytes.length);
        if (!head && bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    static Map<String, String> query(final String raw) {
        final Map<String, String> map = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return map;
        }
        for (final String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            final int eq = pair.indexOf('=');
            final String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            final String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            map.put(name, value);
        }
        return map;
    }

    private static String json(final String field, final String value) {
        return "{\"" + field + "\":\"" + escape(value) + "\"}";
    }

    /** @return {@code s} escaped for a JSON string. */
    static String escape(final String s) {
        final StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    private static byte[] sha256(final String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    /**
     * Builds and starts an {@link AdminServer}. Required: {@link #counters} and {@link #readiness}.
     */
    public static final class Builder {
        /** Default bind address: loopback. */
        public static final String DEFAULT_HOST = "127.0.0.1";

        private String host = DEFAULT_HOST;
        private int port;
        private String token = "";
        private SSLContext sslContext;
        private IrisCounters counters;
        private Supplier<Optional<String>> readiness;
        private AdminHandler adminHandler;

        private Builder() {
        }

        /**
         * Takes {@code admin.host}, {@code admin.port}, {@code admin.token} and, with {@code admin.tls.enabled=true},
         * the certificate and key of {@code tls.certFile} and {@code tls.keyFile}.
         *
         * @param config the configuration.
         * @return this.
         * @throws IllegalArgumentException naming the key, for a bad value or missing TLS files.
         */
        public Builder config(final IrisConfig config) {
            host(ConfigKeys.ADMIN_HOST.getString(config));
            final int p = ConfigKeys.ADMIN_PORT.getInt(config);
            if (p < 0) {
                throw new IllegalArgumentException("config key 'admin.port' is -1: no admin server configured");
            }
            port(p);
            token(ConfigKeys.ADMIN_TOKEN.getString(config));
            final String tlsEnabled = ConfigKeys.ADMIN_TLS_ENABLED.getString(config);
            if (!"true".equals(tlsEnabled) && !"false".equals(tlsEnabled)) {
                throw new IllegalArgumentException("config key 'admin.tls.enabled' must be true or false, was '"
                    + tlsEnabled + "'");
            }
            if ("true".equals(tlsEnabled)) {
                final String cert = ConfigKeys.TLS_CERT_FILE.getString(config);
                final String key = ConfigKeys.TLS_KEY_FILE.getString(config);
                if (cert.isEmpty() || key.isEmpty()) {
                    throw new IllegalArgumentException("config key 'admin.tls.enabled=true' needs 'tls.certFile' and"
                        + " 'tls.keyFile'");
                }
                tls(TlsConfig.builder().certificateChain(Path.of(cert)).privateKey(Path.of(key)).build()
                    .serverContext());
            }
            return this;
        }

        /**
         * @param host address to bind; default {@value #DEFAULT_HOST} (loopback).
         * @return this.
         */
        public Builder host(final String host) {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("admin host must not be empty");
            }
            this.host = host;
            return this;
        }

        /**
         * @param port TCP port, 0 (default) = any free port.
         * @return this.
         */
        public Builder port(final int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("admin port must be 0..65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * @param token the bearer token every request must carry; empty (default) = none required.
         * @return this.
         */
        public Builder token(final String token) {
            this.token = Objects.requireNonNull(token, "token").trim();
            return this;
        }

        /**
         * @param sslContext serve HTTPS with this context; null (default) = plain HTTP.
         * @return this.
         */
        public Builder tls(final SSLContext sslContext) {
            this.sslContext = sslContext;
            return this;
        }

        /**
         * @param counters the registry {@code /metrics} exposes.
         * @return this.
         */
        public Builder counters(final IrisCounters counters) {
            this.counters = Objects.requireNonNull(counters, "counters");
            return this;
        }

        /**
         * @param readiness asked on every {@code /ready}: empty when ready, else why not (one line).
         * @return this.
         */
        public Builder readiness(final Supplier<Optional<String>> readiness) {
            this.readiness = Objects.requireNonNull(readiness, "readiness");
            return this;
        }

        /**
         * @param handler serves {@code /admin/…}; null (default) = those paths answer 404.
         * @return this.
         */
        public Builder adminHandler(final AdminHandler handler) {
            this.adminHandler = handler;
            return this;
        }

        /**
         * @return the started server.
         * @throws IllegalStateException if counters or readiness is missing.
         * @throws UncheckedIOException  if the address cannot be bound.
         */
        public AdminServer start() {
            if (counters == null) {
                throw new IllegalStateException("admin server: counters(...) is required");
            }
            if (readiness == null) {
                throw new IllegalStateException("admin server: readiness(...) is required");
            }
            try {
                return new AdminServer(this);
            } catch (final IOException e) {
                throw new UncheckedIOException("cannot listen on " + host + ":" + port
                    + " (config keys 'admin.host', 'admin.port'): " + e.getMessage(), e);
            }
        }
    }
}
