package io.iris.examples;

import io.iris.api.IrisConfig;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * {@code iris-server.jar admin ...}: the operator's command line for a running server's admin API
 * (docs/operations.md, "Admin API"), over HTTP with the JDK {@link HttpClient}.
 *
 * <pre>
 * admin sessions USER                 the user's device sessions (cursor, backlog)
 * admin disconnect USER [DEVICE]      close the user's sessions, or one device's
 * admin revoke JTI [--expires=EXP]    revoke a token id now, closing its live sessions
 * admin drain                         GOAWAY to every client, then stop the server
 * admin config                        the effective configuration, secrets redacted
 * admin overload                      the overload level and its signals
 * options: --admin=http://127.0.0.1:PORT (the admin server), --token=TOKEN (sent as Authorization: Bearer)
 * </pre>
 *
 * The server's JSON answer is printed on standard output. Exit codes: {@value #OK} success; {@value #FAILED}
 * the server is unreachable or could not answer (5xx, timeout); {@value #USAGE} a bad command line, or the
 * server refused the request as bad (400, 404, 405, 409); {@value #UNAUTHORIZED} the token was refused (401, 403).
 */
public final class AdminCommand {
    /** Exit code: done. */
    public static final int OK = 0;
    /** Exit code: server unreachable, or it failed to answer. */
    public static final int FAILED = 1;
    /** Exit code: bad command line, or a request the server refused as bad. */
    public static final int USAGE = 2;
    /** Exit code: the admin token was refused. */
    public static final int UNAUTHORIZED = 3;

    static final String HELP = "usage: java -jar iris-server.jar admin COMMAND --admin=http://127.0.0.1:PORT --token=TOKEN\n"
        + "  sessions USER               the user's device sessions (cursor, backlog)\n"
        + "  disconnect USER [DEVICE]    close the user's sessions, or one device's\n"
        + "  revoke JTI [--expires=EPOCH_SECONDS|ISO_INSTANT|30d]  revoke a token id, closing its live sessions\n"
        + "  drain                       GOAWAY to every client, then stop the server\n"
        + "  config                      the effective configuration, secrets redacted\n"
        + "  overload                    the overload level and its signals";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final JsonFactory JSON = new JsonFactory();

    /** One admin request: method, path under the server's base URL, query parameters. */
    private record Request(String method, String path, Map<String, String> query) {
    }

    private AdminCommand() {
    }

    /**
     * Runs one admin command.
     *
     * @param args the arguments after {@code admin}.
     * @param out  where the server's answer goes.
     * @param err  where errors go.
     * @return the exit code.
     */
    public static int run(final List<String> args, final PrintStream out, final PrintStream err) {
        final List<String> positional = new ArrayList<>();
        String base = null;
        String token = null;
        String expires = null;
        for (final String a : args) {
            if (a.startsWith("--admin=")) {
                base = a.substring("--admin=".length());
            } else if (a.startsWith("--token=")) {
                token = a.substring("--token=".length());
            } else if (a.startsWith("--expires=")) {
                expires = a.substring("--expires=".length());
            } else if (a.startsWith("--")) {
                return usage(err, "unknown option " + a);
            } else {
                positional.add(a);
            }
        }
        if (positional.size() == 1 && IrisMain.isHelp(positional.get(0))) {
            out.println(HELP);
            return OK;
        }
        final Request request;
        final URI uri;
        try {
            request = request(positional, expires);
            if (base == null || token == null) {
                // the server's own configuration (bundled defaults, the distribution's conf, the environment)
                final IrisConfig config = ServerConfig.load(new ArrayList<>(), System.getenv());
                final long port = config.getLong("admin.port", -1);
                if (base == null && port > 0) {
                    base = (config.getBoolean("admin.tls.enabled", false) ? "https://" : "http://")
                        + config.getString("admin.host", "127.0.0.1") + ":" + port;
                }
                if (token == null) {
                    token = config.getString("admin.token", "");
                }
            }
            if (base == null) {
                throw new IllegalArgumentException("--admin=http://HOST:PORT (the server's admin address) is required"
                    + " when the configuration sets no admin.port");
            }
            if (token == null || token.isEmpty()) {
                throw new IllegalArgumentException("--token=TOKEN (the server's admin token) is required when the"
                    + " configuration sets no admin.token");
            }
            uri = uri(base, request);
        } catch (final IllegalArgumentException e) {
            return usage(err, e.getMessage());
        }
        return send(uri, request.method(), token, out, err);
    }

    private static Request request(final List<String> positional, final String expires) {
        if (positional.isEmpty()) {
            throw new IllegalArgumentException("which admin command?");
        }
        final String command = positional.get(0);
        final List<String> operands = positional.subList(1, positional.size());
        if (expires != null && !command.equals("revoke")) {
            throw new IllegalArgumentException("--expires goes with revoke");
        }
        final Map<String, String> query = new LinkedHashMap<>();
        switch (command) {
            case "sessions":
                operands(command, operands, 1, 1, "USER");
                query.put("user", operands.get(0));
                return new Request("GET", "/admin/sessions", query);
            case "disconnect":
                operands(command, operands, 1, 2, "USER [DEVICE]");
                query.put("user", operands.get(0));
                if (operands.size() == 2) {
                    query.put("device", operands.get(1));
                }
                return new Request("POST", "/admin/disconnect", query);
            case "revoke":
                operands(command, operands, 1, 1, "JTI [--expires=...]");
                query.put("jti", operands.get(0));
                if (expires != null) {
                    query.put("expiresAt", Long.toString(IrisMain.parseInstant(expires).getEpochSecond()));
                }
                return new Request("POST", "/admin/revoke", query);
            case "drain":
            case "config":
            case "overload":
                operands(command, operands, 0, 0, "");
                return new Request(command.equals("drain") ? "POST" : "GET", "/admin/" + command, query);
            default:
                throw new IllegalArgumentException("unknown admin command '" + command + "'");
        }
    }

    private static void operands(final String command, final List<String> operands, final int min, final int max,
                                 final String form) {
        if (operands.size() < min || operands.size() > max) {
            throw new IllegalArgumentException("admin " + command + " takes " + (form.isEmpty() ? "no operands" : form)
                + ", got " + operands);
        }
    }

    private static URI uri(final String base, final Request request) {
        final String trimmed = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        final StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        request.query().forEach((k, v) -> query.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        final URI uri;
        try {
            uri = new URI(trimmed + request.path() + query);
        } catch (final URISyntaxException e) {
            throw new IllegalArgumentException("bad --admin URL '" + base + "': " + e.getMessage(), e);
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("bad --admin URL '" + base + "': use http://HOST:PORT");
        }
        return uri;
    }

    private static int send(final URI uri, final String method, final String token, final PrintStream out,
                            final PrintStream err) {
        final HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
        final HttpRequest request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT)
            .header("Authorization", "Bearer " + token)
            .method(method, HttpRequest.BodyPublishers.noBody()).build();
        final HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (final ConnectException | HttpConnectTimeoutException e) {
            err.println("iris admin: cannot reach the admin server at " + origin(uri) + " (" + e + "): is the server"
                + " running with its admin port there?");
            return FAILED;
        } catch (final HttpTimeoutException e) {
            err.println("iris admin: no answer from " + origin(uri) + " within " + REQUEST_TIMEOUT.toSeconds() + " s");
            return FAILED;
        } catch (final IOException e) {
            err.println("iris admin: request to " + origin(uri) + " failed: " + e);
            return FAILED;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("iris admin: interrupted");
            return FAILED;
        }
        final int status = response.statusCode();
        if (status / 100 == 2) {
            out.println(response.body());
            return OK;
        }
        final String error = errorOf(response.body());
        if (status == 401 || status == 403) {
            err.println("iris admin: the admin server refused the token (" + status + ")" + error + ": check --token");
            return UNAUTHORIZED;
        }
        if (status == 404) {
            err.println("iris admin: " + uri.getPath() + " not found (404)" + error + ": is " + origin(uri)
                + " an Iris admin server, and --admin its base URL?");
            return USAGE;
        }
        err.println("iris admin: " + method + " " + uri.getPath() + " answered " + status + error);
        return status / 100 == 4 ? USAGE : FAILED;
    }

    private static String origin(final URI uri) {
        return uri.getScheme() + "://" + uri.getAuthority();
    }

    /** @return {@code ": <the error field>"} of a JSON error body, else {@code ""}. */
    private static String errorOf(final String body) {
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return "";
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                final String name = p.currentName();
                final JsonToken value = p.nextToken();
                if ("error".equals(name) && value == JsonToken.VALUE_STRING) {
                    return ": " + p.getText();
                }
                p.skipChildren();
            }
        } catch (final IOException e) {
            return ""; // not JSON: the status says enough
        }
        return "";
    }

    private static int usage(final PrintStream err, final String problem) {
        err.println("iris admin: " + problem);
        err.println(HELP);
        return USAGE;
    }
}
