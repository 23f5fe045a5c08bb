package io.iris.engine;

import io.iris.api.IrisConfig;
import io.iris.protocol.Presence;
import io.iris.protocol.SendReceipt;
import io.iris.protocol.SendStatus;
import io.iris.client.IrisClient;
import io.iris.engine.auth.JwtAuthenticatorProvider;
import io.iris.engine.auth.JwtMinter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The embedding API, in process: builder, server-side send, offline hook, presence, limits, lifecycle. */
class IrisEngineTest {
    private static final String SECRET = "engine-test-secret-0123456789abcdefghij";
    private final JwtMinter minter = new JwtMinter(SECRET.getBytes(StandardCharsets.UTF_8), null, null);
    private final BlockingQueue<String> offline = new LinkedBlockingQueue<>();
    private IrisEngine engine;

    private IrisEngine start(final Map<String, String> extra) {
        final Map<String, String> config = new HashMap<>(Map.of("server.host", "127.0.0.1", "server.port", "0",
            "auth.jwt.secret", SECRET));
        config.putAll(extra);
        engine = IrisEngine.builder().config(IrisConfig.of(config))
            .offlineListener((to, from, seq) -> offline.add(to + "<-" + from + "#" + seq))
            .start();
        return engine;
    }

    private IrisClient client(final String user, final BlockingQueue<IrisClient.Delivery> inbox) throws Exception {
        final IrisClient c = IrisClient.builder().address("127.0.0.1", engine.port())
            .token(minter.mint(user, Duration.ofHours(1))).deviceId("d").listener(inbox::add).build();
        c.connect().get(10, TimeUnit.SECONDS);
        return c;
    }

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void serverSideSendReachesOnlineUsersAndOfflineHookFiresForOthers() throws Exception {
        start(Map.of());
        final BlockingQueue<IrisClient.Delivery> inbox = new LinkedBlockingQueue<>();
        try (IrisClient bob = client("bob", inbox)) {
            final SendReceipt r = engine.send("system", "bob", 1, "hello".getBytes(StandardCharsets.UTF_8))
                .get(10, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(SendStatus.STORED);
            assertThat(r.seq()).isEqualTo(1);
            final IrisClient.Delivery d = inbox.poll(10, TimeUnit.SECONDS);
            assertThat(d).isNotNull();
            assertThat(d.sender()).isEqualTo("system");
            assertThat(new String(d.payload(), StandardCharsets.UTF_8)).isEqualTo("hello");
            assertThat(offline).isEmpty();

            engine.send("system", "carol", 1, "hi carol".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
            assertThat(offline.poll(10, TimeUnit.SECONDS)).isEqualTo("carol<-system#1");
        }
    }

    @Test
    void retriedSendWithTheSameClientMsgIdIsStoredOnce() throws Exception {
        start(Map.of());
        final BlockingQueue<IrisClient.Delivery> inbox = new LinkedBlockingQueue<>();
        try (IrisClient alice = client("alice", new LinkedBlockingQueue<>())) {
            final byte[] payload = "once".getBytes(StandardCharsets.UTF_8);
            final SendReceipt first = alice.send("dave", 77, payload).get(10, TimeUnit.SECONDS);
            final SendReceipt again = alice.send("dave", 77, payload).get(10, TimeUnit.SECONDS);
            assertThat(first.status()).isEqualTo(SendStatus.STORED);
            assertThat(again.status()).isEqualTo(SendStatus.DUPLICATE);
            assertThat(again.seq()).isEqualTo(first.seq());
            assertThat(alice.send("dave", 78, payload).get(10, TimeUnit.SECONDS).seq()).isEqualTo(first.seq() + 1);
            try (IrisClient dave = client("dave", inbox)) {
                assertThat(inbox.poll(10, TimeUnit.SECONDS).seq()).isEqualTo(1);
                assertThat(inbox.poll(10, TimeUnit.SECONDS).seq()).isEqualTo(2);
            }
        }
    }

    @Test
    void perUserRateLimitAnswersRateLimitedWithRetryAfter() throws Exception {
        start(Map.of("limits.rate.perSecond", "1", "limits.rate.burst", "3"));
        try (IrisClient alice = client("alice", new LinkedBlockingQueue<>())) {
            final byte[] p = {1};
            for (int i = 0; i < 3; i++) {
                assertThat(alice.send("bob", p).get(10, TimeUnit.SECONDS).status()).isEqualTo(SendStatus.STORED);
            }
            final SendReceipt limited = alice.send("bob", p).get(10, TimeUnit.SECONDS);
            assertThat(limited.status()).isEqualTo(SendStatus.RATE_LIMITED);
            assertThat(limited.retryAfterMillis()).isBetween(1L, 1000L);
            assertThat(limited.seq()).isZero();
        }
    }

    @Test
    void oversizePayloadIsRefusedWithoutStoring() throws Exception {
        start(Map.of("limits.maxPayload", "1000"));
        assertThat(engine.send("a", "b", 1, new byte[1001]).get(10, TimeUnit.SECONDS).status())
            .isEqualTo(SendStatus.PAYLOAD_TOO_LARGE);
    }

    @Test
    void presenceFromTheEmbeddingApi() throws Exception {
        start(Map.of());
        assertThat(engine.presence("erin").get(10, TimeUnit.SECONDS)).isEqualTo(new Presence("erin", false, 0));
        try (IrisClient erin = client("erin", new LinkedBlockingQueue<>())) {
            assertThat(engine.presence("erin").get(10, TimeUnit.SECONDS).online()).isTrue();
        }
    }

    @Test
    void closeSendsGoawayToClients() throws Exception {
        start(Map.of());
        final BlockingQueue<Long> goaways = new LinkedBlockingQueue<>();
        final IrisClient c = IrisClient.builder().address("127.0.0.1", engine.port())
            .token(minter.mint("frank", Duration.ofHours(1))).deviceId("d").reconnect(false)
            .listener(new IrisClient.Listener() {
                @Override
                public void onMessage(final IrisClient.Delivery d) {
                }

                @Override
                public void onGoAway(final long reconnectAfterMillis) {
                    goaways.add(reconnectAfterMillis);
                }
            }).build();
        try (c) {
            c.connect().get(10, TimeUnit.SECONDS);
            engine.close();
            assertThat(goaways.poll(10, TimeUnit.SECONDS)).isNotNull();
        }
    }

    @Test
    void badConfigurationFailsFastNamingTheKey() {
        assertThatThrownBy(() -> start(Map.of("storage", "nosuch")))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("nosuch").hasMessageContaining("found: memory");
        assertThatThrownBy(() -> start(Map.of("engine.shards", "zero")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("engine.shards");
        assertThatThrownBy(() -> start(Map.of("engine.queueBytes", "100000")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("power of two");
        assertThatThrownBy(() -> IrisEngine.builder().config(IrisConfig.of(Map.of("server.port", "0"))).start())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("auth.jwt.secret");
        engine = null;
    }

    @Test
    void minterFromConfigMatchesTheAuthenticator() {
        final IrisConfig c = IrisConfig.of(Map.of("auth.jwt.secret", SECRET));
        assertThat(JwtAuthenticatorProvider.minterFrom(c).mint("x", Duration.ofMinutes(1))).isNotBlank();
    }
}
