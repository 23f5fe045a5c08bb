package io.iris.engine.admin;

import io.iris.api.IrisConfig;
import io.iris.client.IrisClient;
import io.iris.client.IrisClientException;
import io.iris.engine.IrisEngine;
import io.iris.engine.auth.JwtMinter;
import io.iris.engine.fakes.Tokens;
import io.iris.protocol.ErrorCode;
import io.iris.protocol.SendStatus;
import io.iris.testsupport.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@link AdminApi#handle} against a real engine (memory storage) and real {@link IrisClient} connections.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AdminApiEngineTest {
    private static final String SECRET = "admin-test-secret-0123456789abcdefghijklmn";

    private final JwtMinter minter = new JwtMinter(SECRET.getBytes(StandardCharsets.UTF_8), null, null);
    private final List<AutoCloseable> resources = new ArrayList<>();
    private IrisEngine engine;
    private AdminApi admin;

    @AfterEach
    void tearDown() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    private void start(final Map<String, String> extra, final List<String> applicationKeys) {
        final Map<String, String> config = new HashMap<>(Map.of("server.host", "127.0.0.1", "server.port", "0",
            "auth.jwt.secret", SECRET, "storage", "memory"));
        config.putAll(extra);
        engine = IrisEngine.builder().config(IrisConfig.of(config)).applicationKeys(applicationKeys).start();
        admin = engine.admin();
    }

    private void start() {
        start(Map.of(), List.of());
    }

    /** A connected client of {@code user}/{@code device}, no reconnection, recording disconnections. */
    private IrisClient connect(final String token, final String device, final IrisClient.Listener listener)
        throws Exception {
        final IrisClient c = IrisClient.builder().address("127.0.0.1", engine.port()).token(token).deviceId(device)
            .reconnect(false).listener(listener).build();
        resources.add(c);
        c.connect().get(20, TimeUnit.SECONDS);
        return c;
    }

    private static IrisClient.Listener recording(final BlockingQueue<String> events) {
        return new IrisClient.Listener() {
            @Override
            public void onMessage(final IrisClient.Delivery d) {
            }

            @Override
            public void onDisconnected(final ErrorCode code, final String reason) {
                events.add(code + ": " + reason);
            }

            @Override
            public void onGoAway(final long reconnectAfterMillis) {
                events.add("GOAWAY");
            }
        };
    }

    private Map<String, Object> ok(final String method, final String path, final Map<String, String> query) {
        final AdminApi.Reply reply = admin.handle(method, path, query, "test");
        assertThat(reply.status()).as(reply.json()).isEqualTo(200);
        return Json.object(reply.json());
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> sessions(final String user) {
        return (List<Map<String, Object>>) ok("GET", "/admin/sessions", Map.of("user", user)).get("sessions");
    }

    private static String next(final BlockingQueue<String> events) throws InterruptedException {
        final String e = events.poll(20, TimeUnit.SECONDS);
        assertThat(e).as("an event within the deadline").isNotNull();
        return e;
    }

    @Test
    void sessionsListDevicesWithCursorAndBacklog() throws Exception {
        start();
        for (int i = 1; i <= 3; i++) {
            assertThat(engine.send("alice", "bob", i, ("m" + i).getBytes(StandardCharsets.UTF_8))
                .get(10, TimeUnit.SECONDS).status()).isEqualTo(SendStatus.STORED);
        }
        assertThat(sessions("bob")).isEmpty();
        final CountDownLatch release = new CountDownLatch(1);
        final long before = System.currentTimeMillis();
        connect(minter.mint("bob", Duration.ofHours(1)), "phone", d -> {
            try {
                release.await(); // holds the first delivery: nothing is acknowledged until released
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        final List<Map<String, Object>> held = sessions("bob");
        assertThat(held).hasSize(1);
        final Map<String, Object> phone = held.get(0);
        assertThat(phone.get("device")).isEqualTo("phone");
        assertThat(phone.get("node")).isEqualTo(0L);
        assertThat((Long) phone.get("connectionId")).isPositive();
        assertThat((Long) phone.get("connectedSince")).isBetween(before, System.currentTimeMillis());
        assertThat(phone.get("cursor")).isEqualTo(0L);
        assertThat(phone.get("lastSeq")).isEqualTo(3L);
        assertThat(phone.get("backlog")).isEqualTo(3L);
        assertThat(Json.object(admin.handle("GET", "/admin/sessions", Map.of("user", "bob"), "t").json()).toString())
            .doesNotContain("m1"); // never message content

        release.countDown();
        Await.until(() -> sessions("bob").get(0).get("backlog").equals(0L), "bob's phone acknowledged everything");
        assertThat(sessions("bob").get(0).get("cursor")).isEqualTo(3L);

        connect(minter.mint("bob", Duration.ofHours(1)), "laptop", d -> { });
        Await.until(() -> sessions("bob").size() == 2, "two sessions");
        assertThat(sessions("alice")).isEmpty();
    }

    @Test
    void disconnectOneDeviceThenAll() throws Exception {
        start();
        final BlockingQueue<String> phone = new LinkedBlockingQueue<>();
        final BlockingQueue<String> laptop = new LinkedBlockingQueue<>();
        final BlockingQueue<String> tablet = new LinkedBlockingQueue<>();
        connect(minter.mint("bob", Duration.ofHours(1)), "phone", recording(phone));
        connect(minter.mint("bob", Duration.ofHours(1)), "laptop", recording(laptop));
        connect(minter.mint("bob", Duration.ofHours(1)), "tablet", recording(tablet));
        Await.until(() -> sessions("bob").size() == 3, "three sessions");

        assertThat(ok("POST", "/admin/disconnect", Map.of("user", "bob", "device", "phone")))
            .containsEntry("closed", 1L).containsEntry("device", "phone");
        assertThat(next(phone)).isEqualTo("AUTH_FAILED: server error AUTH_FAILED: disconnected by an operator");
        assertThat(sessions("bob")).extracting(s -> s.get("device")).containsExactlyInAnyOrder("laptop", "tablet");
        assertThat(ok("POST", "/admin/disconnect", Map.of("user", "bob", "device", "phone")))
            .containsEntry("closed", 0L);

        assertThat(ok("POST", "/admin/disconnect", Map.of("user", "bob"))).containsEntry("closed", 2L);
        assertThat(next(laptop)).startsWith("AUTH_FAILED");
        assertThat(next(tablet)).startsWith("AUTH_FAILED");
        assertThat(sessions("bob")).isEmpty();
        assertThat(ok("POST", "/admin/disconnect", Map.of("user", "nobody"))).containsEntry("closed", 0L);
    }

    @Test
    void revokeClosesTheLiveSessionAndRefusesTheToken() throws Exception {
        start();
        final String token = minter.mint("bob", Duration.ofHours(1));
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        connect(token, "phone", recording(events));
        final String jti = Tokens.jti(token);

        final long exp = System.currentTimeMillis() / 1000 + 3600;
        assertThat(ok("POST", "/admin/revoke", Map.of("jti", jti, "expiresAt", Long.toString(exp))))
            .containsEntry("jti", jti).containsEntry("revoked", true).containsEntry("closed", 1L);
        assertThat(next(events)).isEqualTo("AUTH_FAILED: server error AUTH_FAILED: token revoked");
        try {
            connect(token, "phone", recording(new LinkedBlockingQueue<>()));
            fail("a revoked token logged in");
        } catch (final ExecutionException e) {
            assertThat(((IrisClientException) e.getCause()).code()).isEqualTo(ErrorCode.AUTH_FAILED);
        }
        // without expiresAt: kept for the longest lifetime a token accepted now can have
        assertThat(ok("POST", "/admin/revoke", Map.of("jti", "other"))).containsEntry("closed", 0L);
    }

    @Test
    @SuppressWarnings("unchecked")
    void configShowsEffectiveValuesWithSecretsRedacted() {
        start(Map.of("engine.shards", "3", "admin.token", "very-secret-admin-token", "app.apiKey", "very-secret-app-key"),
            List.of("app.apiKey"));
        final Map<String, Object> config = ok("GET", "/admin/config", null);
        final Map<String, Map<String, Object>> keys = new HashMap<>();
        for (final Object k : (List<Object>) config.get("keys")) {
            final Map<String, Object> key = (Map<String, Object>) k;
            keys.put((String) key.get("key"), key);
        }
        assertThat(keys.get("engine.shards")).containsEntry("value", "3").containsEntry("default", "2")
            .containsEntry("set", true).containsEntry("redacted", false);
        assertThat(keys.get("delivery.window")).containsEntry("value", "256").containsEntry("set", false);
        assertThat(keys.get("auth.jwt.secret")).containsEntry("value", ConfigRedaction.REDACTED)
            .containsEntry("redacted", true);
        assertThat(keys.get("admin.token")).as("a registry key since the admin server landed")
            .containsEntry("value", ConfigRedaction.REDACTED).containsEntry("redacted", true);
        assertThat((List<Object>) config.get("otherKeys")).as("an application key, redacted by its name").containsExactly(
            Map.of("key", "app.apiKey", "value", ConfigRedaction.REDACTED, "redacted", true));
        final String json = admin.handle("GET", "/admin/config", Map.of(), "t").json();
        assertThat(json).doesNotContain(SECRET).doesNotContain("very-secret-admin-token")
            .doesNotContain("very-secret-app-key");
    }

    @Test
    @SuppressWarnings("unchecked")
    void overloadShowsTheLevelAndItsSignals() {
        start();
        final Map<String, Object> overload = ok("GET", "/admin/overload", Map.of());
        assertThat(overload).containsEntry("level", "NORMAL");
        final List<Map<String, Object>> signals = (List<Map<String, Object>>) overload.get("signals");
        assertThat(signals).extracting(s -> s.get("signal"))
            .containsExactly("flow.queue", "flow.commitLatencyMillis", "flow.heap", "flow.outbound");
        assertThat(signals.get(0).get("enter")).isEqualTo(List.of(0.25, 0.5, 0.7));
        assertThat(signals.get(0).get("exit")).isEqualTo(List.of(0.1, 0.35, 0.6));
        Await.until(() -> ((Number) ((List<Map<String, Object>>) ok("GET", "/admin/overload", Map.of())
            .get("signals")).get(2).get("value")).doubleValue() > 0, "the heap signal sampled");
    }

    @Test
    void badInputUnknownPathsAndWrongMethodsAreRefused() {
        start();
        assertError("GET", "/admin/sessions", Map.of(), 400, "parameter 'user' is required");
        assertError("GET", "/admin/sessions", Map.of("user", ""), 400, "user id is empty");
        assertError("GET", "/admin/sessions", Map.of("user", "bob", "devcie", "x"), 400, "unknown parameter 'devcie'");
        assertError("POST", "/admin/disconnect", Map.of("user", "bob", "device", ""), 400, "parameter 'device'");
        assertError("POST", "/admin/revoke", Map.of(), 400, "parameter 'jti'");
        assertError("POST", "/admin/revoke", Map.of("jti", "x", "expiresAt", "tomorrow"), 400, "epoch seconds");
        assertError("GET", "/admin/nothing", Map.of(), 404, "no admin resource /admin/nothing");
        assertError("POST", "/admin/sessions", Map.of("user", "bob"), 405, "takes GET");
        assertError("GET", "/admin/drain", Map.of(), 405, "takes POST");
        assertError("DELETE", "/admin/config", Map.of(), 405, "takes GET");
    }

    private void assertError(final String method, final String path, final Map<String, String> query,
                             final int status, final String message) {
        final AdminApi.Reply reply = admin.handle(method, path, query, "test");
        assertThat(reply.status()).as(reply.json()).isEqualTo(status);
        assertThat((String) Json.object(reply.json()).get("error")).contains(message);
    }

    @Test
    void drainAnswersThenSendsGoAwayAndStops() throws Exception {
        start(Map.of("shutdown.drainTimeoutMillis", "500"), List.of());
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        connect(minter.mint("bob", Duration.ofHours(1)), "phone", recording(events));
        final int port = engine.port();

        final AdminApi.Reply reply = admin.handle("POST", "/admin/drain", Map.of(), "test");
        assertThat(reply.status()).isEqualTo(202);
        assertThat(Json.object(reply.json())).containsEntry("draining", true);
        assertThat(next(events)).isEqualTo("GOAWAY");
        assertError("POST", "/admin/drain", Map.of(), 409, "already draining");
        Await.until(() -> !accepts(port), "the engine stopped listening");
    }

    private static boolean accepts(final int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (final IOException e) {
            return false;
        }
    }
}
