package io.iris.examples;

import io.iris.protocol.SendReceipt;
import io.iris.protocol.SendStatus;
import io.iris.transport.protocol.FrameEncoder;
import io.iris.protocol.Protocol;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A recipient that logs in and then stops reading (and sending): the server hands it at most its
 * delivery window, keeps the rest in the inbox (bounded memory, whatever the backlog), closes the dead
 * connection at its idle timeout, keeps serving everyone else, and delivers every message, in order,
 * when the recipient comes back. The reader that comes back drains a 10,000-message backlog without
 * ever being cut off as a slow consumer: the byte window keeps deliveries under its high-water mark.
 */
class SlowConsumerIntegrationTest {
    private static final int MESSAGES = 10_000;
    private static final int WINDOW_BYTES = 64 * 1024;

    @Test
    void stalledReaderGetsOnlyItsWindowIsClosedAndLosesNothing() throws Exception {
        try (ServerProcess server = ServerProcess.start(Map.of(
            "limits.maxPayload", "4096",
            "delivery.windowBytes", Integer.toString(WINDOW_BYTES),
            "delivery.outboundHighWaterMark", "131072",
            "session.heartbeatMillis", "1000", // a connection silent for 3 s is closed
            "limits.rate.perSecond", "1000000", "limits.rate.burst", "1000000"))) {
            final byte[] padding = new byte[1000];
            Arrays.fill(padding, (byte) 'x');
            try (RawConnection stalled = new RawConnection(server.port(), 4096);
                 TestClient alice = TestClient.of(server, "alice", "phone").connect()) {
                final UnsafeBuffer b = new UnsafeBuffer(new byte[8192]);
                final int len = FrameEncoder.login(b, 0, 1, 1, server.token("slowbob").getBytes(StandardCharsets.US_ASCII),
                    "phone".getBytes(StandardCharsets.UTF_8), -1);
                stalled.write(b, len);
                assertThat(stalled.readFrame().type()).isEqualTo(Protocol.LOGIN_OK);
                // from now on the stalled connection neither reads nor writes

                final List<CompletableFuture<SendReceipt>> sends = new ArrayList<>();
                for (int i = 1; i <= MESSAGES; i++) {
                    final byte[] head = ("m" + i + ":").getBytes(StandardCharsets.UTF_8);
                    final byte[] full = Arrays.copyOf(head, head.length + padding.length);
                    System.arraycopy(padding, 0, full, head.length, padding.length);
                    sends.add(alice.client.send("slowbob", full));
                }
                for (final CompletableFuture<SendReceipt> f : sends) {
                    assertThat(f.get(60, TimeUnit.SECONDS).status()).isEqualTo(SendStatus.STORED);
                }
                // what the server ever sent to the stalled reader: its window, then the close
                final int delivered = stalled.countUntilClosed(Protocol.DELIVER);
                assertThat(delivered).as("deliveries to the stalled reader are bounded by its byte window")
                    .isPositive().isLessThanOrEqualTo(WINDOW_BYTES / 1000 + 1);
            }

            try (TestClient bob = TestClient.of(server, "slowbob", "phone").connect();
                 TestClient alice = TestClient.of(server, "alice", "phone").connect()) {
                final List<String> got = bob.take(MESSAGES);
                for (int i = 0; i < MESSAGES; i++) {
                    assertThat(got.get(i)).startsWith("alice:m" + (i + 1) + ":");
                }
                alice.send("slowbob", "end");
                assertThat(bob.take(1)).containsExactly("alice:end");
                assertThat(bob.events).as("a reader that keeps up is never cut off").noneMatch(e -> e.startsWith("disconnected"));
            }
        }
    }
}
