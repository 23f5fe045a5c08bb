package io.iris.engine.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.iris.api.IrisConfig;
import io.iris.api.UserIds;
import io.iris.engine.config.ConfigKey;
import io.iris.engine.config.ConfigKeys;
import io.iris.engine.flow.SignalReading;
import io.iris.engine.routing.DeviceSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The admin API of one engine ({@link io.iris.engine.IrisEngine#admin()}), independent of the HTTP server that
 * carries it: the server authenticates the caller, then hands each {@code /admin/*} request to {@link #handle} and
 * writes the {@link Reply}. The requests and answers are documented in docs/operations.md, "Admin API":
 *
 * <pre>
 * GET  /admin/sessions?user=U                   the user's device sessions, their cursor and backlog
 * POST /admin/disconnect?user=U[&amp;device=D]       close the user's sessions (or one device)
 * POST /admin/revoke?jti=ID[&amp;expiresAt=S]         revoke a token id; close its live sessions
 * POST /admin/drain                             GOAWAY to every client, then stop (answered before stopping)
 * GET  /admin/config                            the effective configuration, secrets redacted
 * GET  /admin/overload                          the overload level and the signals behind it
 * </pre>
 *
 * <p>Why it looks like this: questions about a user are answered by the user's home shard, the only thread that
 * may read its state, through a shard command and a future ({@link EngineControl}); the thread calling
 * {@link #handle} (the HTTP server's, never a shard or I/O thread) waits for that future at most
 * {@link #SHARD_TIMEOUT_MILLIS}. Every call is logged at INFO with the caller and the action. No answer carries
 * message content or a secret configuration value ({@link ConfigRedaction}).
 *
 * <p>Status codes: 200 (202 for drain), 400 with {@code {"error": ...}} for bad or unknown query parameters,
 * 404 for an unknown path, 405 for a wrong method, 409 for a second drain, 503 when the engine cannot answer
 * (a shard queue full or too slow, the revocation list full, the engine stopped). Thread-safe.
 */
public final class AdminApi {
    /** How long {@link #handle} waits for a shard's answer. */
    public static final long SHARD_TIMEOUT_MILLIS = 5_000;
    /** Longest device id accepted (the protocol's length prefix). */
    static final int MAX_DEVICE_ID_BYTES = 255;

    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
    private static final JsonFactory JSON = new JsonFactory();

    /**
     * An answer: the HTTP status and a JSON body ({@code application/json; charset=utf-8}).
     *
     * @param status the HTTP status code.
     * @param json   the body, a JSON object.
     */
    public record Reply(int status, String json) {
        /** Validates. */
        public Reply {
            Objects.requireNonNull(json, "json");
        }
    }

    /** One route: its method, the query parameters it accepts, what it does. */
    private record Route(String method, Set<String> parameters, Action action) {
    }

    @FunctionalInterface
    private interface Action {
        Reply run(Map<String, String> query) throws IOException;
    }

    private final EngineControl engine;
    private final Map<String, Route> routes;
    private final AtomicBoolean draining = new AtomicBoolean();

    /**
     * @param engine the engine's operations (given by {@link io.iris.engine.IrisEngine#admin()}).
     */
    public AdminApi(final EngineControl engine) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.routes = Map.of(
            "/admin/sessions", new Route("GET", Set.of("user"), this::sessions),
            "/admin/disconnect", new Route("POST", Set.of("user", "device"), this::disconnect),
            "/admin/revoke", new Route("POST", Set.of("jti", "expiresAt"), this::revoke),
            "/admin/drain", new Route("POST", Set.of(), q -> drain()),
            "/admin/config", new Route("GET", Set.of(), q -> config()),
            "/admin/overload", new Route("GET", Set.of(), q -> overload()));
    }

    /**
     * Answers one admin request. Never throws for bad input: every outcome is a {@link Reply}.
     *
     * @param method the HTTP method ({@code GET}, {@code POST}).
     * @param path   the request path, e.g. {@code /admin/sessions} (no query string).
     * @param query  the decoded query parameters (null: none).
     * @param caller who asks, for the log (e.g. the remote address and the credential's name).
     * @return the status and JSON body to send.
     */
    public Reply handle(final String method, final String path, final Map<String, String> query, final String caller) {
        final Map<String, String> q = query == null ? Map.of() : query;
        final Reply reply = dispatch(method, path, q);
        LOG.info("admin {} {} {} by {}: {}", method, path, q, caller, reply.status());
        return reply;
    }

    private Reply dispatch(final String method, final String path, final Map<String, String> query) {
        final Route route = path == null ? null : routes.get(path);
        try {
            if (route == null) {
                return error(404, "no admin resource " + path + "; known: " + new TreeMap<>(routes).keySet());
            }
            if (!route.method().equals(method)) {
                return error(405, path + " takes " + route.method() + ", not " + method);
            }
            for (final String name : query.keySet()) {
                if (!route.parameters().contains(name)) {
                    return error(400, "unknown parameter '" + name + "' for " + path + "; accepted: "
                        + route.parameters().stream().sorted().toList());
                }
            }
            return route.action().run(query);
        } catch (final BadRequest e) {
            return error(400, e.getMessage());
        } catch (final Unavailable e) {
            return error(503, e.getMessage());
        } catch (final IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
    }

    private Reply sessions(final Map<String, String> query) throws IOException {
        final String user = userId(query);
        final List<DeviceSession> sessions = await(engine.sessions(user));
        return ok(200, g -> {
            g.writeStringField("user", user);
            g.writeArrayFieldStart("sessions");
            for (final DeviceSession s : sessions) {
                g.writeStartObject();
                g.writeStringField("device", s.deviceId());
                g.writeNumberField("node", s.node());
                g.writeNumberField("connectionId", s.connectionId());
                g.writeNumberField("connectedSince", s.connectedSinceMillis());
                g.writeNumberField("cursor", s.cursor());
                g.writeNumberField("lastSeq", s.lastSeq());
                g.writeNumberField("backlog", s.backlog());
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    private Reply disconnect(final Map<String, String> query) throws IOException {
        final String user = userId(query);
        final String device = query.get("device");
        if (device != null && (device.isEmpty() || device.getBytes(StandardCharsets.UTF_8).length > MAX_DEVICE_ID_BYTES)) {
            throw new BadRequest("parameter 'device' must be 1 to " + MAX_DEVICE_ID_BYTES + " bytes");
        }
        final int closed = await(engine.disconnect(user, device));
        return ok(200, g -> {
            g.writeStringField("user", user);
            if (device != null) {
                g.writeStringField("device", device);
            }
            g.writeNumberField("closed", closed);
        });
    }

    private Reply revoke(final Map<String, String> query) throws IOException {
        final String jti = query.get("jti");
        if (jti == null || jti.isEmpty()) {
            throw new BadRequest("parameter 'jti' (the token id) is required");
        }
        final String expires = query.get("expiresAt");
        Instant expiresAt = null;
        if (expires != null) {
            try {
                expiresAt = Instant.ofEpochSecond(Long.parseLong(expires));
            } catch (final NumberFormatException | DateTimeException e) {
                throw new BadRequest("parameter 'expiresAt' must be epoch seconds, got '" + expires + "'");
            }
        }
        final int closed;
        try {
            closed = engine.revokeToken(jti, expiresAt);
        } catch (final IllegalStateException e) {
            throw new Unavailable(e.getMessage()); // the revocation list is full
        }
        return ok(200, g -> {
            g.writeStringField("jti", jti);
            g.writeBooleanField("revoked", true);
            g.writeNumberField("closed", closed);
        });
    }

    private Reply drain() throws IOException {
        if (!draining.compareAndSet(false, true)) {
            return error(409, "already draining");
        }
        final Reply reply = ok(202, g -> g.writeBooleanField("draining", true));
        engine.drainAndStop(); // returns at once: the reply is written while clients get their GOAWAY
        return reply;
    }

    private Reply config() throws IOException {
        final IrisConfig config = engine.config();
        final Map<String, String> set = config.asMap();
        return ok(200, g -> {
            g.writeArrayFieldStart("keys");
            for (final ConfigKey key : ConfigKeys.all()) {
                final boolean secret = ConfigRedaction.isSecret(key.name());
                g.writeStartObject();
                g.writeStringField("key", key.name());
                g.writeStringField("value", ConfigRedaction.shown(key.name(), key.getString(config)));
                g.writeStringField("default", ConfigRedaction.shown(key.name(), key.defaultValue()));
                g.writeBooleanField("set", set.containsKey(key.name()));
                g.writeBooleanField("redacted", secret);
                g.writeEndObject();
            }
            g.writeEndArray();
            // keys of providers and of the application: not in the registry, shown (redacted) as given
            g.writeArrayFieldStart("otherKeys");
            for (final Map.Entry<String, String> e : new TreeMap<>(set).entrySet()) {
                if (ConfigKeys.named(e.getKey()) == null) {
                    g.writeStartObject();
                    g.writeStringField("key", e.getKey());
                    g.writeStringField("value", ConfigRedaction.shown(e.getKey(), e.getValue()));
                    g.writeBooleanField("redacted", ConfigRedaction.isSecret(e.getKey()));
                    g.writeEndObject();
                }
            }
            g.writeEndArray();
        });
    }

    private Reply overload() throws IOException {
        final String level = engine.overloadLevel().name();
        final List<SignalReading> readings = engine.overloadSignals();
        return ok(200, g -> {
            g.writeStringField("level", level);
            g.writeArrayFieldStart("signals");
            for (final SignalReading r : readings) {
                g.writeStartObject();
                g.writeStringField("signal", r.signal().key());
                g.writeStringField("unit", r.signal().unit());
                g.writeNumberField("value", r.value());
                g.writeArrayFieldStart("enter");
                for (final double t : r.enter()) {
                    g.writeNumber(t);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("exit");
                for (final double t : r.exit()) {
                    g.writeNumber(t);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    private static String userId(final Map<String, String> query) {
        final String user = query.get("user");
        if (user == null) {
            throw new BadRequest("parameter 'user' is required");
        }
        final String problem = UserIds.problem(user);
        if (problem != null) {
            throw new BadRequest("parameter 'user': " + problem);
        }
        return user;
    }

    private static <T> T await(final CompletableFuture<T> future) {
        try {
            return future.get(SHARD_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (final TimeoutException e) {
            future.cancel(false);
            throw new Unavailable("the user's shard did not answer within " + SHARD_TIMEOUT_MILLIS + " ms");
        } catch (final ExecutionException e) {
            throw new Unavailable(e.getCause().getMessage());
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while waiting for the user's shard");
        }
    }

    @FunctionalInterface
    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static Reply ok(final int status, final Body body) throws IOException {
        final StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            body.write(g);
            g.writeEndObject();
        }
        return new Reply(status, out.toString());
    }

    private static Reply error(final int status, final String message) {
        try {
            return ok(status, g -> g.writeStringField("error", message));
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Bad input: answered 400 with its message. */
    private static final class BadRequest extends RuntimeException {
        BadRequest(final String message) {
            super(message, null, false, false);
        }
    }

    /** The engine could not answer: 503 with its message. */
    private static final class Unavailable extends RuntimeException {
        Unavailable(final String message) {
            super(message, null, false, false);
        }
    }
}
