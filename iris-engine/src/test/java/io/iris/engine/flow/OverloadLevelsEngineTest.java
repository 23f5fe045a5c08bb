package io.iris.engine.flow;

import io.iris.protocol.ErrorCode;
import io.iris.api.IrisConfig;
import io.iris.protocol.SendReceipt;
import io.iris.protocol.SendStatus;
import io.iris.api.flow.OverloadLevel;
import io.iris.api.storage.InboxStore;
import io.iris.engine.ForwardingInboxStore;
import io.iris.client.IrisClient;
import io.iris.testsupport.Await;
import io.iris.engine.IrisEngine;
import io.iris.engine.auth.JwtMinter;
import io.iris.storage.memory.MemoryInboxStore;
import io.iris.transport.protocol.FrameDecoder;
import io.iris.transport.protocol.FrameEncoder;
import io.iris.protocol.Protocol;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Drives a real engine through every overload level and back with real signals:
 * <ul>
 *   <li>SLOW by group-commit latency: the store's sync blocks (a gate the test holds), so the running
 *       sync's age passes the SLOW threshold;</li>
 *   <li>SHED by queue depth: while the shard is stuck in that sync, a burst of sends fills its queue;</li>
 *   <li>CRITICAL by outbound backlog: a logged-in client floods SENDs without reading, so their OVERLOADED
 *       acks pile up unsent on the server;</li>
 * </ul>
 * then back: the flooder reads again (CRITICAL to SHED), the store's sync completes (SHED to SLOW to NORMAL).
 * The heap signal is not driven here (it would need most of the test JVM's heap): {@code HeapAfterGcTest}
 * shows the real signal rising, {@code OverloadFlowControllerTest} its effect on the level.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class OverloadLevelsEngineTest {
    private static final String SECRET = "overload-test-secret-0123456789abcdefghij";
    private static final long SLOW_RETRY = 11;
    private static final long SHED_RETRY = 222;
    private static final long CRITICAL_RETRY = 3333;

    private final JwtMinter minter = new JwtMinter(SECRET.getBytes(StandardCharsets.UTF_8), null, null);
    private final GatedStore store = new GatedStore(new MemoryInboxStore());
    private final List<OverloadLevel> changes = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private IrisEngine engine;

    @AfterEach
    void tearDown() throws Exception {
        store.open();
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void everyLevelUpAndBackWithRealSignals() throws Exception {
        final Map<String, String> config = new HashMap<>();
        config.put("server.host", "127.0.0.1");
        config.put("server.port", "0");
        config.put("auth.jwt.secret", SECRET);
        config.put("engine.shards", "1");
        config.put("engine.queueBytes", "65536");
        config.put("limits.rate.perSecond", "1000000000");
        config.put("limits.rate.burst", "1000000000");
        config.put("flow.sampleIntervalMillis", "10");
        config.put("flow.dwellMillis", "300");
        config.put("flow.slow.retryAfterMillis", String.valueOf(SLOW_RETRY));
        config.put("flow.shed.retryAfterMillis", String.valueOf(SHED_RETRY));
        config.put("flow.critical.retryAfterMillis", String.valueOf(CRITICAL_RETRY));
        // each signal is tuned to drive one level; the others' thresholds are out of its reach
        config.put("flow.commitLatencyMillis.enter", "100,3600000,3600001");
        config.put("flow.commitLatencyMillis.exit", "50,1800000,1800001");
        config.put("flow.queue.enter", "0.2,0.4,0.99");
        config.put("flow.queue.exit", "0.1,0.3,0.9");
        config.put("flow.outbound.budgetBytes", "100000");
        config.put("flow.outbound.enter", "0.98,0.99,1.0");
        config.put("flow.outbound.exit", "0.1,0.2,0.3");
        config.put("flow.heap.enter", "0.97,0.98,0.99");
        config.put("flow.heap.exit", "0.9,0.95,0.96");
        engine = IrisEngine.builder().config(IrisConfig.of(config)).storage(store).overloadListener(changes::add)
            .start();

        final BlockingQueue<IrisClient.Delivery> bobInbox = new LinkedBlockingQueue<>();
        final IrisClient bob = IrisClient.builder().address("127.0.0.1", engine.port())
            .token(minter.mint("bob", Duration.ofHours(1))).deviceId("phone").listener(bobInbox::add).build();
        resources.add(bob);
        bob.connect().get(30, TimeUnit.SECONDS);
        final RawClient flooder = new RawClient(engine.port());
        resources.add(flooder);
        flooder.login(minter.mint("mallory", Duration.ofHours(1)));

        final List<CompletableFuture<SendReceipt>> admitted = new ArrayList<>();
        long msgId = 0;

        // NORMAL
        assertThat(engine.overloadLevel()).isEqualTo(OverloadLevel.NORMAL);
        final SendReceipt first = engine.send("alice", "bob", ++msgId, payload(10)).get(30, TimeUnit.SECONDS);
        assertThat(first.status()).isEqualTo(SendStatus.STORED);
        admitted.add(CompletableFuture.completedFuture(first));

        // SLOW: the store's sync stops returning; one more send makes the shard start a sync
        store.close_gate();
        admitted.add(engine.send("alice", "bob", ++msgId, payload(10)));
        Await.until(() -> engine.overloadLevel() == OverloadLevel.SLOW, "SLOW from the group-commit latency");
        int refused = 0;
        for (int i = 0; i < 8; i++) {
            final CompletableFuture<SendReceipt> f = engine.send("alice", "bob", ++msgId, payload(10));
            if (f.isDone() && f.get().status() == SendStatus.OVERLOADED) {
                assertThat(f.get().retryAfterMillis()).isEqualTo(SLOW_RETRY);
                refused++;
            } else {
                admitted.add(f);
            }
        }
        assertThat(refused).as("one in four refused at SLOW").isEqualTo(2);

        // SHED: a burst fills the stuck shard's queue
        for (int i = 0; i < 2000 && engine.overloadLevel() != OverloadLevel.SHED; i++) {
            final CompletableFuture<SendReceipt> f = engine.send("alice", "bob", ++msgId, payload(1000));
            if (!(f.isDone() && f.get().status() == SendStatus.OVERLOADED)) {
                admitted.add(f);
            }
        }
        Await.until(() -> engine.overloadLevel() == OverloadLevel.SHED, "SHED from the queue depth");
        for (int i = 0; i < 5; i++) {
            final SendReceipt r = engine.send("alice", "bob", ++msgId, payload(10)).get(1, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(SendStatus.OVERLOADED);
            assertThat(r.retryAfterMillis()).isEqualTo(SHED_RETRY);
        }

        // CRITICAL: the flooder sends without reading; the OVERLOADED acks pile up on the server
        final byte[] frame = flooder.sendFrame("bob", 100);
        long flooded = 0;
        final long floodDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (engine.overloadLevel() != OverloadLevel.CRITICAL && flooded < 500_000
            && System.nanoTime() - floodDeadline < 0) {
            for (int i = 0; i < 100; i++) {
                flooder.write(frame);
                flooded++;
            }
        }
        Await.until(() -> engine.overloadLevel() == OverloadLevel.CRITICAL, "CRITICAL from the outbound backlog");
        final SendReceipt critical = engine.send("alice", "bob", ++msgId, payload(10)).get(1, TimeUnit.SECONDS);
        assertThat(critical.status()).isEqualTo(SendStatus.OVERLOADED);
        assertThat(critical.retryAfterMillis()).isEqualTo(CRITICAL_RETRY);
        try (RawClient refusedClient = new RawClient(engine.port())) {
            final FrameDecoder error = refusedClient.readFrame();
            assertThat(error.type()).isEqualTo(Protocol.ERROR);
            assertThat(ErrorCode.fromCode(error.code())).isEqualTo(ErrorCode.SERVER_FULL);
            assertThat(error.text()).contains("overloaded");
        }

        // back to SHED: the flooder reads again; every SEND it made is answered
        final long sent = flooded;
        long acks = 0;
        for (long i = 0; i < sent; i++) {
            final FrameDecoder ack = flooder.readFrame();
            assertThat(ack.type()).as("frame %s", Protocol.typeName(ack.type())).isEqualTo(Protocol.SEND_ACK);
            assertThat(SendStatus.fromCode(ack.code())).isEqualTo(SendStatus.OVERLOADED);
            assertThat(ack.retryAfterMillis()).isIn(SHED_RETRY, CRITICAL_RETRY);
            acks++;
        }
        assertThat(acks).isEqualTo(sent);
        Await.until(() -> engine.overloadLevel() == OverloadLevel.SHED, "SHED once the backlog is gone");

        // back to NORMAL: the store's sync returns, the queue drains, the latency goes
        store.open();
        Await.until(() -> engine.overloadLevel() == OverloadLevel.NORMAL, "NORMAL once the pressure is gone");
        assertThat(changes).containsExactly(OverloadLevel.SLOW, OverloadLevel.SHED, OverloadLevel.CRITICAL,
            OverloadLevel.SHED, OverloadLevel.SLOW, OverloadLevel.NORMAL);

        // every admitted send was answered, and every STORED one reaches bob
        final Set<Long> stored = new HashSet<>();
        for (final CompletableFuture<SendReceipt> f : admitted) {
            final SendReceipt r = f.get(30, TimeUnit.SECONDS);
            assertThat(r.status()).isIn(SendStatus.STORED, SendStatus.OVERLOADED);
            if (r.status() == SendStatus.STORED) {
                stored.add(r.seq());
            }
        }
        assertThat(stored.size()).as("sends admitted before SHED were stored").isGreaterThan(10);
        final Set<Long> delivered = new HashSet<>();
        final long deliverDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!delivered.containsAll(stored) && System.nanoTime() - deliverDeadline < 0) {
            final IrisClient.Delivery d = bobInbox.poll(1, TimeUnit.SECONDS);
            if (d != null) {
                delivered.add(d.seq());
            }
        }
        assertThat(delivered).containsAll(stored);

        // and new connections are accepted again
        final IrisClient carol = IrisClient.builder().address("127.0.0.1", engine.port())
            .token(minter.mint("carol", Duration.ofHours(1))).deviceId("d").listener(d -> { }).build();
        resources.add(carol);
        carol.connect().get(30, TimeUnit.SECONDS);
        assertThat(engine.send("carol", "bob", 1, payload(5)).get(30, TimeUnit.SECONDS).status())
            .isEqualTo(SendStatus.STORED);
    }

    private static byte[] payload(final int size) {
        return new byte[size];
    }


    /** A memory store whose sync blocks while the test holds the gate closed: storage being slow. */
    static final class GatedStore extends ForwardingInboxStore {
        private final Object lock = new Object();
        private boolean closed;

        GatedStore(final InboxStore delegate) {
            super(delegate);
        }

        void close_gate() {
            synchronized (lock) {
                closed = true;
            }
        }

        void open() {
            synchronized (lock) {
                closed = false;
                lock.notifyAll();
            }
        }

        @Override
        public void sync() {
            synchronized (lock) {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
                while (closed && System.nanoTime() - deadline < 0) {
                    try {
                        lock.wait(100);
                    } catch (final InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
            delegate.sync();
        }
    }

    /** A blocking wire client on a plain socket with a small receive buffer; every read has a deadline. */
    static final class RawClient implements AutoCloseable {
        private final Socket socket = new Socket();
        private final DataInputStream in;
        private final OutputStream out;
        private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[4096]);
        private final FrameDecoder decoder = new FrameDecoder();

        RawClient(final int port) throws IOException {
            socket.setReceiveBufferSize(4096);
            socket.setSoTimeout(30_000);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 30_000);
            in = new DataInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        void login(final String token) throws IOException {
            final int n = FrameEncoder.login(scratch, 0, Protocol.VERSION, Protocol.VERSION,
                token.getBytes(StandardCharsets.US_ASCII), "d".getBytes(StandardCharsets.US_ASCII), -1);
            write(bytes(n));
            final FrameDecoder ok = readFrame();
            assertThat(ok.type()).as("frame %s", Protocol.typeName(ok.type())).isEqualTo(Protocol.LOGIN_OK);
        }

        byte[] sendFrame(final String to, final int payload) {
            final int n = FrameEncoder.send(scratch, 0, 1, to.getBytes(StandardCharsets.UTF_8), new byte[payload], 0,
                payload);
            return bytes(n);
        }

        private byte[] bytes(final int n) {
            final byte[] b = new byte[n];
            scratch.getBytes(0, b);
            return b;
        }

        void write(final byte[] frame) throws IOException {
            out.write(frame);
        }

        FrameDecoder readFrame() throws IOException {
            final int length = in.readInt();
            assertThat(length).as("frame length").isBetween(1, 1 << 20);
            final byte[] body = new byte[length];
            in.readFully(body);
            assertThat(decoder.wrap(new UnsafeBuffer(body), 0, length)).as("decodes: %s", decoder.error()).isTrue();
            return decoder;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
