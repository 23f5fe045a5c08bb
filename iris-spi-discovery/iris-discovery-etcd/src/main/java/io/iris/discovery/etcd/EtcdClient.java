package io.iris.discovery.etcd;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * The few calls of etcd's v3 HTTP/JSON gateway (grpc-gateway over the KV, Lease and Watch services)
 * that the provider needs, through the JDK's HTTP client. Keys and values travel base64-encoded, 64-bit
 * numbers as JSON strings; a streaming call (watch) answers one JSON object per line.
 *
 * <p>Several endpoints may be given (the members of an etcd cluster): a call goes to the current one,
 * and a failed call moves to the next for the following call. Not thread-safe for that choice only
 * (a stale index is harmless).
 */
final class EtcdClient {
    private static final JsonFactory JSON = new JsonFactory();

    private final List<URI> endpoints;
    private final Duration timeout;
    private final HttpClient http;
    private volatile int current;

    EtcdClient(final List<URI> endpoints, final Duration timeout) {
        this.endpoints = List.copyOf(endpoints);
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    /** One key and its value. */
    record KeyValue(String key, String value) {
    }

    /** A complete listing of a prefix and the store revision it was read at. */
    record Listing(long revision, List<KeyValue> kvs) {
    }

    /** @return the endpoint calls go to now. */
    URI endpoint() {
        return endpoints.get(current % endpoints.size());
    }

    Listing range(final String prefix) throws IOException {
        final String body = "{\"key\":\"" + b64(prefix) + "\",\"range_end\":\"" + b64(rangeEnd(prefix.getBytes(StandardCharsets.UTF_8))) + "\"}";
        try (InputStream in = post("/v3/kv/range", body)) {
            return parseRange(in);
        }
    }

    void put(final String key, final String value, final long lease) throws IOException {
        post("/v3/kv/put", "{\"key\":\"" + b64(key) + "\",\"value\":\"" + b64(value) + "\""
            + (lease != 0 ? ",\"lease\":\"" + lease + "\"" : "") + "}").close();
    }

    void delete(final String key) throws IOException {
        post("/v3/kv/deleterange", "{\"key\":\"" + b64(key) + "\"}").close();
    }

    /** @return the id of a new lease of {@code ttlSeconds}. */
    long grant(final int ttlSeconds) throws IOException {
        try (InputStream in = post("/v3/lease/grant", "{\"TTL\":\"" + ttlSeconds + "\"}")) {
            final String id = topLevelScalar(in, "ID");
            if (id == null) {
                throw new IOException("lease grant answered no ID");
            }
            return Long.parseLong(id);
        }
    }

    /** @return false when the lease no longer exists (it expired): the registration must be made again. */
    boolean keepAlive(final long lease) throws IOException {
        try (InputStream in = post("/v3/lease/keepalive", "{\"ID\":\"" + lease + "\"}")) {
            final String ttl = resultScalar(in, "TTL");
            return ttl != null && Long.parseLong(ttl) > 0;
        }
    }

    void revoke(final long lease) throws IOException {
        post("/v3/lease/revoke", "{\"ID\":\"" + lease + "\"}").close();
    }

    /**
     * Opens a watch of the prefix from {@code fromRevision}; the caller reads one JSON object per line
     * ({@link #watchLine}) and closes the stream to cancel it.
     */
    InputStream watch(final String prefix, final long fromRevision) throws IOException {
        final String body = "{\"create_request\":{\"key\":\"" + b64(prefix) + "\",\"range_end\":\""
            + b64(rangeEnd(prefix.getBytes(StandardCharsets.UTF_8))) + "\",\"start_revision\":\"" + fromRevision + "\"}}";
        return send("/v3/watch", body, null);
    }

    /** What one line of a watch stream says. */
    enum WatchLine { CREATED, EVENTS, ENDED, OTHER }

    static WatchLine watchLine(final String line) throws IOException {
        try (JsonParser p = JSON.createParser(line)) {
            expect(p, JsonToken.START_OBJECT);
            WatchLine kind = WatchLine.OTHER;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                final String field = p.currentName();
                p.nextToken();
                if (field.equals("error")) {
                    return WatchLine.ENDED;
                }
                if (!field.equals("result") || p.currentToken() != JsonToken.START_OBJECT) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    final String name = p.currentName();
                    final JsonToken value = p.nextToken();
                    if (name.equals("canceled") && value == JsonToken.VALUE_TRUE) {
                        return WatchLine.ENDED;
                    } else if (name.equals("events") && value == JsonToken.START_ARRAY) {
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            kind = WatchLine.EVENTS;
                            p.skipChildren();
                        }
                    } else if (name.equals("created") && value == JsonToken.VALUE_TRUE && kind == WatchLine.OTHER) {
                        kind = WatchLine.CREATED;
                    } else {
                        p.skipChildren();
                    }
                }
            }
            return kind;
        }
    }

    private InputStream post(final String path, final String body) throws IOException {
        return send(path, body, timeout);
    }

    private InputStream send(final String path, final String body, final Duration requestTimeout) throws IOException {
        final URI endpoint = endpoint();
        final HttpRequest.Builder request = HttpRequest.newBuilder(endpoint.resolve(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (requestTimeout != null) {
            request.timeout(requestTimeout);
        }
        try {
            final HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                final String text;
                try (InputStream in = response.body()) {
                    text = new String(in.readNBytes(512), StandardCharsets.UTF_8);
                }
                throw new IOException(endpoint + path + " answered HTTP " + response.statusCode() + ": " + text);
            }
            return response.body();
        } catch (final IOException e) {
            current++;
            throw e;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    static Listing parseRange(final InputStream in) throws IOException {
        long revision = -1;
        final List<KeyValue> kvs = new ArrayList<>();
        try (JsonParser p = JSON.createParser(in)) {
            expect(p, JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                final String field = p.currentName();
                p.nextToken();
                if (field.equals("header") && p.currentToken() == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        final String name = p.currentName();
                        p.nextToken();
                        if (name.equals("revision")) {
                            revision = Long.parseLong(p.getValueAsString());
                        } else {
                            p.skipChildren();
                        }
                    }
                } else if (field.equals("kvs") && p.currentToken() == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        String key = null;
                        String value = "";
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            final String name = p.currentName();
                            p.nextToken();
                            if (name.equals("key")) {
                                key = unb64(p.getValueAsString());
                            } else if (name.equals("value")) {
                                value = unb64(p.getValueAsString());
                            } else {
                                p.skipChildren();
                            }
                        }
                        if (key != null) {
                            kvs.add(new KeyValue(key, value));
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        }
        if (revision < 0) {
            throw new IOException("range answer without a header revision");
        }
        return new Listing(revision, kvs);
    }

    /** @return the scalar {@code field} of the top-level object, or null. */
    private static String topLevelScalar(final InputStream in, final String field) throws IOException {
        try (JsonParser p = JSON.createParser(in)) {
            expect(p, JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                final String name = p.currentName();
                p.nextToken();
                if (name.equals(field) && p.currentToken().isScalarValue()) {
                    return p.getValueAsString();
                }
                p.skipChildren();
            }
            return null;
        }
    }

    /** @return the scalar {@code field} of the object under the top-level {@code result} (streaming calls), or null. */
    private static String resultScalar(final InputStream in, final String field) throws IOException {
        try (JsonParser p = JSON.createParser(in)) {
            expect(p, JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                final String name = p.currentName();
                p.nextToken();
                if (name.equals("result") && p.currentToken() == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        final String inner = p.currentName();
                        p.nextToken();
                        if (inner.equals(field) && p.currentToken().isScalarValue()) {
                            return p.getValueAsString();
                        }
                        p.skipChildren();
                    }
                    return null;
                }
                if (name.equals("error")) {
                    throw new IOException("etcd answered an error to a " + field + " request");
                }
                p.skipChildren();
            }
            return null;
        }
    }

    private static void expect(final JsonParser p, final JsonToken token) throws IOException {
        if (p.nextToken() != token) {
            throw new IOException("unexpected JSON from etcd: " + p.currentToken() + " where " + token + " was expected");
        }
    }

    /** @return the first key after every key starting with {@code prefix} (etcd's range_end for a prefix). */
    static byte[] rangeEnd(final byte[] prefix) {
        for (int i = prefix.length - 1; i >= 0; i--) {
            if (prefix[i] != (byte) 0xff) {
                final byte[] end = Arrays.copyOf(prefix, i + 1);
                end[i]++;
                return end;
            }
        }
        return new byte[] {0};
    }

    private static String b64(final String text) {
        return b64(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String b64(final byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static String unb64(final String text) {
        return new String(Base64.getDecoder().decode(text), StandardCharsets.UTF_8);
    }
}
