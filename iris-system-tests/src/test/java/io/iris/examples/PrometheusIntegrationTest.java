package io.iris.examples;

import io.iris.protocol.SendStatus;
import io.iris.testsupport.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin port against a real Prometheus (Debian's {@code prometheus} package; {@code .ci/run} installs it):
 * the reference server in a child JVM with {@code admin.port} and {@code admin.token}, a private Prometheus on a
 * free loopback port scraping it every second with the bearer token, traffic from the test client, then
 * Prometheus's HTTP API must report exactly the counts the traffic made. {@code promtool check metrics} must
 * accept the exposition. Fails, never skips, when the binaries are missing.
 */
class PrometheusIntegrationTest {
    private static final String TOKEN = "prometheus-it-token-0123456789";
    private static final Pattern SAMPLE = Pattern.compile("\"value\":\\[[0-9.]+,\"([^\"]+)\"\\]");
    private static final int MESSAGES = 25;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path tmp;

    @Test
    void prometheusScrapesTheAdminPortAndSeesWhatTheTrafficDid() throws Exception {
        final String prometheus = binary("prometheus");
        final String promtool = binary("promtool");
        final int adminPort = freePort();
        try (ServerProcess server = ServerProcess.start(Map.of("admin.port", String.valueOf(adminPort),
            "admin.token", TOKEN, "limits.rate.perSecond", "100000", "limits.rate.burst", "100000"))) {
            final String admin = "http://127.0.0.1:" + adminPort;
            assertThat(get(admin + "/metrics", null).statusCode()).as("no token").isEqualTo(401);
            assertThat(get(admin + "/ready", TOKEN).statusCode()).isEqualTo(200);

            final int promPort = freePort();
            final Path config = tmp.resolve("prometheus.yml");
            Files.writeString(config, String.join("\n",
                "global:",
                "  scrape_interval: 1s",
                "  scrape_timeout: 1s",
                "  evaluation_interval: 1s",
                "scrape_configs:",
                "  - job_name: iris",
                "    authorization:",
                "      type: Bearer",
                "      credentials: " + TOKEN,
                "    static_configs:",
                "      - targets: ['127.0.0.1:" + adminPort + "']",
                ""));
            final Path log = tmp.resolve("prometheus.log");
            final Process prom = new ProcessBuilder(prometheus, "--config.file=" + config,
                "--storage.tsdb.path=" + tmp.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + promPort,
                "--log.level=warn").redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                final String api = "http://127.0.0.1:" + promPort;
                awaitValue(api, "up{job=\"iris\"}", "1", prom, log);

                try (TestClient alice = TestClient.of(server, "alice", "phone").connect();
                     TestClient bob = TestClient.of(server, "bob", "phone").connect()) {
                    for (int i = 1; i <= MESSAGES; i++) {
                        assertThat(alice.send("bob", "m" + i).status()).isEqualTo(SendStatus.STORED);
                    }
                    assertThat(bob.take(MESSAGES)).hasSize(MESSAGES);
                    bob.awaitCursor(MESSAGES);

                    awaitValue(api, "iris_sends_total{status=\"STORED\"}", String.valueOf(MESSAGES), prom, log);
                    awaitValue(api, "iris_deliveries_total", String.valueOf(MESSAGES), prom, log);
                    awaitValue(api, "iris_delivery_acks_total > 0", null, prom, log);
                    awaitValue(api, "iris_logins_total", "2", prom, log);
                    awaitValue(api, "sum(iris_transport_connections_opened_total)", "2", prom, log);
                    awaitValue(api, "sum(iris_transport_connections_open)", "2", prom, log);
                    awaitValue(api, "iris_storage_sync_seconds_count >= " + 1, null, prom, log);
                    awaitValue(api, "iris_group_commit_batch_records_sum", String.valueOf(MESSAGES), prom, log);
                    awaitValue(api, "histogram_quantile(0.5, rate(iris_storage_sync_seconds_bucket[1m])) >= 0",
                        null, prom, log);
                    awaitValue(api, "iris_storage_chronicle_wal_bytes > 0", null, prom, log);
                }
            } finally {
                prom.destroy();
                if (!prom.waitFor(10, TimeUnit.SECONDS)) {
                    prom.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }

            final Path exposition = tmp.resolve("metrics.txt");
            Files.writeString(exposition, get(admin + "/metrics", TOKEN).body());
            final Process check = new ProcessBuilder(promtool, "check", "metrics").redirectErrorStream(true)
                .redirectInput(exposition.toFile()).start();
            final String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(check.exitValue()).as("promtool check metrics:\n" + out).isZero();
        }
    }

    /**
     * Queries Prometheus until the instant query has a sample (with {@code expected} as its value, when given).
     */
    private void awaitValue(final String api, final String query, final String expected, final Process prom,
                            final Path log) {
        final String[] last = {"(no answer)"};
        try {
            Await.until(() -> {
                if (!prom.isAlive()) {
                    throw new IllegalStateException("prometheus exited with " + prom.exitValue() + ": " + read(log));
                }
                try {
                    final HttpResponse<String> r = get(api + "/api/v1/query?query="
                        + URLEncoder.encode(query, StandardCharsets.UTF_8), null);
                    last[0] = r.body();
                    final Matcher m = SAMPLE.matcher(r.body());
                    return r.statusCode() == 200 && m.find() && (expected == null || expected.equals(m.group(1)));
                } catch (final IOException e) {
                    last[0] = e.toString();
                    return false;
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }, "Prometheus answers " + query + (expected == null ? "" : " = " + expected));
        } catch (final AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + "; last answer: " + last[0] + "; prometheus log: " + read(log), e);
        }
    }

    private HttpResponse<String> get(final String url, final String token) throws IOException, InterruptedException {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String read(final Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (final IOException e) {
            return e.toString();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** @return the path of a binary of Debian's prometheus package; fails (never skips) when it is missing. */
    private static String binary(final String name) {
        for (final String dir : List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))) {
            final File f = new File(dir, name);
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        final File debian = new File("/usr/bin", name);
        if (debian.canExecute()) {
            return debian.getPath();
        }
        throw new IllegalStateException(name + " is not installed. This test starts a real Prometheus: apt-get install"
            + " prometheus (.ci/run does this in CI).");
    }
}
