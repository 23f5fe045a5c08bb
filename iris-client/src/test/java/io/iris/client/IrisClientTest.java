package io.iris.client;

import io.iris.protocol.ErrorCode;
import io.iris.protocol.Presence;
import io.iris.protocol.SendReceipt;
import io.iris.protocol.SendStatus;
import io.iris.client.ScriptedServer.Frame;
import io.iris.client.ScriptedServer.Peer;
import io.iris.protocol.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ServerSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Protocol-level behaviour of {@link IrisClient} against {@link ScriptedServer}. Waits are futures,
 * queues and socket reads with deadlines; the few "nothing happens" checks use short bounded windows.
 */
@Timeout(30)
class IrisClientTest {
    private static final long WAIT_MS = ScriptedServer.WAIT.toMillis();
    private static final int NO_HEARTBEAT = 600_000;
    private static final Duration QUIET = Duration.ofMillis(300);

    private ScriptedServer server;
    private RecordingListener listener;
    private final List<IrisClient> clients = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        server = new ScriptedServer();
        listener = new RecordingListener();
    }

    @AfterEach
    void tearDown() throws Exception {
        clients.forEach(IrisClient::close);
        server.close();
    }

    private IrisClient client() {
        return client(b -> { });
    }

    private IrisClient client(final Consumer<IrisClient.Builder> custom) {
        final IrisClient.Builder b = IrisClient.builder()
            .address("127.0.0.1", server.port())
            .token("tok")
            .deviceId("d1")
            .listener(listener)
            .backoff(Duration.ofMillis(5), Duration.ofMillis(20))
            .connectTimeout(Duration.ofSeconds(5));
        custom.accept(b);
        final IrisClient c = b.build();
        clients.add(c);
        return c;
    }

    /** Accepts the client's connection, checks its LOGIN and answers LOGIN_OK. */
    private Peer login(final long cursor, final long lastSeq) throws Exception {
        return login(65_536, NO_HEARTBEAT, cursor, lastSeq);
    }

    private Peer login(final int maxPayload, final int heartbeat, final long cursor, final long lastSeq) throws Exception {
        final Peer peer = server.accept();
        final Frame login = peer.read();
        assertThat(login.type()).isEqualTo(Protocol.LOGIN);
        peer.loginOk("alice", maxPayload, heartbeat, cursor, lastSeq).flush();
        return peer;
    }

    private static <T> T await(final CompletableFuture<T> f) throws Exception {
        return f.get(WAIT_MS, TimeUnit.MILLISECONDS);
    }

    private static Throwable failure(final CompletableFuture<?> f) throws Exception {
        try {
            f.get(WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (final ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected the future to fail");
    }

    private static byte[] bytes(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------------------------

    @Test
    void logsInWithLoginAsFirstFrameAndCompletesConnect() throws Exception {
        final IrisClient client = client(b -> b.token(() -> "secret-token").deviceId("phone-1"));
        assertThat(client.cursor()).isEqualTo(-1);
        assertThat(client.isConnected()).isFalse();
        final CompletableFuture<Void> connected = client.connect();
        assertThat(client.connect()).isSameAs(connected);

        final Peer peer = server.accept();
        final Frame login = peer.read();
        assertThat(login.type()).isEqualTo(Protocol.LOGIN);
        assertThat(login.minVersion()).as("offers every version it speaks").isEqualTo(1);
        assertThat(login.maxVersion()).isEqualTo(2);
        assertThat(login.token()).isEqualTo("secret-token");
        assertThat(login.deviceId()).isEqualTo("phone-1");
        assertThat(login.seq()).as("resumeCursor").isEqualTo(-1);
        assertThat(connected).isNotDone();

        peer.loginOk("alice", 65_536, NO_HEARTBEAT, 3, 9).flush();
        await(connected);
        assertThat(client.isConnected()).isTrue();
        assertThat(listener.event()).isEqualTo("connected 3 9");
    }

    @Test
    void sendIsCompletedBySendAckAndRetryableStatusesAreNotRetried() throws Exception {
        final IrisClient client = client();
        client.connect();
        final Peer peer = login(0, 0);

        final CompletableFuture<SendReceipt> first = client.send("bob", bytes("hi"));
        final CompletableFuture<SendReceipt> second = client.send("bob", bytes("again"));
        final Frame s1 = peer.expect(Protocol.SEND);
        final Frame s2 = peer.expect(Protocol.SEND);
        assertThat(s1.id()).isEqualTo("bob");
        assertThat(s1.payloadText()).isEqualTo("hi");
        assertThat(s2.payloadText()).isEqualTo("again");
        assertThat(s2.clientMsgId()).isNotEqualTo(s1.clientMsgId());

        peer.sendAck(s1.clientMsgId(), SendStatus.STORED, 7, 1234, 0)
            .sendAck(s2.clientMsgId(), SendStatus.RATE_LIMITED, 0, 1235, 250).flush();
        assertThat(await(first)).isEqualTo(new SendReceipt(SendStatus.STORED, 7, 1234, 0));
        assertThat(await(second)).isEqualTo(new SendReceipt(SendStatus.RATE_LIMITED, 0, 1235, 250));
        peer.barrier(77); // no SEND was repeated before the PONG

        final CompletableFuture<SendReceipt> explicit = client.send("carol", 42L, bytes("x"));
        final Frame s3 = peer.expect(Protocol.SEND);
        assertThat(s3.clientMsgId()).isEqualTo(42L);
        assertThat(client.send("carol", 42L, bytes("y")))
            .failsWithin(Duration.ofSeconds(1)).withThrowableOfType(ExecutionException.class)
            .withCauseInstanceOf(IllegalStateException.class);
        peer.sendAck(42L, SendStatus.DUPLICATE, 5, 1, 0).flush();
        assertThat(await(explicit).status()).isEqualTo(SendStatus.DUPLICATE);
    }

    @Test
    void deliversInOrderAndAcksCumulativelyOnlyAfterTheListenerReturned() throws Exception {
        final CountDownLatch release = new CountDownLatch(1);
        listener.blockOn(3, release);
        final IrisClient client = client();
        client.connect();
        final Peer peer = login(0, 3);

        peer.deliver(1, "bob", "m1").deliver(2, "carol", "m2").deliver(3, "bob", "m3").flush();
        assertThat(listener.message().seq()).isEqualTo(1);
        final IrisClient.Delivery second = listener.message();
        assertThat(second.seq()).isEqualTo(2);
        assertThat(second.sender()).isEqualTo("carol");
        assertThat(second.serverTimeMillis()).isEqualTo(1002);
        assertThat(new String(second.payload(), StandardCharsets.UTF_8)).isEqualTo("m2");
        // the listener is stuck in seq 3: nothing of this read may be acked yet
        assertThat(peer.poll(QUIET)).isNull();
        release.countDown();
        assertThat(listener.message().seq()).isEqualTo(3);
        final Frame ack = peer.expect(Protocol.DELIVER_ACK);
        assertThat(ack.seq()).isEqualTo(3);
        assertThat(client.cursor()).isEqualTo(3);
    }

    @Test
    void closeLetsTheDeliveryInProgressFinishAndAcknowledgesIt() throws Exception {
        final CountDownLatch release = new CountDownLatch(1);
        listener.blockOn(1, release);
        final IrisClient client = client();
        client.connect();
        final Peer peer = login(0, 1);
        peer.deliver(1, "bob", "m1").flush();
        assertThat(listener.blocking.await(WAIT_MS, TimeUnit.MILLISECONDS)).isTrue();
        final Thread closer = new Thread(client::close, "closer");
        closer.start(); // close() while the listener is still processing seq 1
        assertThat(peer.poll(QUIET)).as("nothing acked while the listener runs").isNull();
        release.countDown();
        final Frame ack = peer.expect(Protocol.DELIVER_ACK);
        assertThat(ack.seq()).isEqualTo(1);
        assertThat(peer.awaitEof()).isTrue();
        closer.join(ScriptedServer.WAIT.toMillis());
        assertThat(closer.isAlive()).isFalse();
        assertThat(client.isClosed()).isTrue();
    }

    @Test
    void acksAtLeastEvery64Messages() throws Exception {
        final IrisClient client = client();
        client.connect();
        final Peer peer = login(0, 200);
        for (int seq = 1; seq <= 200; seq++) {
            peer.deliver(seq, "bob", "m" + seq);
        }
        peer.flush();
        long acked = 0;
        while (acked < 200) {
            final Frame ack = peer.expect(Protocol.DELIVER_ACK);
            assertThat(ack.seq()).as("acks grow by at most 64").isGreaterThan(acked).isLessThanOrEqualTo(acked + 64);
            acked = ack.seq();
        }
        for (int seq = 1; seq <= 200; seq++) {
            assertThat(listener.message().seq()).isEqualTo(seq);
        }
    }

    @Test
    void dropsDeliveriesAtOrBelowTheCursor() throws Exception {
        final IrisClient client = client();
        client.connect();
        final Peer peer = login(0, 3);
        peer.deliver(1, "bob", "m1").deliver(2, "bob", "m2").flush();
        assertThat(listener.message().seq()).isEqualTo(1);
        assertThat(listener.message().seq()).isEqualTo(2);
        peer.deliver(2, "bob", "m2 again").deliver(1, "bob", "m1 again").deliver(3, "bob", "m3").flush();
        final IrisClient.Delivery next = listener.message();
        assertThat(next.seq()).isEqualTo(3);
        assertThat(listener.messages).isEmpty();
        long acked = 0;
        while (acked < 3) {
            acked = peer.expect(Protocol.DELIVER_ACK).seq();
        }
        assertThat(acked).isEqualTo(3);
    }

    @Test
    void resendsUnansweredSendsAfterReconnectWithTheSameIdsInOrder() throws Exception {
        final IrisClient client = client();
        client.connect();
        final Peer first = login(0, 0);
        final CompletableFuture<SendReceipt> a = client.send("bob", bytes("a"));
        final CompletableFuture<SendReceipt> b = client.send("bob", bytes("b"));
        final CompletableFuture<SendReceipt> c = client.send("carol", bytes("c"));
        final Frame fa = first.expect(Protocol.SEND);
        final Frame fb = first.expect(Protocol.SEND);
        final Frame fc = first.expect(Protocol.SEND);
        first.sendAck(fa.clientMsgId(), SendStatus.STORED, 1, 1, 0).flush();
        assertThat(await(a).seq()).isEqualTo(1);
        first.close();

        assertThat(listener.awaitEvent("disconnected")).startsWith("disconnected null");
        assertThat(client.isConnected()).isFalse();
        final CompletableFuture<SendReceipt> d = client.send("bob", bytes("d")); // queued while disconnected
        assertThat(b).isNotDone();

        final Peer second = login(0, 0);
        final Frame rb = second.expect(Protocol.SEND);
        final Frame rc = second.expect(Protocol.SEND);
        final Frame rd = second.expect(Protocol.SEND);
        assertThat(rb.clientMsgId()).isEqualTo(fb.clientMsgId());
        assertThat(rb.payloadText()).isEqualTo("b");
        assertThat(rc.clientMsgId()).isEqualTo(fc.clientMsgId());
        assertThat(rc.id()).isEqualTo("carol");
        assertThat(rd.payloadText()).isEqualTo("d");
        assertThat(rd.clientMsgId()).isNotIn(fa.clientMsgId(), fb.clientMsgId(), fc.clientMsgId());
        second.sendAck(rb.clientMsgId(), SendStatus.DUPLICATE, 2, 1, 0)
            .sendAck(rc.clientMsgId(), SendStatus.STORED, 1, 1, 0)
            .sendAck(rd.clientMsgId(), SendStatus.STORED, 3, 1, 0).flush();
        assertThat(await(b)).isEqualTo(new SendReceipt(SendStatus.DUPLICATE, 2, 1, 0));
        assertThat(await(c).seq()).isEqualTo(1);
        assertThat(await(d).seq()).isEqualTo(3);
    }

    @Test
    void resumesFromTheLastDeliveredSeq() throws Exception {
        final IrisClient client = client(b -> b.resumeCursor(40));
        assertThat(client.cursor()).isEqualTo(40);
        client.connect();
        Peer peer = server.accept();
        assertThat(peer.read().seq()).as("first LOGIN carries the configured cursor").isEqualTo(40);
        peer.loginOk("alice", 65_536, NO_HEARTBEAT, 40, 45).flush();
        for (long seq = 41; seq <= 45; seq++) {
            peer.deliver(seq, "bob", "m" + seq);
        }
        peer.flush();
        for (long seq = 41; seq <= 45; seq++) {
            assertThat(listener.message().seq()).isEqualTo(seq);
        }
        long acked = 40;
        while (acked < 45) {
            acked = peer.expect(Protocol.DELIVER_ACK).seq(); // sent once the listener returned for it
        }
        assertThat(client.cursor()).isEqualTo(45);
        peer.close();

        peer = server.accept();
        final Frame login = peer.read();
        assertThat(login.type()).isEqualTo(Protocol.LOGIN);
        assertThat(login.seq()).as("second LOGIN resumes after the last delivered seq").isEqualTo(45);
    }

    @Test
    void authFailedFailsConnectAndIsNotRetried() throws Exception {
        final IrisClient client = client();
        final CompletableFuture<Void> connected = client.connect();
        final Peer peer = server.accept();
        peer.read();
        peer.error(ErrorCode.AUTH_FAILED, "bad signature").flush();

        final Throwable cause = failure(connected);
        assertThat(cause).isInstanceOf(IrisClientException.class).hasMessageContaining("bad signature");
        assertThat(((IrisClientException) cause).code()).isEqualTo(ErrorCode.AUTH_FAILED);
        assertThat(listener.awaitEvent("disconnected")).startsWith("disconnected AUTH_FAILED");
        assertThat(server.pollAccept(QUIET)).as("no reconnection").isNull();
        assertThat(client.isClosed()).isTrue();
        final Throwable later = failure(client.send("bob", bytes("x")));
        assertThat(later).isInstanceOf(IrisClientException.class);
        assertThat(((IrisClientException) later).code()).isEqualTo(ErrorCode.AUTH_FAILED);
    }

    @Test
    void tokenExpiredDuringASessionReconnectsWithAFreshToken() throws Exception {
        final AtomicInteger n = new AtomicInteger();
        final IrisClient client = client(b -> b.token(() -> "token-" + n.incrementAndGet()));
        client.connect();
        final Peer first = server.accept();
        assertThat(first.read().token()).isEqualTo("token-1");
        first.loginOk("alice", 65_536, NO_HEARTBEAT, 0, 0).flush();
        await(client.connect());
        first.error(ErrorCode.TOKEN_EXPIRED, "expired").flush();
        assertThat(listener.awaitEvent("disconnected")).startsWith("disconnected TOKEN_EXPIRED");

        final Peer second = server.accept();
        assertThat(second.read().token()).isEqualTo("token-2");
        second.error(ErrorCode.TOKEN_EXPIRED, "still expired").flush();
        assertThat(listener.awaitEvent("disconnected")).startsWith("disconnected TOKEN_EXPIRED");
        final Throwable stopped = failure(client.send("bob", bytes("x"))); // queued or refused: fails either way
        assertThat(((IrisClientException) stopped).code()).isEqualTo(ErrorCode.TOKEN_EXPIRED);
        assertThat(client.isClosed()).isTrue();
        assertThat(server.pollAccept(QUIET)).as("a refused login is final").isNull();
    }

    @Test
    void deviceReplacedStopsTheClientAndFailsPendingSends() throws Exception {
        final IrisClient client = client();
        client.connect();
        final Peer peer = login(0, 0);
        final CompletableFuture<SendReceipt> pending = client.send("bob", bytes("x"));
        peer.expect(Protocol.SEND);
        peer.error(ErrorCode.DEVICE_REPLACED, "replaced").flush();

        assertThat(listener.awaitEvent("disconnected")).startsWith("disconnected DEVICE_REPLACED");
        final Throwable cause = failure(pending);
        assertThat(((IrisClientException) cause).code()).isEqualTo(ErrorCode.DEVICE_REPLACED);
        assertThat(server.pollAccept(QUIET)).as("no reconnection").isNull();
        assertThat(client.isClosed()).isTrue();
    }

    @Test
    void goAwayReconnectsAfterTheServersDelay() throws Exception {
        final IrisClient client = client();
        client.connect();
        final Peer first = login(0, 0);
        final long start = System.nanoTime();
        first.goAway(150, "draining").flush();
        assertThat(listener.awaitEvent("goaway")).isEqualTo("goaway 150");
        assertThat(client.isConnected()).isFalse();
        final CompletableFuture<SendReceipt> afterGoAway = client.send("bob", bytes("later"));
        first.barrier(5); // the SEND was not written on the draining connection
        first.close();

        final Peer second = server.accept();
        assertThat(System.nanoTime() - start).as("waited the GOAWAY delay")
            .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(150));
        assertThat(second.read().type()).isEqualTo(Protocol.LOGIN);
        second.loginOk("alice", 65_536, NO_HEARTBEAT, 0, 0).flush();
        final Frame send = second.expect(Protocol.SEND);
        assertThat(send.payloadText()).isEqualTo("later");
        second.sendAck(send.clientMsgId(), SendStatus.STORED, 1, 1, 0).flush();
        assertThat(await(afterGoAway).status()).isEqualTo(SendStatus.STORED);
        assertThat(client.isConnected()).isTrue();
    }

    @Test
    void goAwayWithoutServerCloseStillReconnects() throws Exception {
        final IrisClient client = client();
        client.connect();
        final Peer first = login(0, 0);
        first.goAway(50, "draining").flush();
        assertThat(first.awaitEof()).as("client leaves the draining connection").isTrue();
        assertThat(server.accept().read().type()).isEqualTo(Protocol.LOGIN);
    }

    @Test
    void answersPingWithPong() throws Exception {
        final IrisClient client = client();
        client.connect();
        final Peer peer = login(0, 0);
        peer.ping(0x1234_5678_9ABCL).flush();
        final Frame pong = peer.expect(Protocol.PONG);
        assertThat(pong.nonce()).isEqualTo(0x1234_5678_9ABCL);
    }

    @Test
    void sendsHeartbeatsAndReconnectsWhenTheServerFallsSilent() throws Exception {
        final IrisClient client = client();
        client.connect();
        final Peer first = login(65_536, 100, 0, 0);
        final Frame ping = first.read();
        assertThat(ping.type()).isEqualTo(Protocol.PING);
        // the scripted server never answers: after 3 heartbeats of silence the client gives up on it
        assertThat(first.awaitEof()).isTrue();
        assertThat(listener.awaitEvent("disconnected")).contains("nothing received");
        assertThat(server.accept().read().type()).isEqualTo(Protocol.LOGIN);
    }

    @Test
    void listenerFailureLeavesTheMessageUnackedAndRedeliversIt() throws Exception {
        listener.failOnceOn(2);
        final IrisClient client = client();
        client.connect();
        final Peer first = login(0, 3);
        first.deliver(1, "bob", "m1").deliver(2, "bob", "m2").deliver(3, "bob", "m3").flush();
        assertThat(listener.message().seq()).isEqualTo(1);
        final Frame ack = first.expect(Protocol.DELIVER_ACK);
        assertThat(ack.seq()).isEqualTo(1);
        assertThat(first.awaitEof()).isTrue();
        assertThat(client.cursor()).isEqualTo(1);

        final Peer second = server.accept();
        assertThat(second.read().seq()).as("resume cursor").isEqualTo(1);
        second.loginOk("alice", 65_536, NO_HEARTBEAT, 1, 3).deliver(2, "bob", "m2").deliver(3, "bob", "m3").flush();
        assertThat(listener.message().seq()).isEqualTo(2);
        assertThat(listener.message().seq()).isEqualTo(3);
        assertThat(second.expect(Protocol.DELIVER_ACK).seq()).isEqualTo(3);
    }

    @Test
    void malformedFrameFromServerDropsTheConnectionAndReconnects() throws Exception {
        final IrisClient client = client();
        client.connect();
        final Peer first = login(0, 0);
        first.raw(0, 0, 0, 2, 0x7F, 0).flush(); // unknown type
        assertThat(first.awaitEof()).isTrue();
        assertThat(listener.awaitEvent("disconnected")).contains("protocol error");
        login(0, 0);
        assertThat(listener.awaitEvent("connected")).isEqualTo("connected 0 0");
    }

    @Test
    void oversizedFrameIsRefusedBeforeReadingIt() throws Exception {
        final IrisClient client = client();
        client.connect();
        final Peer first = server.accept();
        first.read();
        first.raw(0x7F, 0xFF, 0xFF, 0xFF, Protocol.DELIVER).flush(); // 2 GiB frame
        assertThat(first.awaitEof()).isTrue();
        assertThat(server.accept().read().type()).isEqualTo(Protocol.LOGIN);
        assertThat(client.connect()).isNotDone();
    }

    @Test
    void enforcesMaxPayloadFromLoginOk() throws Exception {
        final IrisClient client = client();
        final CompletableFuture<SendReceipt> queuedTooBig = client.send("bob", new byte[11]);
        final CompletableFuture<SendReceipt> queuedFine = client.send("bob", new byte[10]);
        client.connect();
        final Peer peer = login(10, NO_HEARTBEAT, 0, 0);
        assertThat(failure(queuedTooBig)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxPayload");
        final Frame send = peer.expect(Protocol.SEND);
        assertThat(send.payload()).hasSize(10);
        assertThat(failure(client.send("bob", new byte[11]))).isInstanceOf(IllegalArgumentException.class);
        peer.sendAck(send.clientMsgId(), SendStatus.STORED, 1, 1, 0).flush();
        assertThat(await(queuedFine).status()).isEqualTo(SendStatus.STORED);
    }

    @Test
    void boundsPendingSends() throws Exception {
        final IrisClient client = client(b -> b.maxPendingSends(2));
        client.send("bob", bytes("1"));
        client.send("bob", bytes("2"));
        assertThat(failure(client.send("bob", bytes("3"))))
            .isInstanceOf(IllegalStateException.class).hasMessage("too many pending sends");
    }

    @Test
    void refusesInvalidRecipients() throws Exception {
        final IrisClient client = client();
        assertThat(failure(client.send("", bytes("x")))).isInstanceOf(IllegalArgumentException.class);
        assertThat(failure(client.send("x".repeat(65), bytes("x")))).isInstanceOf(IllegalArgumentException.class);
        assertThat(failure(client.send("bad\uD800", bytes("x")))).isInstanceOf(IllegalArgumentException.class);
        assertThat(failure(client.presence(""))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.send(null, bytes("x"))).isInstanceOf(NullPointerException.class);
    }

    @Test
    void answersPresenceQueries() throws Exception {
        final IrisClient client = client();
        client.connect();
        final Peer peer = login(0, 0);
        final CompletableFuture<Presence> p1 = client.presence("bob");
        final CompletableFuture<Presence> p2 = client.presence("bob");
        final Frame q = peer.expect(Protocol.PRESENCE_QUERY);
        assertThat(q.id()).isEqualTo("bob");
        peer.barrier(9); // the second query for bob shares the first request
        peer.presence("bob", true, 99).flush();
        assertThat(await(p1)).isEqualTo(new Presence("bob", true, 99));
        assertThat(await(p2)).isEqualTo(new Presence("bob", true, 99));
    }

    @Test
    void closeFailsPendingFuturesAndIsIdempotent() throws Exception {
        final IrisClient client = client();
        final CompletableFuture<Void> connected = client.connect();
        final Peer peer = server.accept();
        peer.read();
        final CompletableFuture<SendReceipt> pending = client.send("bob", bytes("x"));
        client.close();
        client.close();
        assertThat(failure(connected)).isInstanceOf(IrisClientException.class);
        assertThat(failure(pending)).isInstanceOf(IrisClientException.class).hasMessageContaining("closed");
        assertThat(failure(client.send("bob", bytes("y")))).isInstanceOf(IrisClientException.class);
        assertThat(peer.awaitEof()).isTrue();
        assertThat(client.isClosed()).isTrue();
        assertThat(client.isConnected()).isFalse();
    }

    @Test
    void withoutReconnectTheFirstFailureFailsConnect() throws Exception {
        final int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        final IrisClient client = client(b -> b.address("127.0.0.1", deadPort).reconnect(false));
        final Throwable cause = failure(client.connect());
        assertThat(cause).isInstanceOf(IrisClientException.class);
        assertThat(((IrisClientException) cause).code()).isNull();
        assertThat(cause.getCause()).isInstanceOf(java.io.IOException.class);
    }

    @Test
    void keepsRetryingAnUnreachableServerUntilItAppears() throws Exception {
        final IrisClient client = client();
        final CompletableFuture<Void> connected = client.connect();
        final Peer first = server.accept();
        first.read();
        first.error(ErrorCode.SERVER_FULL, "full").flush();
        assertThat(connected).isNotDone();
        login(0, 0);
        await(connected);
    }

    @Test
    void perAddressRefusalsAreRetriedNoSoonerThanTheServersHint() throws Exception {
        final IrisClient client = client(); // backoff 5..20 ms: without the hint it would be back at once
        final CompletableFuture<Void> connected = client.connect();
        final Peer first = server.accept();
        first.read();
        first.error(ErrorCode.TOO_MANY_CONNECTIONS, "too many new connections from your address; retry after 1500 ms")
            .flush();
        assertThat(server.pollAccept(QUIET)).as("no reconnection before the hint").isNull();
        final Peer second = server.accept();
        second.read();
        second.error(ErrorCode.LOGIN_THROTTLED, "too many failed logins from your address; retry after 1500 ms")
            .flush();
        assertThat(server.pollAccept(QUIET)).as("no reconnection before the hint").isNull();
        assertThat(connected).as("throttling is not final").isNotDone();
        login(0, 0);
        await(connected);
    }

    @Test
    void aVersion2ErrorsTypedRetryAdviceIsHonouredWithoutAnyHintInItsText() throws Exception {
        final IrisClient client = client(); // backoff 5..20 ms: without the advice it would be back at once
        final CompletableFuture<Void> connected = client.connect();
        final Peer first = server.accept();
        first.read();
        first.error(ErrorCode.LOGIN_THROTTLED, "too many failed logins", 1_500).flush();
        assertThat(server.pollAccept(QUIET)).as("no reconnection before the advice").isNull();
        assertThat(connected).as("throttling is not final").isNotDone();
        login(0, 0);
        await(connected);
    }

    @Test
    void readsTheRetryHintOfAnErrorText() {
        assertThat(IrisClient.retryAfterMillis("limit is 5 per second; retry after 250 ms")).isEqualTo(250);
        assertThat(IrisClient.retryAfterMillis("retry after 1 ms")).isEqualTo(1);
        assertThat(IrisClient.retryAfterMillis("retry after 99999999999999999999999 ms"))
            .isEqualTo(IrisClient.MAX_RETRY_HINT_MILLIS);
        assertThat(IrisClient.retryAfterMillis("retry after soon")).isEqualTo(-1);
        assertThat(IrisClient.retryAfterMillis("retry after 12 s")).isEqualTo(-1);
        assertThat(IrisClient.retryAfterMillis("server is full")).isEqualTo(-1);
        assertThat(IrisClient.retryAfterMillis(null)).isEqualTo(-1);
    }

    @Test
    void builderFailsFastWithClearMessages() {
        assertThatThrownBy(() -> IrisClient.builder().token("t").deviceId("d").listener(d -> { }).build())
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("address");
        assertThatThrownBy(() -> IrisClient.builder().address("h", 1).deviceId("d").listener(d -> { }).build())
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("token");
        assertThatThrownBy(() -> IrisClient.builder().address("h", 1).token("t").listener(d -> { }).build())
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("deviceId");
        assertThatThrownBy(() -> IrisClient.builder().address("h", 1).token("t").deviceId("d").build())
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("listener");
        assertThatThrownBy(() -> IrisClient.builder().address("h", 0))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port");
        assertThatThrownBy(() -> IrisClient.builder().deviceId("x".repeat(65)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deviceId");
        assertThatThrownBy(() -> IrisClient.builder().token(""))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token");
        assertThatThrownBy(() -> IrisClient.builder().resumeCursor(-2))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("resumeCursor");
        assertThatThrownBy(() -> IrisClient.builder().backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("backoff");
        assertThatThrownBy(() -> IrisClient.builder().connectTimeout(Duration.ZERO))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connectTimeout");
        assertThatThrownBy(() -> IrisClient.builder().maxPendingSends(0))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxPendingSends");
    }

    // ------------------------------------------------------------------------------------------------

    /** Records what the client reports; can block or fail on chosen seqs. */
    static final class RecordingListener implements IrisClient.Listener {
        final BlockingQueue<IrisClient.Delivery> messages = new LinkedBlockingQueue<>();
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        private volatile long blockSeq = -1;
        private volatile CountDownLatch blockLatch;
        /** Counted down when the listener starts blocking on {@code blockSeq}. */
        final CountDownLatch blocking = new CountDownLatch(1);
        private volatile Predicate<IrisClient.Delivery> failOnce = d -> false;

        void blockOn(final long seq, final CountDownLatch latch) {
            blockLatch = latch;
            blockSeq = seq;
        }

        void failOnceOn(final long seq) {
            final boolean[] failed = {false};
            failOnce = d -> {
                if (d.seq() == seq && !failed[0]) {
                    failed[0] = true;
                    return true;
                }
                return false;
            };
        }

        @Override
        public void onMessage(final IrisClient.Delivery delivery) {
            if (delivery.seq() == blockSeq) {
                blocking.countDown();
                try {
                    assertThat(blockLatch.await(WAIT_MS, TimeUnit.MILLISECONDS)).isTrue();
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (failOnce.test(delivery)) {
                throw new IllegalStateException("listener failure for seq " + delivery.seq());
            }
            messages.add(delivery);
        }

        @Override
        public void onConnected(final long cursor, final long lastSeq) {
            events.add("connected " + cursor + " " + lastSeq);
        }

        @Override
        public void onDisconnected(final ErrorCode code, final String reason) {
            events.add("disconnected " + code + " " + reason);
        }

        @Override
        public void onGoAway(final long reconnectAfterMillis) {
            events.add("goaway " + reconnectAfterMillis);
        }

        IrisClient.Delivery message() throws InterruptedException {
            final IrisClient.Delivery d = messages.poll(WAIT_MS, TimeUnit.MILLISECONDS);
            assertThat(d).as("a delivery within " + WAIT_MS + " ms").isNotNull();
            return d;
        }

        String event() throws InterruptedException {
            final String e = events.poll(WAIT_MS, TimeUnit.MILLISECONDS);
            assertThat(e).as("a listener event within " + WAIT_MS + " ms").isNotNull();
            return e;
        }

        /** @return the next event starting with {@code prefix}, skipping others. */
        String awaitEvent(final String prefix) throws InterruptedException {
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
            while (true) {
                final long left = deadline - System.nanoTime();
                final String e = events.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
                assertThat(e).as("an event starting with '" + prefix + "'").isNotNull();
                if (e.startsWith(prefix)) {
                    return e;
                }
            }
        }
    }
}
