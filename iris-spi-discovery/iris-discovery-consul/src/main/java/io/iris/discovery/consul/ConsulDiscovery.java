package io.iris.discovery.consul;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.iris.api.discovery.Member;
import io.iris.api.discovery.SourceDiscovery;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Membership from a Consul agent's health API, and this node's registration there.
 *
 * <p>Why it is built this way: {@code GET /v1/health/service/<name>?passing} answers the complete list
 * of healthy instances, and as a blocking query ({@code index}, {@code wait}) it answers as soon as
 * anything changed, or after {@code wait} with the same list. One thread ({@code
 * iris-discovery-consul-watch}) loops on it and publishes every answer whole; {@link io.iris.api.discovery.Membership}
 * drops the answers that change nothing. Following Consul's blocking-query rules, the index from
 * {@code X-Consul-Index} is reset to 0 when it goes backwards (an agent restarted or a snapshot was
 * restored) and never used when it is not positive. A failed query keeps the last good list, is
 * counted, and is retried with a doubling backoff.
 *
 * <p>Registration (with {@code discovery.self}): {@code PUT /v1/agent/service/register} with a TTL
 * check, which Consul creates critical; the thread {@code iris-discovery-consul-check} then passes it
 * at once and every third of the TTL ({@code PUT /v1/agent/check/pass/service:<id>}). A 404 means the
 * agent forgot the service (it restarted without persisted state): the thread registers again. A node
 * that dies stops passing; its check turns critical after the TTL and it leaves the passing list.
 * {@link #close()} deregisters it at once ({@code PUT /v1/agent/service/deregister/<id>}). Every
 * request carries {@code X-Consul-Token} when a token is configured.
 */
final class ConsulDiscovery extends SourceDiscovery {
    private static final Logger LOG = LoggerFactory.getLogger(ConsulDiscovery.class);
    private static final JsonFactory JSON = new JsonFactory();

    private final ConsulDiscoveryProvider.Settings settings;
    private final HttpClient http;
    private final CountDownLatch registered = new CountDownLatch(1);

    private ConsulDiscovery(final ConsulDiscoveryProvider.Settings settings) {
        super("discovery=consul (" + settings.url() + " service " + settings.service() + ")");
        this.settings = settings;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(settings.timeoutMillis()))
            .version(HttpClient.Version.HTTP_1_1).build();
    }

    /**
     * Starts watching (and registering) and waits up to the start timeout for the first list and, with
     * {@code discovery.self}, the first passing registration.
     *
     * @throws IllegalStateException naming {@code discovery.consul.url} if the agent did not answer in time.
     */
    static ConsulDiscovery start(final ConsulDiscoveryProvider.Settings settings) {
        final ConsulDiscovery discovery = new ConsulDiscovery(settings);
        discovery.startThread("iris-discovery-consul-watch", discovery::watchLoop);
        if (settings.self().isPresent()) {
            discovery.startThread("iris-discovery-consul-check", discovery::checkLoop);
        }
        discovery.awaitStart(settings.startTimeoutMillis(), settings.self().isPresent() ? discovery.registered : null,
            "discovery=consul: no answer from " + ConsulDiscoveryProvider.KEY_URL + "=" + settings.url() + " within "
                + ConsulDiscoveryProvider.KEY_START_TIMEOUT + "=" + settings.startTimeoutMillis() + " ms");
        return discovery;
    }

    @Override
    protected void stopped() {
        if (settings.self().isEmpty()) {
            return;
        }
        final String id = settings.self().get().id();
        try {
            put("/v1/agent/service/deregister/" + encode(id), null);
        } catch (final IOException e) {
            LOG.warn("discovery=consul: could not deregister " + id + " on close (its check turns"
                + " critical after the TTL): " + e);
        }
    }

    private void watchLoop() {
        long index = 0;
        long backoff = FIRST_BACKOFF_MILLIS;
        while (!isClosed()) {
            try {
                final String query = "/v1/health/service/" + encode(settings.service()) + "?passing=true"
                    + (index > 0 ? "&index=" + index + "&wait=" + settings.waitSeconds() + "s" : "");
                // Consul adds up to wait/16 of jitter to a blocking query
                final long timeout = settings.timeoutMillis()
                    + (index > 0 ? TimeUnit.SECONDS.toMillis(settings.waitSeconds()) * 17 / 16 : 0);
                final HttpResponse<InputStream> response = send(request(query).GET(), timeout);
                final List<Member> members;
                try (InputStream body = response.body()) {
                    members = parseHealth(body);
                }
                membership().update(members);
                final long next = response.headers().firstValueAsLong("X-Consul-Index").orElse(0);
                index = next < index || next <= 0 ? 0 : next;
                backoff = FIRST_BACKOFF_MILLIS;
            } catch (final IOException | RuntimeException e) {
                if (isClosed()) {
                    return;
                }
                membership().sourceFailed("health query", e);
                index = 0;
                pause(backoff);
                backoff = nextBackoff(backoff, settings.maxBackoffMillis());
            }
        }
    }

    private void checkLoop() {
        final Member self = settings.self().orElseThrow();
        final String checkPath = "/v1/agent/check/pass/" + encode("service:" + self.id());
        final long interval = Math.max(100, settings.ttlMillis() / 3);
        boolean needRegister = true;
        long backoff = FIRST_BACKOFF_MILLIS;
        while (!isClosed()) {
            long wait = interval;
            try {
                if (needRegister) {
                    put("/v1/agent/service/register", registration(self));
                    needRegister = false;
                }
                final int status = put(checkPath, null);
                if (status == 404) {
                    LOG.warn("discovery=consul: the agent does not know " + self.id()
                        + "'s check; registering again");
                    needRegister = true;
                    wait = 0;
                } else {
                    registered.countDown();
                    membership().sourceAnswered();
                    backoff = FIRST_BACKOFF_MILLIS;
                }
            } catch (final IOException | RuntimeException e) {
                if (isClosed()) {
                    return;
                }
                membership().sourceFailed("check pass", e);
                wait = Math.min(backoff, interval);
                backoff = nextBackoff(backoff, settings.maxBackoffMillis());
            }
            pause(wait);
        }
    }

    private String registration(final Member self) {
        return "{\"ID\":" + quote(self.id()) + ",\"Name\":" + quote(settings.service())
            + ",\"Address\":" + quote(self.host()) + ",\"Port\":" + self.port()
            + ",\"Check\":{\"CheckID\":" + quote("service:" + self.id()) + ",\"Name\":\"iris node TTL\""
            + ",\"TTL\":\"" + settings.ttlMillis() + "ms\",\"DeregisterCriticalServiceAfter\":\"1m\"}}";
    }

    /** @return the status: 200, or 404 for an unknown service or check; anything else throws. */
    private int put(final String path, final String json) throws IOException {
        final HttpRequest.Builder request = request(path).PUT(json == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        final HttpResponse<InputStream> response = sendAllowing404(request, settings.timeoutMillis());
        response.body().close();
        return response.statusCode();
    }

    private HttpRequest.Builder request(final String pathAndQuery) {
        final HttpRequest.Builder builder = HttpRequest.newBuilder(settings.url().resolve(URI.create(pathAndQuery)));
        settings.token().ifPresent(t -> builder.header("X-Consul-Token", t));
        return builder;
    }

    private HttpResponse<InputStream> send(final HttpRequest.Builder request, final long timeoutMillis) throws IOException {
        final HttpResponse<InputStream> response = sendAllowing404(request, timeoutMillis);
        if (response.statusCode() == 404) {
            response.body().close();
            throw new IOException(response.request().uri() + " answered HTTP 404");
        }
        return response;
    }

    private HttpResponse<InputStream> sendAllowing404(final HttpRequest.Builder request, final long timeoutMillis)
        throws IOException {
        try {
            final HttpResponse<InputStream> response = http.send(request.timeout(Duration.ofMillis(timeoutMillis)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200 && response.statusCode() != 404) {
                final String text;
                try (InputStream in = response.body()) {
                    text = new String(in.readNBytes(512), StandardCharsets.UTF_8).trim();
                }
                throw new IOException(response.request().uri() + " answered HTTP " + response.statusCode()
                    + (response.statusCode() == 403 ? " (check " + ConsulDiscoveryProvider.KEY_TOKEN + ")" : "")
                    + ": " + text);
            }
            return response;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Reads the health endpoint's array: each entry's Service (ID, Address, Port), Node.Address as the fallback host. */
    static List<Member> parseHealth(final InputStream in) throws IOException {
        final List<Member> members = new ArrayList<>();
        try (JsonParser p = JSON.createParser(in)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new IOException("health answer is not a JSON array");
            }
            while (p.nextToken() == JsonToken.START_OBJECT) {
                String id = null;
                String address = "";
                String nodeAddress = "";
                int port = 0;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    final String field = p.currentName();
                    p.nextToken();
                    if ((field.equals("Service") || field.equals("Node")) && p.currentToken() == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            final String name = p.currentName();
                            p.nextToken();
                            if (field.equals("Node") && name.equals("Address")) {
                                nodeAddress = p.getValueAsString("");
                            } else if (field.equals("Service") && name.equals("ID")) {
                                id = p.getValueAsString();
                            } else if (field.equals("Service") && name.equals("Address")) {
                                address = p.getValueAsString("");
                            } else if (field.equals("Service") && name.equals("Port")) {
                                port = p.getValueAsInt(0);
                            } else {
                                p.skipChildren();
                            }
                        }
                    } else {
                        p.skipChildren();
                    }
                }
                try {
                    members.add(new Member(id, address.isEmpty() ? nodeAddress : address, port));
                } catch (final IllegalArgumentException e) {
                    LOG.warn("discovery=consul: ignoring a service instance: " + e.getMessage());
                }
            }
        }
        return members;
    }

    private static String encode(final String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static String quote(final String text) {
        final StringBuilder out = new StringBuilder("\"");
        for (final char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.append('"').toString();
    }
}
