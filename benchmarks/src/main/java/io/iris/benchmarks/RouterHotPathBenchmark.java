package io.iris.benchmarks;

import io.iris.protocol.ErrorCode;
import io.iris.api.IrisConfig;
import io.iris.api.counters.IrisCounters;
import io.iris.protocol.SendStatus;
import io.iris.api.auth.Authenticator;
import io.iris.engine.auth.JwtAuthenticatorProvider;
import io.iris.engine.auth.JwtMinter;
import io.iris.engine.auth.TokenRevocations;
import io.iris.engine.counters.EngineCounters;
import io.iris.engine.durability.GroupCommitBatcher;
import io.iris.engine.egress.TransportEgress;
import io.iris.engine.flow.CommitLatencyProbe;
import io.iris.engine.flow.FlowSettings;
import io.iris.engine.flow.OverloadFlowController;
import io.iris.engine.ingress.ShardIngress;
import io.iris.engine.placement.SingleNodePlacement;
import io.iris.engine.ratelimit.LoginThrottle;
import io.iris.engine.ratelimit.UserRateLimits;
import io.iris.engine.routing.DeviceRouter;
import io.iris.engine.routing.HashShard;
import io.iris.engine.routing.PendingRequests;
import io.iris.engine.routing.ShardAgent;
import io.iris.engine.session.SessionHandler;
import io.iris.storage.memory.MemoryInboxStore;
import io.iris.transport.Connection;
import io.iris.transport.FrameSink;
import io.iris.transport.protocol.FrameEncoder;
import io.iris.protocol.Protocol;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The engine's whole message path for one message, in one thread and without sockets: the SEND frame
 * is decoded and checked by {@link SessionHandler#onFrame} (authenticated session, token expiry,
 * payload limit, token bucket, flow control) and written into the shard's ring buffer; the
 * {@link ShardAgent} duty cycle appends it through the {@link GroupCommitBatcher} to the in-memory
 * store, syncs, writes SEND_ACK to the sender and DELIVER to the online recipient through its
 * {@link TransportEgress} into a {@link FrameSink}; the recipient's DELIVER_ACK travels the same way and advances its cursor, which
 * trims the inbox. Both users are logged in with real JWTs during setup.
 *
 * <p>What is left out is the socket I/O (the transport's own loop): the load generator measures that.
 * Run with {@code -prof gc}: {@code gc.alloc.rate.norm} is per message and must be about 0 B/op.
 *
 * <pre>java -jar benchmarks/target/iris-benchmarks.jar RouterHotPathBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED", "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED", "-Dchronicle.analytics.disable=true",
    "-Dchronicle.announcer.disable=true"})
public class RouterHotPathBenchmark {
    private static final String SECRET = "benchmark-secret-benchmark-secret-0123456789";
    private static final int PAYLOAD = 100;
    private static final int BATCH = 16;

    private MemoryInboxStore store;
    private SessionHandler sessions;
    private ShardAgent agent;
    private final Sink sink = new Sink();
    private final BenchConnection alice = new BenchConnection(1L << 8);
    private final BenchConnection bob = new BenchConnection(2L << 8);
    private final UnsafeBuffer sendFrame = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
    private final UnsafeBuffer ackFrame = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
    private int sendLength;
    private int ackLength;
    private long msgId;

    /** Builds one shard's engine pieces and logs alice and bob in. */
    @Setup(Level.Trial)
    public void setup() {
        final IrisConfig config = IrisConfig.of(Map.of("auth.jwt.secret", SECRET));
        final Authenticator authenticator = new JwtAuthenticatorProvider().create(config);
        final JwtMinter minter = JwtAuthenticatorProvider.minterFrom(config);
        store = new MemoryInboxStore();
        final RingBuffer[] queues = {new ManyToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect((4 << 20) + RingBufferDescriptor.TRAILER_LENGTH)))};
        final EngineCounters counters = new EngineCounters(new IrisCounters(), 1);
        final ShardIngress ingress = new ShardIngress(new SingleNodePlacement(new HashShard(1)), queues,
            new OverloadFlowController(FlowSettings.from(config), queues,
                new CommitLatencyProbe[] {new CommitLatencyProbe()}, () -> 0.0, System::nanoTime));
        sessions = new SessionHandler(authenticator, ingress, new UserRateLimits(1_000_000_000, 1_000_000_000),
            new TokenRevocations(TokenRevocations.DEFAULT_MAX_ENTRIES, Duration.ofSeconds(30)),
            LoginThrottle.disabled(), Protocol.DEFAULT_MAX_PAYLOAD, 30_000, counters, 64 * 1024);
        final TransportEgress egress = new TransportEgress(SingleNodePlacement.NODE, sink, 1 << 20, counters);
        final int maxBatch = 1024;
        // timed and recorded like the engine's batchers: the sync-latency histogram is on this path too
        agent = new ShardAgent(0, queues[0], store, new GroupCommitBatcher(store, maxBatch, new CommitLatencyProbe(),
            System::nanoTime, counters.syncLatency()),
            new DeviceRouter(store, egress, SystemEpochClock.INSTANCE, 256, 1 << 20, 0, counters), egress,
            new PendingRequests(), null, SystemEpochClock.INSTANCE, maxBatch, Protocol.DEFAULT_MAX_PAYLOAD,
            30_000, 1000, io.iris.api.RecipientValidator.ANY, 65_536, counters);
        login(alice, minter.mint("alice", Duration.ofDays(1)));
        login(bob, minter.mint("bob", Duration.ofDays(1)));
        if (sink.loginOks != 2) {
            throw new IllegalStateException("logins failed: " + sink);
        }
        final byte[] payload = new byte[PAYLOAD];
        sendLength = FrameEncoder.send(sendFrame, 0, 0, "bob".getBytes(StandardCharsets.UTF_8), payload, 0, PAYLOAD);
        ackLength = FrameEncoder.deliverAck(ackFrame, 0, 0);
    }

    private void login(final BenchConnection c, final String token) {
        sessions.onOpen(c);
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[8192]);
        final int length = FrameEncoder.login(frame, 0, 1, 1, token.getBytes(StandardCharsets.US_ASCII),
            "d1".getBytes(StandardCharsets.UTF_8), -1);
        sessions.onFrame(c, frame, Protocol.LENGTH_FIELD, length - Protocol.LENGTH_FIELD);
        agent.doWork();
    }

    /** Checks that every message went the whole way: stored, acknowledged and delivered. */
    @TearDown(Level.Trial)
    public void verify() {
        if (sink.stored != msgId || sink.delivered != msgId || sink.refused != 0 || alice.errors + bob.errors != 0) {
            throw new IllegalStateException("hot path did not complete every message: sent " + msgId + ", " + sink
                + ", connection errors " + (alice.errors + bob.errors));
        }
        if (store.size("bob") > 2 * BATCH) {
            throw new IllegalStateException("acks did not trim the inbox: " + store.size("bob"));
        }
    }

    /**
     * One message per duty cycle (light load: every batch is one message).
     *
     * @return frames the sink received so far.
     */
    @Benchmark
    public long oneMessagePerCycle() {
        acknowledgeDelivered();
        send();
        agent.doWork();
        return sink.frames;
    }

    /**
     * Sixteen messages per duty cycle (one group commit for sixteen); results are per message.
     *
     * @return frames the sink received so far.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long sixteenMessagesPerCycle() {
        acknowledgeDelivered();
        for (int i = 0; i < BATCH; i++) {
            send();
        }
        agent.doWork();
        return sink.frames;
    }

    private void send() {
        sendFrame.putLong(Protocol.HEADER, ++msgId, ByteOrder.BIG_ENDIAN);
        sessions.onFrame(alice, sendFrame, Protocol.LENGTH_FIELD, sendLength - Protocol.LENGTH_FIELD);
    }

    private void acknowledgeDelivered() {
        ackFrame.putLong(Protocol.HEADER, sink.lastDeliveredSeq, ByteOrder.BIG_ENDIAN);
        sessions.onFrame(bob, ackFrame, Protocol.LENGTH_FIELD, ackLength - Protocol.LENGTH_FIELD);
    }

    /** Stands in for the transport: counts the frames the shard writes, as the client would see them. */
    static final class Sink implements FrameSink {
        long frames;
        long loginOks;
        long stored;
        long refused;
        long delivered;
        long lastDeliveredSeq;

        @Override
        public boolean offer(final long connectionId, final DirectBuffer buffer, final int offset, final int length) {
            frames++;
            final byte type = buffer.getByte(offset + Protocol.LENGTH_FIELD);
            final int body = offset + Protocol.HEADER;
            if (type == Protocol.SEND_ACK) {
                if (buffer.getByte(body + 8) == (byte) SendStatus.STORED.code()) {
                    stored++;
                } else {
                    refused++;
                }
            } else if (type == Protocol.DELIVER) {
                delivered++;
                lastDeliveredSeq = buffer.getLong(body, ByteOrder.BIG_ENDIAN);
            } else if (type == Protocol.LOGIN_OK) {
                loginOks++;
            }
            return true;
        }

        @Override
        public boolean offerClose(final long connectionId, final ErrorCode code, final String text) {
            refused++;
            return true;
        }

        @Override
        public String toString() {
            return "frames=" + frames + " loginOk=" + loginOks + " stored=" + stored + " refused=" + refused
                + " delivered=" + delivered;
        }
    }

    /** A {@link Connection} without a socket: what the session handler writes to it is counted and dropped. */
    static final class BenchConnection implements Connection {
        private static final InetSocketAddress ADDRESS = new InetSocketAddress("127.0.0.1", 1);
        private final long id;
        private Object attachment;
        private int maxInbound = Protocol.MAX_FRAME_BEFORE_LOGIN;
        long written;
        int errors;

        BenchConnection(final long id) {
            this.id = id;
        }

        @Override
        public long id() {
            return id;
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return ADDRESS;
        }

        @Override
        public boolean isOpen() {
            return errors == 0;
        }

        @Override
        public boolean write(final DirectBuffer buffer, final int offset, final int length) {
            written += length;
            return true;
        }

        @Override
        public void closeWithError(final ErrorCode code, final String text) {
            errors++;
            System.err.println("connection " + id + " closed with " + code + ": " + text);
        }

        @Override
        public void close() {
            errors++;
        }

        @Override
        public int maxInboundFrame() {
            return maxInbound;
        }

        @Override
        public void maxInboundFrame(final int length) {
            maxInbound = length;
        }

        @Override
        public void readTimeout(final long millis, final ErrorCode code) {
        }

        @Override
        public void closeAfter(final long millis, final ErrorCode code, final String text) {
        }

        @Override
        public Object attachment() {
            return attachment;
        }

        @Override
        public void attach(final Object attachment) {
            this.attachment = attachment;
        }
    }
}
