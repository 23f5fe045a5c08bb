package io.iris.examples;

import io.iris.protocol.ErrorCode;
import io.iris.protocol.SendReceipt;
import io.iris.client.IrisClient;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** An {@link IrisClient} that collects what it receives, for assertions with deadlines. */
final class TestClient implements AutoCloseable {
    final IrisClient client;
    final BlockingQueue<IrisClient.Delivery> received = new LinkedBlockingQueue<>();
    final BlockingQueue<String> events = new LinkedBlockingQueue<>();

    /** A client of {@code user} (token minted with the server's secret) on {@code device}. */
    static TestClient of(final ServerProcess server, final String user, final String device) {
        return new TestClient(server, server.token(user), device, -1, null);
    }

    /** A client of {@code user} on {@code device} over TLS, trusting the CA certificates in {@code caFile}. */
    static TestClient overTls(final ServerProcess server, final String user, final String device, final java.nio.file.Path caFile) {
        return new TestClient(server, server.token(user), device, -1, caFile);
    }

    /** Like {@link #overTls} and resuming after {@code cursor}. */
    static TestClient overTls(final ServerProcess server, final String user, final String device,
                              final java.nio.file.Path caFile, final long cursor) {
        return new TestClient(server, server.token(user), device, cursor, caFile);
    }

    /** A client of {@code user} on {@code device} resuming after {@code cursor}. */
    static TestClient resuming(final ServerProcess server, final String user, final String device, final long cursor) {
        return new TestClient(server, server.token(user), device, cursor, null);
    }

    /** A client presenting {@code token} as is. */
    static TestClient withToken(final ServerProcess server, final String token, final String device) {
        return new TestClient(server, token, device, -1, null);
    }

    private TestClient(final ServerProcess server, final String token, final String device, final long cursor,
                       final java.nio.file.Path caFile) {
        final IrisClient.Builder builder = IrisClient.builder();
        if (caFile != null) {
            builder.tls(caFile);
        }
        client = builder
            .address("127.0.0.1", server.port())
            .token(token)
            .deviceId(device)
            .resumeCursor(cursor)
            .listener(new IrisClient.Listener() {
                @Override
                public void onMessage(final IrisClient.Delivery d) {
                    received.add(d);
                }

                @Override
                public void onConnected(final long cursor, final long lastSeq) {
                    events.add("connected " + cursor + " " + lastSeq);
                }

                @Override
                public void onDisconnected(final ErrorCode code, final String reason) {
                    events.add("disconnected " + code);
                }
            })
            .build();
    }

    TestClient connect() throws Exception {
        client.connect().get(20, TimeUnit.SECONDS);
        return this;
    }

    SendReceipt send(final String to, final String text) throws Exception {
        return client.send(to, text.getBytes(StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS);
    }

    /** Waits (up to 30 s) for {@code n} messages and returns them as "sender:text". */
    List<String> take(final int n) throws InterruptedException {
        final List<String> out = new ArrayList<>();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (out.size() < n) {
            final IrisClient.Delivery d = received.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (d == null) {
                final String tail = String.join(", ", out.subList(Math.max(0, out.size() - 3), out.size()));
                throw new AssertionError("expected " + n + " messages, got " + out.size()
                    + (out.isEmpty() ? "" : "; the last: " + (tail.length() > 300 ? tail.substring(0, 300) + "..." : tail)));
            }
            out.add(d.sender() + ":" + new String(d.payload(), StandardCharsets.UTF_8));
        }
        return out;
    }

    /**
     * Waits (up to 10 s) for the client's cursor to reach {@code seq}: the client moves it just after its
     * listener returned, so a test that has taken a message may see the cursor one behind for a moment.
     *
     * @param seq the cursor expected.
     * @return the cursor then.
     */
    long awaitCursor(final long seq) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (client.cursor() < seq && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return client.cursor();
    }

    @Override
    public void close() {
        client.close();
    }
}
