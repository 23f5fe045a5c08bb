package io.iris.transport;

import io.iris.transport.protocol.FrameEncoder;
import io.iris.protocol.Protocol;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Steady-state allocation of the I/O thread, measured with the JVM's per-thread allocation counter
 * (not a timing measure). Warm-up first, so JIT and pools have settled.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AllocationTest {
    private TestServer server;
    private TestClient client;

    @AfterEach
    void tearDown() throws Exception {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void pingPongAndOffersAllocateNothingPerMessageOnTheIoThread() throws Exception {
        final RecordingHandler handler = new RecordingHandler();
        server = new TestServer(NioServerConfig.defaults().withHost("127.0.0.1").withoutAddressLimits(), handler);
        server.start();
        client = new TestClient(server.port());
        final long id = handler.opened.poll(10, TimeUnit.SECONDS).id();
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        final long ioThreadId = server.ioThreads()[0].getId();

        final byte[] batch = pings(100);
        final UnsafeBuffer pong = new UnsafeBuffer(new byte[Protocol.HEADER + 8]);
        final int pongLength = FrameEncoder.pong(pong, 0, 7);

        for (int round = 0; round < 3; round++) {
            final long before = threads.getThreadAllocatedBytes(ioThreadId);
            final int messages = 200 * 100;
            for (int i = 0; i < 200; i++) {
                client.send(batch);
                for (int k = 0; k < 100; k++) {
                    client.expectPong(k);
                }
                for (int k = 0; k < 100; k++) {
                    while (!server.offer(id, pong, 0, pongLength)) {
                        Thread.onSpinWait();
                    }
                }
                for (int k = 0; k < 100; k++) {
                    client.expectPong(7);
                }
            }
            final long allocated = threads.getThreadAllocatedBytes(ioThreadId) - before;
            System.out.printf("round %d: I/O thread allocated %d bytes for %d pings + %d offers (%.3f B/message)%n",
                round, allocated, messages, messages, allocated / (2.0 * messages));
            if (round == 2) {
                assertThat(allocated / (2.0 * messages)).as("bytes per message on the I/O thread").isLessThan(1.0);
            }
        }
    }

    @Test
    void offersToManyConnectionsAtOnceAllocateNothingOnTheIoThread() throws Exception {
        // More connections with output in one loop iteration than the pool keeps free full-size chunks:
        // small outputs must come from a small size class, not from a fresh direct buffer each.
        final RecordingHandler handler = new RecordingHandler();
        server = new TestServer(NioServerConfig.defaults().withHost("127.0.0.1").withoutAddressLimits(), handler);
        server.start();
        final int n = 400;
        final List<TestClient> clients = new ArrayList<>();
        final long[] ids = new long[n];
        try {
            for (int i = 0; i < n; i++) {
                clients.add(new TestClient(server.port()));
                ids[i] = handler.opened.poll(10, TimeUnit.SECONDS).id();
            }
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            final long ioThreadId = server.ioThreads()[0].getId();
            final UnsafeBuffer pong = new UnsafeBuffer(new byte[Protocol.HEADER + 8]);
            final int pongLength = FrameEncoder.pong(pong, 0, 9);
            for (int round = 0; round < 4; round++) {
                final long before = threads.getThreadAllocatedBytes(ioThreadId);
                final int rounds = 25;
                for (int r = 0; r < rounds; r++) {
                    for (int i = 0; i < n; i++) {
                        while (!server.offer(ids[i], pong, 0, pongLength)) {
                            Thread.onSpinWait();
                        }
                    }
                    for (final TestClient c : clients) {
                        c.expectPong(9);
                    }
                }
                final long allocated = threads.getThreadAllocatedBytes(ioThreadId) - before;
                final double perMessage = allocated / (double) (rounds * n);
                System.out.printf("round %d: I/O thread allocated %d bytes for %d offers to %d connections"
                    + " (%.3f B/message)%n", round, allocated, rounds * n, n, perMessage);
                if (round == 3) {
                    assertThat(perMessage).as("bytes per message on the I/O thread").isLessThan(1.0);
                }
            }
        } finally {
            for (final TestClient c : clients) {
                c.close();
            }
        }
    }

    private static byte[] pings(final int n) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int k = 0; k < n; k++) {
            out.writeBytes(TestClient.pingFrame(k));
        }
        return out.toByteArray();
    }
}
