package io.iris.transport;

import io.iris.transport.protocol.FrameEncoder;
import io.iris.protocol.Protocol;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * An echo-style handler for transport tests: PING gets PONG(nonce); LOGIN runs {@link #onLogin} and
 * gets PONG(-1); a few private frame types trigger test behaviours; any other frame gets a PONG whose
 * nonce is {@link TestClient#digest} of the frame. Records opens and closes.
 */
final class RecordingHandler implements ConnectionHandler {
    /** The handler throws. */
    static final int THROW = 0x7E;
    /** The handler closes the connection, then tries to write to it. */
    static final int CLOSE_THEN_WRITE = 0x7D;
    /** The handler blocks its I/O thread until {@link #unblock} is counted down (tests of full queues). */
    static final int BLOCK = 0x7C;

    final BlockingQueue<Connection> opened = new LinkedBlockingQueue<>();
    final BlockingQueue<Connection> closed = new LinkedBlockingQueue<>();
    final Set<Long> openedIds = ConcurrentHashMap.newKeySet();
    final Map<Long, AtomicInteger> closeCounts = new ConcurrentHashMap<>();
    final CountDownLatch blocked = new CountDownLatch(1);
    final CountDownLatch unblock = new CountDownLatch(1);
    volatile Consumer<Connection> onLogin = c -> { };
    volatile boolean throwOnOpen;
    volatile Boolean writeAfterClose;
    volatile Boolean openAfterClose;

    private final ThreadLocal<UnsafeBuffer> scratch = ThreadLocal.withInitial(() -> new UnsafeBuffer(new byte[64]));

    @Override
    public void onOpen(final Connection connection) {
        openedIds.add(connection.id());
        opened.add(connection);
        if (throwOnOpen) {
            throw new IllegalStateException("onOpen failure (test)");
        }
    }

    @Override
    public void onFrame(final Connection connection, final DirectBuffer buffer, final int offset, final int length) {
        final int type = buffer.getByte(offset) & 0xFF;
        switch (type) {
            case Protocol.PING:
                pong(connection, buffer.getLong(offset + 1, ByteOrder.BIG_ENDIAN));
                break;
            case Protocol.LOGIN:
                onLogin.accept(connection);
                pong(connection, -1);
                break;
            case THROW:
                throw new IllegalStateException("handler failure (test)");
            case CLOSE_THEN_WRITE:
                connection.close();
                openAfterClose = connection.isOpen();
                writeAfterClose = connection.write(TestClientFrames.PONG_ZERO, 0, TestClientFrames.PONG_ZERO.capacity());
                break;
            case BLOCK:
                blocked.countDown();
                try {
                    unblock.await(30, TimeUnit.SECONDS);
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                break;
            default:
                final byte[] bytes = new byte[length];
                buffer.getBytes(offset, bytes);
                final CRC32 crc = new CRC32();
                crc.update(bytes);
                pong(connection, ((long) length << 32) | crc.getValue());
        }
    }

    @Override
    public void onClose(final Connection connection) {
        closeCounts.computeIfAbsent(connection.id(), id -> new AtomicInteger()).incrementAndGet();
        closed.add(connection);
    }

    private void pong(final Connection connection, final long nonce) {
        final UnsafeBuffer b = scratch.get();
        final int n = FrameEncoder.pong(b, 0, nonce);
        connection.write(b, 0, n);
    }

    /** Shared constant frames. */
    static final class TestClientFrames {
        static final UnsafeBuffer PONG_ZERO = new UnsafeBuffer(new byte[Protocol.HEADER + 8]);

        static {
            FrameEncoder.pong(PONG_ZERO, 0, 0);
        }

        private TestClientFrames() {
        }
    }
}
