package io.iris.admin;

import io.iris.api.IrisConfig;
import io.iris.api.counters.IrisCounters;
import io.iris.transport.tls.DevCertificates;
import io.iris.transport.tls.Pem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The admin server over real HTTP(S): routes, the bearer token, the loopback default, TLS, validation. */
class AdminServerTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private final IrisCounters counters = new IrisCounters(64);
    private AdminServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private HttpResponse<String> get(final String path, final String token) throws Exception {
        return call("GET", path, token);
    }

    private HttpResponse<String> call(final String method, final String path, final String token) throws Exception {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void bindsToLoopbackByDefaultAndServesMetricsHealthAndReadiness() throws Exception {
        counters.counter("iris_x_total", "X.").getAndAdd(7);
        final AtomicReference<Optional<String>> ready = new AtomicReference<>(Optional.of("starting: \"storage\""));
        server = AdminServer.builder().counters(counters).readiness(ready::get).start();
        assertThat(server.address().getAddress().isLoopbackAddress()).isTrue();

        final HttpResponse<String> metrics = get("/metrics", null);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).contains(PrometheusText.CONTENT_TYPE);
        assertThat(metrics.body()).contains("# TYPE iris_x_total counter\niris_x_total 7\n");
        assertThat(get("/health", null).statusCode()).isEqualTo(200);

        final HttpResponse<String> notReady = get("/ready", null);
        assertThat(notReady.statusCode()).isEqualTo(503);
        assertThat(notReady.body()).isEqualTo("{\"ready\":false,\"reason\":\"starting: \\\"storage\\\"\"}");
        ready.set(Optional.empty());
        assertThat(get("/ready", null).statusCode()).isEqualTo(200);

        assertThat(get("/nothing", null).statusCode()).isEqualTo(404);
        assertThat(get("/admin/users", null).statusCode()).as("no admin handler").isEqualTo(404);
        assertThat(call("POST", "/metrics", null).statusCode()).isEqualTo(405);
    }

    @Test
    void withATokenEveryRequestWithoutItIsRefused() throws Exception {
        server = AdminServer.builder().counters(counters).readiness(Optional::empty).token("s3cret").start();
        for (final String path : new String[]{"/metrics", "/health", "/ready", "/admin/x", "/nothing"}) {
            final HttpResponse<String> none = get(path, null);
            assertThat(none.statusCode()).as(path + " without a token").isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("Bearer"));
            assertThat(get(path, "s3cre").statusCode()).as(path + " with a wrong token").isEqualTo(401);
            assertThat(get(path, "s3cret1").statusCode()).as(path + " with a longer token").isEqualTo(401);
        }
        assertThat(get("/metrics", "s3cret").statusCode()).isEqualTo(200);
        assertThat(get("/health", "s3cret").statusCode()).isEqualTo(200);
        assertThat(get("/nothing", "s3cret").statusCode()).isEqualTo(404);
    }

    @Test
    void adminCallsGoToTheHandlerWithDecodedQueryAndCaller() throws Exception {
        final AtomicReference<String> seen = new AtomicReference<>();
        server = AdminServer.builder().counters(counters).readiness(Optional::empty).token("t")
            .adminHandler((method, path, query, caller) -> {
                seen.set(method + ' ' + path + ' ' + query + ' ' + caller);
                if (path.equals("/admin/fail")) {
                    throw new IllegalStateException("broken \"x\"");
                }
                return new AdminReply(202, "{\"ok\":true}");
            }).start();
        final HttpResponse<String> r = call("POST", "/admin/users/a%20b?user=al%26ice&x", "t");
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(r.body()).isEqualTo("{\"ok\":true}");
        assertThat(seen.get()).startsWith("POST /admin/users/a b {user=al&ice, x=} 127.0.0.1:");
        assertThat(seen.get()).endsWith("(authenticated)");
        final HttpResponse<String> failed = get("/admin/fail", "t");
        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(failed.body()).isEqualTo("{\"error\":\"broken \\\"x\\\"\"}");
    }

    @Test
    void withoutATokenTheAdminApiIsRefusedWhileMetricsAndHealthStayOpen() throws Exception {
        final AtomicReference<String> seen = new AtomicReference<>();
        server = AdminServer.builder().counters(counters).readiness(Optional::empty)
            .adminHandler((method, path, query, caller) -> {
                seen.set(path);
                return new AdminReply(202, "{}");
            }).start();
        final HttpResponse<String> drain = call("POST", "/admin/drain", null);
        assertThat(drain.statusCode()).isEqualTo(403);
        assertThat(drain.body()).contains("admin.token");
        assertThat(seen.get()).as("the handler never saw it").isNull();
        assertThat(get("/metrics", null).statusCode()).isEqualTo(200);
        assertThat(get("/health", null).statusCode()).isEqualTo(200);
    }

    @Test
    void withAdminTlsItSpeaksHttpsWithTheConfiguredCertificate(@TempDir final Path dir)
        throws Exception {
        final DevCertificates.Bundle dev = DevCertificates.ensure(dir,
            List.of());
        server = AdminServer.builder().config(IrisConfig.of(Map.of("admin.port", "0",
                "admin.tls.enabled", "true", "tls.certFile", dev.serverChain().toString(),
                "tls.keyFile", dev.serverKey().toString())))
            .counters(counters).readiness(Optional::empty).start();
        assertThat(server.tls()).isTrue();
        final HttpClient https = HttpClient.newBuilder()
            .sslContext(Pem.clientContext(dev.ca(), null, null)).build();
        final HttpResponse<String> r = https.send(HttpRequest.newBuilder(
            URI.create("https://localhost:" + server.port() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"status\":\"UP\"}");
        assertThatThrownBy(() -> get("/health", null))
            .as("plain HTTP on the HTTPS port").isInstanceOf(IOException.class);
    }

    @Test
    void configNamesTheKeys() {
        assertThatThrownBy(() -> AdminServer.builder().config(
                IrisConfig.of(Map.of("admin.port", "0", "admin.tls.enabled", "true"))))
            .hasMessageContaining("tls.certFile");
        assertThatThrownBy(() -> AdminServer.builder().config(
                IrisConfig.of(Map.of("admin.port", "0", "admin.tls.enabled", "yes"))))
            .hasMessageContaining("admin.tls.enabled");
        assertThat(AdminServer.enabledIn(IrisConfig.of(Map.of()))).isFalse();
        assertThat(AdminServer.enabledIn(IrisConfig.of(Map.of("admin.port", "0")))).isTrue();
    }

    @Test
    void theBuilderValidates() {
        assertThatThrownBy(() -> AdminServer.builder().readiness(Optional::empty)
            .start()).hasMessageContaining("counters");
        assertThatThrownBy(() -> AdminServer.builder().port(70_000))
            .hasMessageContaining("0..65535");
        assertThatThrownBy(() -> new AdminReply(42, "{}"))
            .hasMessageContaining("100..599");
    }
}
