package io.iris.engine.routing;

import io.iris.api.RecipientValidator;
import io.iris.api.counters.IrisCounters;
import io.iris.engine.counters.EngineCounters;
import io.iris.engine.durability.GroupCommitBatcher;
import io.iris.engine.egress.TransportEgress;
import io.iris.engine.fakes.AdmitEverySend;
import io.iris.engine.fakes.RecordingSink;
import io.iris.engine.ingress.Ingress;
import io.iris.engine.ingress.ShardIngress;
import io.iris.engine.placement.DeviceAddress;
import io.iris.engine.placement.SingleNodePlacement;
import io.iris.protocol.Presence;
import io.iris.protocol.Protocol;
import io.iris.protocol.SendReceipt;
import io.iris.protocol.SendStatus;
import io.iris.storage.memory.MemoryInboxStore;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ShardAgent} driven directly, one duty cycle at a time: commands enter through a {@link ShardIngress},
 * frames leave through a {@link TransportEgress} into a {@link RecordingSink}, the inbox is the memory store.
 */
class ShardAgentTest {
    private static final long ALICE = DeviceAddress.of(SingleNodePlacement.NODE, 1L << 8);
    private static final long BOB = DeviceAddress.of(SingleNodePlacement.NODE, 2L << 8);

    private final IrisCounters registry = new IrisCounters();
    private final EngineCounters counters = new EngineCounters(registry, 1);
    private final MemoryInboxStore store = new MemoryInboxStore();
    private final RecordingSink sink = new RecordingSink();
    private final RingBuffer queue = new ManyToOneRingBuffer(new UnsafeBuffer(
        ByteBuffer.allocateDirect((64 << 10) + RingBufferDescriptor.TRAILER_LENGTH)));
    private final Ingress ingress = new ShardIngress(new SingleNodePlacement(new HashShard(1)),
        new RingBuffer[] {queue}, AdmitEverySend.INSTANCE);
    private final PendingRequests requests = new PendingRequests();
    private final TransportEgress egress = new TransportEgress(SingleNodePlacement.NODE, sink, 4096, counters);
    private long now = 1_000;
    private final ShardAgent agent = new ShardAgent(0, queue, store, new GroupCommitBatcher(store, 64),
        new DeviceRouter(store, egress, () -> now, 16, 1 << 20, 0, counters), egress, requests, null, () -> now,
        64, Protocol.DEFAULT_MAX_PAYLOAD, 30_000, 1_000, RecipientValidator.ANY, 1_000, counters);
    private final UnsafeBuffer command = new UnsafeBuffer(new byte[1024]);

    private void login(final long device, final String user, final String deviceId) {
        ShardCommand.writeLogin(command, 0, device, -1, Protocol.VERSION, bytes(user), bytes(deviceId));
        assertThat(ingress.offer(0, ShardCommand.LOGIN, command, 0,
            ShardCommand.loginLength(user.length(), deviceId.length()))).isTrue();
    }

    private void send(final byte originKind, final long origin, final String from, final String to, final long msgId,
                      final String text) {
        assertThat(ingress.send(originKind, origin, msgId, buffer(from), 0, from.length(), buffer(to), 0, to.length(),
            buffer(text), 0, text.length())).isEqualTo(Ingress.QUEUED);
    }

    private void ack(final long device, final long upTo) {
        assertThat(ingress.offer(0, ShardCommand.DELIVER_ACK, command, 0,
            ShardCommand.writeAck(command, 0, device, upTo))).isTrue();
    }

    private void logout(final long device) {
        assertThat(ingress.offer(0, ShardCommand.LOGOUT, command, 0, ShardCommand.writeLogout(command, 0, device)))
            .isTrue();
    }

    private static byte[] bytes(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static UnsafeBuffer buffer(final String s) {
        return new UnsafeBuffer(bytes(s));
    }

    @Test
    void aLoginIsAnsweredWithLoginOkAtTheDeviceAddress() {
        login(BOB, "bob", "phone");
        agent.doWork();
        assertThat(sink.take()).containsExactly(BOB + ":LOGIN_OK cursor=0 last=0");
        assertThat(registry.value("iris_logins_total")).isEqualTo(1);
    }

    @Test
    void aSendIsAcknowledgedAfterTheGroupCommitThenDeliveredAndTheAckAdvancesTheCursor() {
        login(ALICE, "alice", "laptop");
        login(BOB, "bob", "phone");
        agent.doWork();
        sink.take();

        send(ReplyOrigin.CLIENT, ALICE, "alice", "bob", 7, "hi");
        send(ReplyOrigin.CLIENT, ALICE, "alice", "bob", 8, "there");
        agent.doWork();
        assertThat(sink.take()).containsExactly(
            ALICE + ":SEND_ACK 7 STORED seq=1", BOB + ":DELIVER seq=1 from=alice hi",
            ALICE + ":SEND_ACK 8 STORED seq=2", BOB + ":DELIVER seq=2 from=alice there");
        assertThat(registry.value("iris_group_commit_batches_total")).isEqualTo(1);
        assertThat(registry.value("iris_group_commit_records_total")).isEqualTo(2);
        assertThat(registry.value("iris_sends_total", "status", "STORED")).isEqualTo(2);
        assertThat(registry.value("iris_deliveries_total")).isEqualTo(2);

        ack(BOB, 2);
        agent.doWork();
        assertThat(store.cursor("bob", "phone")).isEqualTo(2);
        assertThat(registry.value("iris_delivery_acks_total")).isEqualTo(1);
    }

    @Test
    void aRetriedSendIsAnsweredDuplicateWithTheOriginalSeqAndStoredOnce() {
        send(ReplyOrigin.CLIENT, ALICE, "alice", "bob", 7, "hi");
        agent.doWork();
        send(ReplyOrigin.CLIENT, ALICE, "alice", "bob", 7, "hi");
        agent.doWork();
        assertThat(sink.take()).containsExactly(ALICE + ":SEND_ACK 7 STORED seq=1",
            ALICE + ":SEND_ACK 7 DUPLICATE seq=1");
        assertThat(store.lastSeq("bob")).isEqualTo(1);
    }

    @Test
    void anEmbeddingApiOriginCompletesItsFutureInsteadOfWritingAFrame() throws Exception {
        final CompletableFuture<SendReceipt> receipt = new CompletableFuture<>();
        send(ReplyOrigin.API, requests.register(receipt), "alice", "bob", 7, "hi");
        final CompletableFuture<Presence> presence = new CompletableFuture<>();
        ShardCommand.writePresence(command, 0, ReplyOrigin.API, requests.register(presence), buffer("bob"), 0, 3);
        ingress.offer(0, ShardCommand.PRESENCE, command, 0, ShardCommand.presenceLength(3));
        agent.doWork();
        assertThat(receipt.getNow(null).status()).isEqualTo(SendStatus.STORED);
        assertThat(receipt.getNow(null).seq()).isEqualTo(1);
        assertThat(presence.getNow(null).online()).isFalse();
        assertThat(sink.take()).isEmpty();
    }

    @Test
    void aLogoutTakesTheDeviceOfflineAndItsBacklogWaitsInTheInbox() {
        login(BOB, "bob", "phone");
        agent.doWork();
        logout(BOB);
        send(ReplyOrigin.CLIENT, ALICE, "alice", "bob", 7, "hi");
        ShardCommand.writePresence(command, 0, ReplyOrigin.CLIENT, ALICE, buffer("bob"), 0, 3);
        ingress.offer(0, ShardCommand.PRESENCE, command, 0, ShardCommand.presenceLength(3));
        agent.doWork();
        assertThat(sink.take()).as("a presence query is answered at once, a SEND after its group commit")
            .containsExactly(BOB + ":LOGIN_OK cursor=0 last=0", ALICE + ":PRESENCE bob online=false",
                ALICE + ":SEND_ACK 7 STORED seq=1");

        login(BOB, "bob", "phone");
        agent.doWork();
        agent.doWork();
        assertThat(sink.take()).containsExactly(BOB + ":LOGIN_OK cursor=0 last=1",
            BOB + ":DELIVER seq=1 from=alice hi");
    }

    @Test
    void framesAFullIoQueueRefusesWaitInTheOutboxAndGoOutInOrderOnTheNextDutyCycle() {
        login(BOB, "bob", "phone");
        agent.doWork();
        sink.take();
        sink.full = true;
        send(ReplyOrigin.CLIENT, ALICE, "alice", "bob", 7, "hi");
        assertThat(agent.doWork()).isPositive(); // returns without waiting for the I/O thread
        assertThat(agent.hasEgressBacklog()).isTrue();
        assertThat(sink.take()).isEmpty();

        sink.full = false;
        send(ReplyOrigin.CLIENT, ALICE, "alice", "bob", 8, "there");
        agent.doWork();
        assertThat(sink.take()).containsExactly(
            ALICE + ":SEND_ACK 7 STORED seq=1", BOB + ":DELIVER seq=1 from=alice hi",
            ALICE + ":SEND_ACK 8 STORED seq=2", BOB + ":DELIVER seq=2 from=alice there");
        assertThat(agent.hasEgressBacklog()).isFalse();
    }

    @Test
    void whenTheOutboxIsFullTooTheConnectionIsClosedAndItsMessagesStayInTheInbox() {
        login(BOB, "bob", "phone");
        agent.doWork();
        sink.take();
        sink.full = true;
        final String big = "x".repeat(1000);
        for (int i = 1; i <= 10; i++) { // ~10 KB of frames for a 4 KB outbox
            send(ReplyOrigin.CLIENT, ALICE, "alice", "bob", i, big);
        }
        agent.doWork();
        assertThat(registry.value("iris_egress_overflow_closes_total")).isPositive();

        sink.full = false;
        agent.doWork();
        final var frames = sink.take();
        assertThat(frames).contains(BOB + ":close SLOW_CONSUMER");
        assertThat(frames).noneMatch(f -> f.startsWith(BOB + ":DELIVER seq=10"));
        assertThat(store.lastSeq("bob")).as("every message is in the inbox").isEqualTo(10);

        logout(BOB); // the transport's close reaches the shard as a LOGOUT
        login(BOB, "bob", "phone");
        agent.doWork();
        agent.doWork();
        assertThat(sink.take()).startsWith(BOB + ":LOGIN_OK cursor=0 last=10",
            BOB + ":DELIVER seq=1 from=alice " + big);
    }
}
