package io.iris.examples;

import io.iris.protocol.ErrorCode;
import io.iris.protocol.Presence;
import io.iris.protocol.SendReceipt;
import io.iris.protocol.SendStatus;
import io.iris.client.IrisClient;
import io.iris.client.IrisClientException;
import io.iris.engine.auth.JwtMinter;
import io.iris.transport.protocol.FrameDecoder;
import io.iris.transport.protocol.FrameEncoder;
import io.iris.protocol.Protocol;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * End to end against the reference server in a child JVM, driven with the Java client SDK and raw
 * sockets. Each test uses its own user names, so tests share one server.
 */
class MessagingIntegrationTest {
    private static ServerProcess server;

    @BeforeAll
    static void startServer() throws Exception {
        server = ServerProcess.start(Map.of("limits.rate.perSecond", "100000", "limits.rate.burst", "100000"));
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static List<String> texts(final String sender, final int from, final int to) {
        final List<String> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add(sender + ":m" + i);
        }
        return out;
    }

    @Test
    void onlineRecipientGetsMessagesAtOnceInOrder() throws Exception {
        try (TestClient alice = TestClient.of(server, "alice1", "phone").connect();
             TestClient bob = TestClient.of(server, "bob1", "phone").connect()) {
            for (int i = 1; i <= 20; i++) {
                final SendReceipt r = alice.send("bob1", "m" + i);
                assertThat(r.status()).isEqualTo(SendStatus.STORED);
                assertThat(r.seq()).isEqualTo(i);
            }
            assertThat(bob.take(20)).containsExactlyElementsOf(texts("alice1", 1, 20));
            assertThat(bob.awaitCursor(20)).isEqualTo(20);
        }
    }

    @Test
    void offlineRecipientGetsEverythingInOrderExactlyOnceWhenBack() throws Exception {
        try (TestClient alice = TestClient.of(server, "alice2", "phone").connect()) {
            try (TestClient bob = TestClient.of(server, "bob2", "phone").connect()) {
                assertThat(alice.send("bob2", "m1").status()).isEqualTo(SendStatus.STORED);
                assertThat(bob.take(1)).containsExactly("alice2:m1");
            }
            // bob is gone; alice keeps sending
            for (int i = 2; i <= 100; i++) {
                assertThat(alice.send("bob2", "m" + i).status()).isEqualTo(SendStatus.STORED);
            }
            try (TestClient bob = TestClient.of(server, "bob2", "phone").connect()) {
                assertThat(bob.take(99)).containsExactlyElementsOf(texts("alice2", 2, 100));
                // exactly once: the next thing bob gets is the next new message, nothing replayed
                alice.send("bob2", "end");
                assertThat(bob.take(1)).containsExactly("alice2:end");
            }
        }
    }

    @Test
    void resumeFromTheClientCursorLosesNothingAndDuplicatesNothing() throws Exception {
        final int total = 300;
        final List<Long> seqs = new ArrayList<>();
        try (TestClient alice = TestClient.of(server, "alice3", "phone").connect()) {
            final List<CompletableFuture<SendReceipt>> sends = new ArrayList<>();
            final TestClient first = TestClient.of(server, "bob3", "phone").connect();
            for (int i = 1; i <= total; i++) {
                sends.add(alice.client.send("bob3", ("m" + i).getBytes(StandardCharsets.UTF_8)));
            }
            for (int i = 0; i < 40; i++) {
                seqs.add(first.received.poll(30, TimeUnit.SECONDS).seq());
            }
            first.close(); // bob drops mid-stream, with deliveries in flight
            final List<IrisClient.Delivery> rest = new ArrayList<>();
            first.received.drainTo(rest);
            rest.forEach(d -> seqs.add(d.seq()));
            assertThat(first.client.cursor()).isEqualTo(seqs.get(seqs.size() - 1));
            for (final CompletableFuture<SendReceipt> f : sends) {
                assertThat(f.get(30, TimeUnit.SECONDS).status()).isEqualTo(SendStatus.STORED);
            }
            try (TestClient bob = TestClient.resuming(server, "bob3", "phone", seqs.get(seqs.size() - 1)).connect()) {
                while (seqs.size() < total) {
                    final IrisClient.Delivery d = bob.received.poll(30, TimeUnit.SECONDS);
                    assertThat(d).as("delivery %d of %d", seqs.size() + 1, total).isNotNull();
                    seqs.add(d.seq());
                }
                alice.send("bob3", "end");
                assertThat(bob.take(1)).containsExactly("alice3:end");
            }
        }
        final List<Long> expected = new ArrayList<>();
        for (long s = 1; s <= total; s++) {
            expected.add(s);
        }
        assertThat(seqs).containsExactlyElementsOf(expected);
    }

    @Test
    void everyDeviceOfAUserGetsEveryMessage() throws Exception {
        try (TestClient alice = TestClient.of(server, "alice4", "phone").connect();
             TestClient phone = TestClient.of(server, "bob4", "phone").connect();
             TestClient laptop = TestClient.of(server, "bob4", "laptop").connect()) {
            for (int i = 1; i <= 10; i++) {
                alice.send("bob4", "m" + i);
            }
            assertThat(phone.take(10)).containsExactlyElementsOf(texts("alice4", 1, 10));
            assertThat(laptop.take(10)).containsExactlyElementsOf(texts("alice4", 1, 10));
        }
        // the laptop comes back later and, having acked, gets only what is new
        try (TestClient alice = TestClient.of(server, "alice4", "phone").connect();
             TestClient laptop = TestClient.of(server, "bob4", "laptop").connect()) {
            alice.send("bob4", "m11");
            assertThat(laptop.take(1)).containsExactly("alice4:m11");
        }
    }

    @Test
    void presenceTellsOnlineAndLastSeen() throws Exception {
        final long before = System.currentTimeMillis();
        try (TestClient alice = TestClient.of(server, "alice5", "phone").connect()) {
            assertThat(alice.client.presence("bob5").get(10, TimeUnit.SECONDS).lastSeenMillis()).isZero();
            try (TestClient bob = TestClient.of(server, "bob5", "phone").connect()) {
                final Presence p = alice.client.presence("bob5").get(10, TimeUnit.SECONDS);
                assertThat(p.online()).isTrue();
            }
            // the server learns of bob's close asynchronously: ask until it shows offline
            Presence p = alice.client.presence("bob5").get(10, TimeUnit.SECONDS);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (p.online() && System.nanoTime() < deadline) {
                p = alice.client.presence("bob5").get(10, TimeUnit.SECONDS);
            }
            assertThat(p.online()).isFalse();
            assertThat(p.lastSeenMillis()).isBetween(before, System.currentTimeMillis());
        }
    }

    @Test
    void badExpiredAndTamperedTokensAreRefused() throws Exception {
        final JwtMinter otherSecret = new JwtMinter("another-secret-another-secret-0123456".getBytes(StandardCharsets.UTF_8),
            null, null);
        final String expired = server.minter().mint("eve", Instant.now().minus(Duration.ofHours(2)),
            Instant.now().minus(Duration.ofHours(1)));
        final String good = server.token("eve");
        final String[] parts = good.split("\\.");
        final String tampered = parts[0] + "." + parts[1].substring(0, parts[1].length() - 2)
            + (parts[1].endsWith("A") ? "BB" : "AA") + "." + parts[2];
        assertRefused(otherSecret.mint("eve", Duration.ofHours(1)), ErrorCode.AUTH_FAILED);
        assertRefused(expired, ErrorCode.TOKEN_EXPIRED);
        assertRefused(tampered, ErrorCode.AUTH_FAILED);
        assertRefused("not-a-jwt", ErrorCode.AUTH_FAILED);
        try (TestClient ok = TestClient.withToken(server, good, "phone").connect()) {
            assertThat(ok.client.isConnected()).isTrue();
        }
    }

    private static void assertRefused(final String token, final ErrorCode code) {
        try (TestClient c = TestClient.withToken(server, token, "phone")) {
            assertThatThrownBy(() -> c.client.connect().get(20, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(IrisClientException.class)
                .satisfies(e -> assertThat(((IrisClientException) e).code()).isEqualTo(code));
        }
    }

    @Test
    void oversizeFrameGetsATypedErrorAndClosesOnlyThatConnection() throws Exception {
        try (TestClient alice = TestClient.of(server, "alice6", "phone").connect();
             TestClient bob = TestClient.of(server, "bob6", "phone").connect();
             RawConnection raw = new RawConnection(server.port(), 0)) {
            raw.write(new byte[] {0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, Protocol.LOGIN});
            final FrameDecoder error = raw.readFrame();
            assertThat(error).isNotNull();
            assertThat(error.type()).isEqualTo(Protocol.ERROR);
            assertThat(error.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE.code());
            assertThat(raw.readFrame()).as("closed after the error").isNull();
            alice.send("bob6", "still here");
            assertThat(bob.take(1)).containsExactly("alice6:still here");
        }
    }

    @Test
    void frameOverTheLimitAfterLoginIsRefusedToo() throws Exception {
        try (RawConnection raw = new RawConnection(server.port(), 0)) {
            final UnsafeBuffer b = new UnsafeBuffer(new byte[8192]);
            final int len = FrameEncoder.login(b, 0, 1, 1, server.token("frank").getBytes(StandardCharsets.US_ASCII),
                "d".getBytes(StandardCharsets.UTF_8), -1);
            raw.write(b, len);
            assertThat(raw.readFrame().type()).isEqualTo(Protocol.LOGIN_OK);
            final int tooBig = Protocol.maxFrameAfterLogin(Protocol.DEFAULT_MAX_PAYLOAD) + 1;
            raw.write(new byte[] {(byte) (tooBig >>> 24), (byte) (tooBig >>> 16), (byte) (tooBig >>> 8), (byte) tooBig});
            FrameDecoder d = raw.readFrame();
            assertThat(d.type()).isEqualTo(Protocol.ERROR);
            assertThat(d.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE.code());
        }
    }

    @Test
    void garbageOnOneConnectionLeavesOtherTrafficIntact() throws Exception {
        final Random random = new Random(42);
        try (TestClient alice = TestClient.of(server, "alice7", "phone").connect();
             TestClient bob = TestClient.of(server, "bob7", "phone").connect()) {
            final List<RawConnection> attackers = new ArrayList<>();
            try {
                for (int i = 0; i < 10; i++) {
                    final RawConnection raw = new RawConnection(server.port(), 0);
                    attackers.add(raw);
                    final byte[] junk = new byte[1 + random.nextInt(4096)];
                    random.nextBytes(junk);
                    if (i % 2 == 0) {
                        junk[0] = 0; // small declared length: garbage that parses as frames
                    }
                    raw.write(junk);
                }
                final List<CompletableFuture<SendReceipt>> sends = new ArrayList<>();
                for (int i = 1; i <= 200; i++) {
                    sends.add(alice.client.send("bob7", ("m" + i).getBytes(StandardCharsets.UTF_8)));
                }
                for (final RawConnection raw : attackers) {
                    raw.countUntilClosed(Protocol.ERROR); // every offender is closed
                }
                for (final CompletableFuture<SendReceipt> f : sends) {
                    assertThat(f.get(30, TimeUnit.SECONDS).status()).isEqualTo(SendStatus.STORED);
                }
                assertThat(bob.take(200)).containsExactlyElementsOf(texts("alice7", 1, 200));
            } finally {
                for (final RawConnection raw : attackers) {
                    raw.close();
                }
            }
        }
        assertThat(server.isAlive()).isTrue();
    }

    @Test
    void framesBeforeLoginAreRefused() throws Exception {
        try (RawConnection raw = new RawConnection(server.port(), 0)) {
            final UnsafeBuffer b = new UnsafeBuffer(new byte[256]);
            final int len = FrameEncoder.deliverAck(b, 0, 5);
            raw.write(b, len);
            final FrameDecoder d = raw.readFrame();
            assertThat(d.type()).isEqualTo(Protocol.ERROR);
            assertThat(d.code()).isEqualTo(ErrorCode.NOT_AUTHENTICATED.code());
            assertThat(raw.readFrame()).isNull();
        }
    }
}
