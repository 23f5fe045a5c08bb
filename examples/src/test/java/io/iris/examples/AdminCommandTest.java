package io.iris.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.iris.api.IrisConfig;
import io.iris.client.IrisClient;
import io.iris.engine.IrisEngine;
import io.iris.engine.admin.AdminApi;
import io.iris.engine.auth.JwtMinter;
import io.iris.protocol.ErrorCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link AdminCommand} against a JDK {@link HttpServer} fixture that checks the bearer token and forwards
 * {@code /admin/*} to a real engine's {@link AdminApi} (the real admin server lives in iris-admin).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AdminCommandTest {
    private static final String SECRET = "admin-cli-test-secret-0123456789abcdefghij";
    private static final String ADMIN_TOKEN = "admin-t0ken";

    private final JwtMinter minter = new JwtMinter(SECRET.getBytes(StandardCharsets.UTF_8), null, null);
    private final List<AutoCloseable> resources = new ArrayList<>();
    private IrisEngine engine;
    private HttpServer http;
    private String base;
    private String out;
    private String err;

    @BeforeEach
    void setUp() throws IOException {
        engine = IrisEngine.builder().config(IrisConfig.of(Map.of("server.host", "127.0.0.1", "server.port", "0",
            "auth.jwt.secret", SECRET, "storage", "memory", "shutdown.drainTimeoutMillis", "500"))).start();
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", this::forward);
        http.start();
        base = "http://127.0.0.1:" + http.getAddress().getPort();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        http.stop(0);
        engine.close();
    }

    /** The fixture's handler: 401 without the right bearer token, else whatever the AdminApi answers. */
    private void forward(final HttpExchange exchange) throws IOException {
        final AdminApi.Reply reply;
        if (!("Bearer " + ADMIN_TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            reply = new AdminApi.Reply(401, "{\"error\":\"missing or wrong admin token\"}");
        } else {
            reply = engine.admin().handle(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                query(exchange.getRequestURI().getRawQuery()), exchange.getRemoteAddress().toString());
        }
        final byte[] body = reply.json().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(reply.status(), body.length);
        try (OutputStream o = exchange.getResponseBody()) {
            o.write(body);
        }
    }

    private static Map<String, String> query(final String raw) {
        final Map<String, String> query = new HashMap<>();
        if (raw != null) {
            for (final String pair : raw.split("&")) {
                final int eq = pair.indexOf('=');
                query.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return query;
    }

    private int admin(final String... args) {
        final List<String> all = new ArrayList<>(List.of(args));
        if (all.stream().noneMatch(a -> a.startsWith("--admin="))) {
            all.add("--admin=" + base);
        }
        if (all.stream().noneMatch(a -> a.startsWith("--token="))) {
            all.add("--token=" + ADMIN_TOKEN);
        }
        final ByteArrayOutputStream o = new ByteArrayOutputStream();
        final ByteArrayOutputStream e = new ByteArrayOutputStream();
        final int code = AdminCommand.run(all, new PrintStream(o, true, StandardCharsets.UTF_8),
            new PrintStream(e, true, StandardCharsets.UTF_8));
        out = o.toString(StandardCharsets.UTF_8);
        err = e.toString(StandardCharsets.UTF_8);
        return code;
    }

    private BlockingQueue<String> connect(final String user, final String device) throws Exception {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        final IrisClient c = IrisClient.builder().address("127.0.0.1", engine.port())
            .token(minter.mint(user, Duration.ofHours(1))).deviceId(device).reconnect(false)
            .listener(new IrisClient.Listener() {
                @Override
                public void onMessage(final IrisClient.Delivery d) {
                }

                @Override
                public void onDisconnected(final ErrorCode code, final String reason) {
                    events.add(String.valueOf(code));
                }
            }).build();
        resources.add(c);
        c.connect().get(20, TimeUnit.SECONDS);
        return events;
    }

    @Test
    void sessionsAndDisconnect() throws Exception {
        final BlockingQueue<String> phone = connect("bob", "phone");
        connect("bob", "laptop");
        assertThat(admin("sessions", "bob")).as(err).isZero();
        assertThat(out).contains("\"user\":\"bob\"").contains("\"device\":\"phone\"").contains("\"device\":\"laptop\"")
            .contains("\"backlog\":0");

        assertThat(admin("disconnect", "bob", "phone")).as(err).isZero();
        assertThat(out).contains("\"closed\":1");
        assertThat(phone.poll(20, TimeUnit.SECONDS)).isEqualTo("AUTH_FAILED");
        assertThat(admin("disconnect", "bob")).as(err).isZero();
        assertThat(out).contains("\"closed\":1");
    }

    @Test
    void revokeConfigOverloadAndDrain() {
        assertThat(admin("revoke", "some-jti", "--expires=1d")).as(err).isZero();
        assertThat(out).contains("\"jti\":\"some-jti\"").contains("\"closed\":0");

        assertThat(admin("config")).as(err).isZero();
        assertThat(out).contains("\"key\":\"auth.jwt.secret\",\"value\":\"<redacted>\"").doesNotContain(SECRET);

        assertThat(admin("overload")).as(err).isZero();
        assertThat(out).contains("\"level\":\"NORMAL\"").contains("\"signal\":\"flow.heap\"");

        assertThat(admin("drain")).as(err).isZero();
        assertThat(out).contains("\"draining\":true");
        assertThat(admin("drain")).isEqualTo(AdminCommand.USAGE);
        assertThat(err).contains("409").contains("already draining");
    }

    @Test
    void aWrongTokenIsReportedAs401() {
        assertThat(admin("config", "--token=wrong")).isEqualTo(AdminCommand.UNAUTHORIZED);
        assertThat(err).contains("refused the token (401): missing or wrong admin token: check --token");
        assertThat(out).isEmpty();
    }

    @Test
    void anUnreachableServerAndAWrongBaseUrlAreReported() throws IOException {
        final int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        assertThat(admin("config", "--admin=http://127.0.0.1:" + closedPort)).isEqualTo(AdminCommand.FAILED);
        assertThat(err).contains("cannot reach the admin server at http://127.0.0.1:" + closedPort);

        assertThat(admin("config", "--admin=" + base + "/iris")).isEqualTo(AdminCommand.USAGE);
        assertThat(err).contains("/iris/admin/config not found (404)");
    }

    @Test
    void badCommandLinesAreUsageErrors() {
        assertThat(admin("sessions")).isEqualTo(AdminCommand.USAGE);
        assertThat(err).contains("admin sessions takes USER");
        assertThat(admin("frobnicate")).isEqualTo(AdminCommand.USAGE);
        assertThat(err).contains("unknown admin command 'frobnicate'");
        assertThat(admin("config", "--admin=ftp://x")).isEqualTo(AdminCommand.USAGE);
        assertThat(err).contains("bad --admin URL");
        assertThat(AdminCommand.run(List.of("config", "--admin=" + base), System.out, new PrintStream(
            OutputStream.nullOutputStream()))).isEqualTo(AdminCommand.USAGE);
        assertThat(admin("sessions", "")).isEqualTo(AdminCommand.USAGE); // refused by the server: 400
        assertThat(err).contains("answered 400: parameter 'user': user id is empty");
        assertThat(admin("help")).isZero();
        assertThat(out).contains("disconnect USER [DEVICE]");
    }
}
