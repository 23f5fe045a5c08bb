package io.iris.discovery.consul;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.iris.api.discovery.Member;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for a Consul agent's HTTP API — there is no Consul binary on these machines — that
 * implements exactly the endpoints and semantics the provider uses, as the Consul API documentation
 * describes them:
 * <ul>
 *   <li>{@code PUT /v1/agent/service/register} with a {@code Check} holding a {@code TTL}: the check
 *       starts <em>critical</em>, as Consul's TTL checks do;</li>
 *   <li>{@code PUT /v1/agent/check/pass/<check id>}: passing until the TTL elapses without another pass,
 *       then critical; 404 for an unknown check;</li>
 *   <li>{@code PUT /v1/agent/service/deregister/<id>};</li>
 *   <li>{@code GET /v1/health/service/<name>?passing[&index=N&wait=Ds]}: the instances whose check passes,
 *       with {@code X-Consul-Index}; with an {@code index} equal to the current one it blocks until the
 *       state changes or the wait elapses (a timeout answers the same list and index);</li>
 *   <li>ACL: with a token configured, a request without that {@code X-Consul-Token} gets 403.</li>
 * </ul>
 * One global index, raised by every change (as a single agent's Raft index is). {@link #stop()} and
 * {@link #restart()} take the HTTP listener away and back on the same port with the same state.
 */
final class ConsulStandIn implements AutoCloseable {
    private static final JsonFactory JSON = new JsonFactory();

    /** One service instance and its check. */
    private static final class Instance {
        final String name;
        final Member member;
        final long ttlMillis;
        boolean passing;
        long lastPassNanos;

        Instance(final String name, final Member member, final long ttlMillis, final boolean passing) {
            this.name = name;
            this.member = member;
            this.ttlMillis = ttlMillis;
            this.passing = passing;
            this.lastPassNanos = System.nanoTime();
        }
    }

    private final String token;
    private final Map<String, Instance> instances = new LinkedHashMap<>();
    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(r -> {
        final Thread t = new Thread(r, "consul-stand-in-ttl");
        t.setDaemon(true);
        return t;
    });
    private final java.util.List<String> healthQueries = new java.util.concurrent.CopyOnWriteArrayList<>();
    private int registrations;
    private long index = 10;
    private int port;
    private HttpServer server;
    private ExecutorService handlers;
    private boolean stopped;

    /** @param token the ACL token every request must carry, or null for none. */
    ConsulStandIn(final String token) throws IOException {
        this.token = token;
        listen(0);
        reaper.scheduleAtFixedRate(this::expireChecks, 20, 20, TimeUnit.MILLISECONDS);
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Makes the service {@code name} hold exactly {@code members} as always-passing instances (no TTL). */
    synchronized void setInstances(final String name, final Iterable<Member> members) {
        instances.values().removeIf(i -> i.name.equals(name) && i.ttlMillis == 0);
        for (final Member m : members) {
            instances.put(m.id(), new Instance(name, m, 0, true));
        }
        changed();
    }

    /** @return the query strings of every health request so far. */
    java.util.List<String> healthQueries() {
        return healthQueries;
    }

    /** @return how many service registrations the agent received. */
    synchronized int registrations() {
        return registrations;
    }

    /**
     * Forgets a service and its check, as an agent restarted without its state does.
     *
     * @param id the service id.
     */
    synchronized void forget(final String id) {
        deregister(id);
    }

    /** Sets the index lower, as an agent restarted from an older snapshot does, and wakes blocked queries. */
    synchronized void rewindIndex(final long to) {
        index = to;
        notifyAll();
    }

    synchronized void stop() {
        stopped = true;
        notifyAll();
        server.stop(0);
        handlers.shutdownNow();
    }

    synchronized void restart() throws IOException {
        stopped = false;
        listen(port);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (!stopped) {
                stop();
            }
        }
        reaper.shutdownNow();
    }

    private void listen(final int onPort) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 16);
        handlers = Executors.newCachedThreadPool(r -> {
            final Thread t = new Thread(r, "consul-stand-in-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
        server.start();
        port = server.getAddress().getPort();
    }

    private void changed() {
        index++;
        notifyAll();
    }

    private synchronized void expireChecks() {
        final long now = System.nanoTime();
        for (final Instance i : instances.values()) {
            if (i.passing && i.ttlMillis > 0 && now - i.lastPassNanos > TimeUnit.MILLISECONDS.toNanos(i.ttlMillis)) {
                i.passing = false;
                changed();
            }
        }
    }

    private void handle(final HttpExchange exchange) throws IOException {
        try (exchange) {
            if (token != null && !token.equals(exchange.getRequestHeaders().getFirst("X-Consul-Token"))) {
                respond(exchange, 403, "Permission denied", -1);
                return;
            }
            final String path = exchange.getRequestURI().getRawPath();
            final String method = exchange.getRequestMethod();
            if (method.equals("PUT") && path.equals("/v1/agent/service/register")) {
                register(exchange.getRequestBody());
                respond(exchange, 200, "", -1);
            } else if (method.equals("PUT") && path.startsWith("/v1/agent/check/pass/")) {
                final boolean known = pass(decode(path.substring("/v1/agent/check/pass/".length())));
                respond(exchange, known ? 200 : 404, known ? "" : "Unknown check ID", -1);
            } else if (method.equals("PUT") && path.startsWith("/v1/agent/service/deregister/")) {
                final boolean known = deregister(decode(path.substring("/v1/agent/service/deregister/".length())));
                respond(exchange, known ? 200 : 404, known ? "" : "Unknown service ID", -1);
            } else if (method.equals("GET") && path.startsWith("/v1/health/service/")) {
                health(exchange, decode(path.substring("/v1/health/service/".length())));
            } else {
                respond(exchange, 405, "not implemented by the stand-in: " + method + " " + path, -1);
            }
        }
    }

    private synchronized void register(final InputStream body) throws IOException {
        String id = null;
        String name = null;
        String address = null;
        int servicePort = 0;
        long ttl = 0;
        try (JsonParser p = JSON.createParser(body)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                final String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "ID": id = p.getValueAsString(); break;
                    case "Name": name = p.getValueAsString(); break;
                    case "Address": address = p.getValueAsString(); break;
                    case "Port": servicePort = p.getValueAsInt(); break;
                    case "Check":
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            final String checkField = p.currentName();
                            p.nextToken();
                            if (checkField.equals("TTL")) {
                                ttl = durationMillis(p.getValueAsString());
                            } else if (checkField.equals("CheckID") && !("service:" + id).equals(p.getValueAsString())) {
                                throw new IOException("the stand-in expects CheckID service:<ID>");
                            }
                        }
                        break;
                    default: p.skipChildren();
                }
            }
        }
        if (ttl <= 0) {
            throw new IOException("the stand-in expects a TTL check");
        }
        registrations++;
        // a TTL check starts critical until the first pass
        instances.put(id, new Instance(name, new Member(id, address, servicePort), ttl, false));
        changed();
    }

    private synchronized boolean pass(final String checkId) {
        if (!checkId.startsWith("service:")) {
            return false;
        }
        final Instance i = instances.get(checkId.substring("service:".length()));
        if (i == null || i.ttlMillis == 0) {
            return false;
        }
        i.lastPassNanos = System.nanoTime();
        if (!i.passing) {
            i.passing = true;
            changed();
        }
        return true;
    }

    private synchronized boolean deregister(final String id) {
        final boolean known = instances.remove(id) != null;
        if (known) {
            changed();
        }
        return known;
    }

    private void health(final HttpExchange exchange, final String name) throws IOException {
        healthQueries.add(String.valueOf(exchange.getRequestURI().getRawQuery()));
        final Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        if (!query.containsKey("passing")) {
            respond(exchange, 400, "the stand-in serves ?passing only", -1);
            return;
        }
        final long wanted = Long.parseLong(query.getOrDefault("index", "0"));
        final long waitMillis = query.containsKey("wait") ? durationMillis(query.get("wait")) : 300_000;
        final StringBuilder json = new StringBuilder("[");
        final long answeredIndex;
        synchronized (this) {
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
            while (wanted > 0 && wanted >= index && !stopped) {
                final long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    break;
                }
                try {
                    wait(left);
                } catch (final InterruptedException e) {
                    return;
                }
            }
            if (stopped) {
                return;
            }
            for (final Instance i : instances.values()) {
                if (i.name.equals(name) && i.passing) {
                    json.append(json.length() > 1 ? "," : "")
                        .append("{\"Node\":{\"Node\":\"agent-1\",\"Address\":\"127.0.0.1\"},")
                        .append("\"Service\":{\"ID\":\"").append(i.member.id()).append("\",\"Service\":\"")
                        .append(name).append("\",\"Address\":\"").append(i.member.host()).append("\",\"Port\":")
                        .append(i.member.port()).append("},\"Checks\":[{\"Status\":\"passing\"}]}");
                }
            }
            answeredIndex = index;
        }
        respond(exchange, 200, json.append(']').toString(), answeredIndex);
    }

    private static void respond(final HttpExchange exchange, final int status, final String body, final long index)
        throws IOException {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (index > 0) {
            exchange.getResponseHeaders().add("X-Consul-Index", Long.toString(index));
        }
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static Map<String, String> query(final String raw) {
        final Map<String, String> params = new HashMap<>();
        if (raw != null) {
            for (final String pair : raw.split("&")) {
                final int eq = pair.indexOf('=');
                params.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        return params;
    }

    /** Go durations as the provider writes them: {@code 1500ms}, {@code 10s}, {@code 1m}. */
    private static long durationMillis(final String text) {
        if (text.endsWith("ms")) {
            return Long.parseLong(text.substring(0, text.length() - 2));
        }
        if (text.endsWith("s")) {
            return TimeUnit.SECONDS.toMillis(Long.parseLong(text.substring(0, text.length() - 1)));
        }
        if (text.endsWith("m")) {
            return TimeUnit.MINUTES.toMillis(Long.parseLong(text.substring(0, text.length() - 1)));
        }
        throw new IllegalArgumentException("duration " + text);
    }

    private static String decode(final String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }
}
