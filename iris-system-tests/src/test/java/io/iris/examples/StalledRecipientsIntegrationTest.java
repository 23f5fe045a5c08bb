package io.iris.examples;

import io.iris.protocol.SendReceipt;
import io.iris.protocol.SendStatus;
import io.iris.client.IrisClient;
import io.iris.transport.protocol.FrameEncoder;
import io.iris.protocol.Protocol;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 1,000 recipients log in and then never read again, while senders keep sending them 100 messages each
 * (1,000 bytes apiece: a 100 MB backlog). The server's memory must stay within a bound computed from its
 * configuration — each stalled connection holds at most its delivery window, the backlog stays in the
 * inbox (Chronicle, on disk) — the stalled connections must be closed once they sit at their window
 * without acknowledging for {@code delivery.stallTimeoutMillis}, and every message must arrive, in order
 * and once, when the recipients reconnect and read.
 *
 * <p>The server's memory is read through the JDK attach API (heap in use after full GCs plus direct
 * buffers); the measured numbers are printed for the record.
 */
class StalledRecipientsIntegrationTest {
    private static final int RECIPIENTS = 1_000;
    private static final int PER_RECIPIENT = 100;
    private static final int PAYLOAD = 1_000;
    private static final int MAX_PAYLOAD = 1_024;
    private static final int WINDOW_BYTES = 8 * 1024;
    private static final int HIGH_WATER_MARK = 16 * 1024;
    private static final int STALL_MILLIS = 15_000;
    private static final int SENDERS = 4;
    private static final int IN_FLIGHT_PER_SENDER = 512;
    /** Loopback source addresses the stalled recipients connect from (250 each). */
    private static final String[] SOURCES = {"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"};

    @Test
    void stalledRecipientsCostAtMostTheirWindowAreClosedAndLoseNothing() throws Exception {
        try (ServerProcess server = ServerProcess.start(Map.of(
            "limits.maxPayload", Integer.toString(MAX_PAYLOAD),
            "delivery.windowBytes", Integer.toString(WINDOW_BYTES),
            "delivery.outboundHighWaterMark", Integer.toString(HIGH_WATER_MARK),
            "delivery.stallTimeoutMillis", Integer.toString(STALL_MILLIS),
            "session.heartbeatMillis", "120000", // the idle timeout (6 min) must not be what closes them
            "server.maxConnections", "5000",
            "limits.ip.connectionsPerSecond", "0", // 1,000 reconnects from 127.0.0.1 at the end

            "limits.rate.perSecond", "1000000", "limits.rate.burst", "1000000"));
             JvmProbe probe = JvmProbe.attach(server.pid())) {

            final List<RawConnection> stalled = new ArrayList<>(RECIPIENTS);
            try {
                final UnsafeBuffer login = new UnsafeBuffer(new byte[8192]);
                for (int r = 0; r < RECIPIENTS; r++) {
                    final RawConnection c = new RawConnection(server.port(), 4096, SOURCES[r % SOURCES.length]);
                    stalled.add(c);
                    final int len = FrameEncoder.login(login, 0, 1, 1,
                        server.token(recipient(r)).getBytes(StandardCharsets.US_ASCII),
                        "phone".getBytes(StandardCharsets.UTF_8), -1);
                    c.write(login, len);
                    assertThat(c.readFrame().type()).isEqualTo(Protocol.LOGIN_OK);
                }
                // from now on the recipients neither read nor write

                final List<TestClient> senders = new ArrayList<>();
                try {
                    for (int s = 0; s < SENDERS; s++) {
                        senders.add(TestClient.of(server, "sender" + s, "desk").connect());
                    }
                    final JvmProbe.Snapshot before = probe.snapshot();
                    final ExecutorService pool = Executors.newFixedThreadPool(SENDERS);
                    try {
                        final List<Future<Integer>> done = new ArrayList<>();
                        for (int s = 0; s < SENDERS; s++) {
                            final int index = s;
                            done.add(pool.submit(() -> sendAll(senders.get(index).client, index)));
                        }
                        int stored = 0;
                        for (final Future<Integer> f : done) {
                            stored += f.get(5, TimeUnit.MINUTES);
                        }
                        assertThat(stored).isEqualTo(RECIPIENTS * PER_RECIPIENT);
                    } finally {
                        pool.shutdownNow();
                    }
                    final JvmProbe.Snapshot after = probe.snapshot();

                    final int maxFrame = Protocol.maxFrameAfterLogin(MAX_PAYLOAD) + Protocol.HEADER;
                    // Per stalled connection: at most its window plus one frame unsent, in pooled chunks whose
                    // capacity is at most twice their content plus one smallest chunk; the I/O thread's pool
                    // keeps at most 2 MiB free per size class (12 classes); the Chronicle index keeps 16 bytes
                    // per stored message on the heap; 16 MiB for everything else (JIT, GC headroom, buffers of
                    // the senders' connections).
                    final long perConnection = 2L * (WINDOW_BYTES + maxFrame) + 512;
                    final long bound = RECIPIENTS * perConnection + 12L * (2 << 20)
                        + 16L * RECIPIENTS * PER_RECIPIENT + (16 << 20);
                    final long backlog = (long) RECIPIENTS * PER_RECIPIENT * PAYLOAD;
                    final long grown = after.retained() - before.retained();
                    System.out.printf("stalled recipients: before %s; after %s; retained growth %.1f MiB;"
                            + " bound from configuration %.1f MiB; backlog %.1f MiB%n", before, after,
                        grown / 1048576.0, bound / 1048576.0, backlog / 1048576.0);
                    assertThat(bound).as("the bound must be tighter than keeping the backlog in memory")
                        .isLessThan(backlog);
                    assertThat(grown).as("server memory growth with 1,000 stalled recipients").isLessThan(bound);
                } finally {
                    senders.forEach(TestClient::close);
                }

                // every stalled connection is closed by the server (stall timeout, long before the idle
                // timeout), having been handed no more than its byte window
                for (final RawConnection c : stalled) {
                    final int delivered = c.countUntilClosed(Protocol.DELIVER);
                    assertThat(delivered).isLessThanOrEqualTo(WINDOW_BYTES / PAYLOAD + 1);
                }
            } finally {
                for (final RawConnection c : stalled) {
                    c.close();
                }
            }

            // back, reading: every message, in order, once
            final ExecutorService readers = Executors.newFixedThreadPool(8);
            try {
                final List<Future<?>> checks = new ArrayList<>();
                for (int r = 0; r < RECIPIENTS; r++) {
                    final int index = r;
                    checks.add(readers.submit(() -> {
                        try (TestClient bob = TestClient.of(server, recipient(index), "phone").connect()) {
                            assertThat(bob.take(PER_RECIPIENT)).as(recipient(index))
                                .containsExactlyElementsOf(expected(index));
                            assertThat(bob.received).isEmpty();
                        }
                        return null;
                    }));
                }
                for (final Future<?> f : checks) {
                    f.get(5, TimeUnit.MINUTES);
                }
            } finally {
                readers.shutdownNow();
            }
            assertThat(server.isAlive()).isTrue();
        }
    }

    private static String recipient(final int r) {
        return "stalled" + r;
    }

    /** Sender {@code s} writes to recipients s, s+SENDERS, ... in rounds, so every window fills early. */
    private static List<String> expected(final int r) {
        final int s = r % SENDERS;
        final List<String> out = new ArrayList<>(PER_RECIPIENT);
        for (int m = 0; m < PER_RECIPIENT; m++) {
            out.add("sender" + s + ":" + text(r, m));
        }
        return out;
    }

    private static String text(final int r, final int m) {
        final String head = r + "/" + m + ":";
        final char[] pad = new char[PAYLOAD - head.length()];
        Arrays.fill(pad, 'x');
        return head + new String(pad);
    }

    /**
     * Sends every message of sender {@code s}, at most {@link #IN_FLIGHT_PER_SENDER} unanswered, one
     * recipient's messages strictly in order (the next goes only once the previous is stored, so a
     * retried OVERLOADED or RATE_LIMITED answer cannot reorder them).
     *
     * @return messages stored.
     */
    private static int sendAll(final IrisClient client, final int s) throws Exception {
        final List<Integer> mine = new ArrayList<>();
        for (int r = s; r < RECIPIENTS; r += SENDERS) {
            mine.add(r);
        }
        final Map<Integer, Integer> next = new HashMap<>();
        mine.forEach(r -> next.put(r, 0));
        int stored = 0;
        final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (stored < mine.size() * PER_RECIPIENT) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("sender" + s + " stored only " + stored + " messages in 4 minutes");
            }
            // one message per recipient per round, up to the in-flight limit
            final List<int[]> batch = new ArrayList<>();
            final List<CompletableFuture<SendReceipt>> futures = new ArrayList<>();
            for (final int r : mine) {
                final int m = next.get(r);
                if (m < PER_RECIPIENT && batch.size() < IN_FLIGHT_PER_SENDER) {
                    batch.add(new int[] {r, m});
                    futures.add(client.send(recipient(r), text(r, m).getBytes(StandardCharsets.UTF_8)));
                }
            }
            long retryAfter = 0;
            for (int i = 0; i < batch.size(); i++) {
                final SendReceipt receipt = futures.get(i).get(2, TimeUnit.MINUTES);
                if (receipt.status() == SendStatus.STORED) {
                    next.merge(batch.get(i)[0], 1, Integer::sum);
                    stored++;
                } else {
                    assertThat(receipt.status().isRetryable()).as(receipt.toString()).isTrue();
                    retryAfter = Math.max(retryAfter, receipt.retryAfterMillis());
                }
            }
            if (retryAfter > 0) {
                Thread.sleep(Math.min(retryAfter, 1_000));
            }
        }
        return stored;
    }
}
