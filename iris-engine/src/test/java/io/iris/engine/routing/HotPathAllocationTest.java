package io.iris.engine.routing;

import io.iris.api.RecipientValidator;
import io.iris.api.auth.Authenticator;
import io.iris.api.auth.Principal;
import io.iris.api.counters.IrisCounters;
import io.iris.engine.counters.EngineCounters;
import io.iris.engine.durability.GroupCommitBatcher;
import io.iris.engine.egress.TransportEgress;
import io.iris.engine.auth.TokenRevocations;
import io.iris.engine.fakes.AdmitEverySend;
import io.iris.engine.fakes.FakeConnection;
import io.iris.engine.ingress.ShardIngress;
import io.iris.engine.placement.SingleNodePlacement;
import io.iris.engine.ratelimit.LoginThrottle;
import io.iris.engine.ratelimit.UserRateLimits;
import io.iris.engine.session.SessionHandler;
import io.iris.protocol.ErrorCode;
import io.iris.protocol.Protocol;
import io.iris.storage.memory.MemoryInboxStore;
import io.iris.transport.FrameSink;
import io.iris.transport.protocol.FrameEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The message path through the seams (session handler → ingress → shard → egress → transport) allocates
 * nothing per message in steady state, as the JMH {@code RouterHotPathBenchmark} measures with {@code -prof gc};
 * this is the quick check that runs with the unit tests: SEND, SEND_ACK, DELIVER and DELIVER_ACK on one thread.
 */
class HotPathAllocationTest {
    private static final Authenticator TOKEN_IS_USER = (token, now) -> new Principal(token, Long.MAX_VALUE);

    /** Counts frames and remembers the last delivered seq, allocation-free. */
    private static final class CountingSink implements FrameSink {
        long delivered;
        long lastSeq;

        @Override
        public boolean offer(final long connectionId, final DirectBuffer buffer, final int offset, final int length) {
            if (buffer.getByte(offset + Protocol.LENGTH_FIELD) == Protocol.DELIVER) {
                delivered++;
                lastSeq = buffer.getLong(offset + Protocol.HEADER, ByteOrder.BIG_ENDIAN);
            }
            return true;
        }

        @Override
        public boolean offerClose(final long connectionId, final ErrorCode code, final String text) {
            return true;
        }
    }

    @Test
    void sendAckDeliverAndAckAllocateNothingPerMessage() {
        final EngineCounters counters = new EngineCounters(new IrisCounters(), 1);
        final MemoryInboxStore store = new MemoryInboxStore();
        final RingBuffer queue = new ManyToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect((1 << 20) + RingBufferDescriptor.TRAILER_LENGTH)));
        final SessionHandler sessions = new SessionHandler(TOKEN_IS_USER,
            new ShardIngress(new SingleNodePlacement(new HashShard(1)), new RingBuffer[] {queue},
                AdmitEverySend.INSTANCE),
            new UserRateLimits(1_000_000_000, 1_000_000_000), new TokenRevocations(16, Duration.ofSeconds(30)),
            LoginThrottle.disabled(), Protocol.DEFAULT_MAX_PAYLOAD, 30_000, counters, 64 * 1024);
        final CountingSink sink = new CountingSink();
        final TransportEgress egress = new TransportEgress(SingleNodePlacement.NODE, sink, 1 << 16, counters);
        final ShardAgent agent = new ShardAgent(0, queue, store, new GroupCommitBatcher(store, 256),
            new DeviceRouter(store, egress, System::currentTimeMillis, 256, 1 << 20, 0, counters), egress,
            new PendingRequests(), null, System::currentTimeMillis, 256, Protocol.DEFAULT_MAX_PAYLOAD, 30_000, 1_000,
            RecipientValidator.ANY, 1_000, counters);
        final FakeConnection alice = new FakeConnection(1L << 8);
        final FakeConnection bob = new FakeConnection(2L << 8);
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[1024]);
        for (final FakeConnection c : new FakeConnection[] {alice, bob}) {
            sessions.onOpen(c);
            final byte[] token = (c == alice ? "alice" : "bob").getBytes(StandardCharsets.US_ASCII);
            final int length = FrameEncoder.login(frame, 0, Protocol.VERSION, Protocol.VERSION, token,
                "d".getBytes(StandardCharsets.UTF_8), -1);
            sessions.onFrame(c, frame, Protocol.LENGTH_FIELD, length - Protocol.LENGTH_FIELD);
            agent.doWork();
        }
        final UnsafeBuffer send = new UnsafeBuffer(new byte[256]);
        final int sendLength = FrameEncoder.send(send, 0, 0, "bob".getBytes(StandardCharsets.UTF_8), new byte[100], 0,
            100);
        final UnsafeBuffer ack = new UnsafeBuffer(new byte[64]);
        final int ackLength = FrameEncoder.deliverAck(ack, 0, 0);

        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        final long self = Thread.currentThread().getId();
        final int messages = 20_000;
        long msgId = 0;
        long allocated = 0;
        for (int round = 0; round < 3; round++) { // the first rounds warm up (JIT, maps reaching their size)
            final long before = threads.getThreadAllocatedBytes(self);
            for (int i = 0; i < messages; i++) {
                send.putLong(Protocol.HEADER, ++msgId, ByteOrder.BIG_ENDIAN);
                sessions.onFrame(alice, send, Protocol.LENGTH_FIELD, sendLength - Protocol.LENGTH_FIELD);
                agent.doWork();
                ack.putLong(Protocol.HEADER, sink.lastSeq, ByteOrder.BIG_ENDIAN);
                sessions.onFrame(bob, ack, Protocol.LENGTH_FIELD, ackLength - Protocol.LENGTH_FIELD);
            }
            allocated = threads.getThreadAllocatedBytes(self) - before;
        }
        assertThat(sink.delivered).isEqualTo(msgId);
        assertThat(alice.isOpen() && bob.isOpen()).isTrue();
        assertThat(allocated / (double) messages).as("bytes allocated per message").isLessThan(1.0);
    }
}
