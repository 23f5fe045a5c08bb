package io.iris.transport;

import org.agrona.DirectBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/**
 * The unsent output of one connection: a chain of direct chunks borrowed from the event loop's
 * {@link BufferPool} (small at first, then growing to {@link #CHUNK_SIZE}; see {@link #nextChunkSize}),
 * flushed with one gathering write. A connection borrows a queue only
 * while it has unsent bytes; the queue gives every chunk back as soon as it is drained, and the queue
 * object itself is pooled by its event loop.
 *
 * <p>Chunks in {@code [head, tail)} hold data; in each, {@code position} is the first unsent byte and
 * {@code limit} the end of the data written so far, which is exactly what
 * {@link SocketChannel#write(ByteBuffer[], int, int)} expects.
 */
final class OutboundQueue {
    /** Size of a full chunk of output: the largest a chunk gets. */
    static final int CHUNK_SIZE = 16 * 1024;
    /** Size of the smallest chunk (the pool's smallest size class). */
    static final int MIN_CHUNK_SIZE = BufferPool.MIN_CLASS_SIZE;

    private ByteBuffer[] chunks = new ByteBuffer[8];
    private int head;
    private int tail;
    private int pending;

    /** @return unsent bytes held. */
    int pending() {
        return pending;
    }

    /**
     * Copies bytes to the end of the queue, borrowing chunks as needed.
     *
     * @param pool   where chunks come from.
     * @param src    holds the bytes.
     * @param offset where they start.
     * @param length how many.
     */
    void append(final BufferPool pool, final DirectBuffer src, final int offset, final int length) {
        int from = offset;
        int remaining = length;
        while (remaining > 0) {
            ByteBuffer chunk = tail > head ? chunks[tail - 1] : null;
            if (chunk == null || chunk.limit() == chunk.capacity()) {
                chunk = pool.acquire(nextChunkSize(chunk, remaining));
                chunk.limit(0);
                addChunk(chunk);
            }
            final int at = chunk.limit();
            final int n = Math.min(remaining, chunk.capacity() - at);
            src.getBytes(from, chunk, at, n);
            chunk.limit(at + n);
            from += n;
            remaining -= n;
        }
        pending += length;
    }

    /**
     * Sizes a new chunk: just enough for the bytes at hand (at least {@link #MIN_CHUNK_SIZE}) when the
     * queue starts, then doubling up to {@link #CHUNK_SIZE}. Most connections queue a few small frames
     * per loop iteration and flush them in that iteration, so their chunk comes from a small size class
     * of the pool, which keeps thousands of those; a connection that builds a backlog quickly moves to
     * full-size chunks. (With one size for all, a loop iteration that writes to more connections than the
     * pool keeps free chunks of that size would allocate a direct buffer per extra connection.)
     *
     * @param last      the current last chunk (full), or null if the queue is empty.
     * @param remaining bytes still to append.
     * @return the capacity to ask the pool for.
     */
    static int nextChunkSize(final ByteBuffer last, final int remaining) {
        final int wanted = last == null ? remaining : Math.max(remaining, last.capacity() * 2);
        if (wanted >= CHUNK_SIZE) {
            return CHUNK_SIZE;
        }
        return Math.max(MIN_CHUNK_SIZE, Integer.highestOneBit(wanted - 1) << 1);
    }

    /**
     * Writes as much as the socket takes without blocking and gives drained chunks back.
     *
     * @param channel the connection's socket.
     * @param pool    where drained chunks go.
     * @return true if everything was written (the queue is empty).
     * @throws IOException if the socket fails.
     */
    boolean flushTo(final SocketChannel channel, final BufferPool pool) throws IOException {
        if (pending == 0) {
            return true;
        }
        final long written = channel.write(chunks, head, tail - head);
        consumed((int) written, pool);
        return pending == 0;
    }

    /**
     * Encrypts as much of the queue as fits into {@code dst} (one TLS record at most, as
     * {@link SSLEngine#wrap(ByteBuffer[], int, int, ByteBuffer)} does) and gives drained chunks back.
     *
     * @param engine the connection's engine.
     * @param dst    where the ciphertext goes.
     * @param pool   where drained chunks go.
     * @return the engine's result.
     * @throws SSLException if the engine fails.
     */
    SSLEngineResult wrapInto(final SSLEngine engine, final ByteBuffer dst, final BufferPool pool) throws SSLException {
        final SSLEngineResult r = engine.wrap(chunks, head, tail - head, dst);
        consumed(r.bytesConsumed(), pool);
        return r;
    }

    /** Accounts for {@code bytes} taken from the head chunks and gives the drained ones back. */
    private void consumed(final int bytes, final BufferPool pool) {
        pending -= bytes;
        while (head < tail && !chunks[head].hasRemaining()) {
            pool.release(chunks[head]);
            chunks[head++] = null;
        }
        if (head == tail) {
            head = 0;
            tail = 0;
        }
    }

    /**
     * Gives every chunk back, sent or not.
     *
     * @param pool where chunks go.
     */
    void releaseAll(final BufferPool pool) {
        for (int i = head; i < tail; i++) {
            pool.release(chunks[i]);
            chunks[i] = null;
        }
        head = 0;
        tail = 0;
        pending = 0;
    }

    private void addChunk(final ByteBuffer chunk) {
        if (tail == chunks.length) {
            if (head > 0) {
                System.arraycopy(chunks, head, chunks, 0, tail - head);
                java.util.Arrays.fill(chunks, tail - head, tail, null);
                tail -= head;
                head = 0;
            } else {
                chunks = java.util.Arrays.copyOf(chunks, chunks.length * 2);
            }
        }
        chunks[tail++] = chunk;
    }
}
