package io.iris.transport;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * The direct buffers of one event loop: partial inbound frames and outbound chunks are borrowed from
 * here while they hold bytes and given back as soon as they are empty, so an idle connection holds
 * none.
 *
 * <p>Buffers come in power-of-two size classes from {@value #MIN_CLASS_SIZE} bytes to
 * {@value #MAX_CLASS_SIZE} bytes; a larger request gets an unpooled buffer that is left to the GC
 * when given back. Each class keeps at most {@code max(MIN_FREE_PER_CLASS, FREE_BYTES_PER_CLASS / size)}
 * free buffers; extra returns are dropped, so the pool's retained memory is bounded whatever the peak.
 *
 * <p>Single-threaded: only the owning event loop calls {@link #acquire} and {@link #release}. The
 * statistics are published with release stores so tests on other threads can read them.
 */
final class BufferPool {
    /** Smallest size class. */
    static final int MIN_CLASS_SIZE = 512;
    /** Largest pooled size class. */
    static final int MAX_CLASS_SIZE = 1 << 20;
    /** Free bytes kept per size class (at least {@link #MIN_FREE_PER_CLASS} buffers). */
    static final int FREE_BYTES_PER_CLASS = 2 << 20;
    /** Free buffers always allowed per class. */
    static final int MIN_FREE_PER_CLASS = 4;

    private static final int MIN_SHIFT = Integer.numberOfTrailingZeros(MIN_CLASS_SIZE);
    private static final int CLASSES = Integer.numberOfTrailingZeros(MAX_CLASS_SIZE) - MIN_SHIFT + 1;
    private static final VarHandle BORROWED;

    static {
        try {
            BORROWED = MethodHandles.lookup().findVarHandle(BufferPool.class, "borrowed", int.class);
        } catch (final ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ByteBuffer[][] free = new ByteBuffer[CLASSES][];
    private final int[] freeCount = new int[CLASSES];
    @SuppressWarnings("unused") // accessed through BORROWED
    private int borrowed;

    BufferPool() {
        for (int c = 0; c < CLASSES; c++) {
            final int size = MIN_CLASS_SIZE << c;
            free[c] = new ByteBuffer[Math.max(MIN_FREE_PER_CLASS, FREE_BYTES_PER_CLASS / size)];
        }
    }

    /**
     * @param minCapacity bytes needed.
     * @return a cleared direct buffer of at least {@code minCapacity} bytes (position 0, limit = capacity).
     */
    ByteBuffer acquire(final int minCapacity) {
        final int c = sizeClass(minCapacity);
        ByteBuffer buffer;
        if (c < 0) {
            buffer = ByteBuffer.allocateDirect(minCapacity);
        } else if (freeCount[c] > 0) {
            final int n = --freeCount[c];
            buffer = free[c][n];
            free[c][n] = null;
            buffer.clear();
        } else {
            buffer = ByteBuffer.allocateDirect(MIN_CLASS_SIZE << c);
        }
        BORROWED.setRelease(this, (int) BORROWED.get(this) + 1);
        return buffer;
    }

    /** @param buffer a buffer from {@link #acquire}, no longer used by the caller. */
    void release(final ByteBuffer buffer) {
        BORROWED.setRelease(this, (int) BORROWED.get(this) - 1);
        final int capacity = buffer.capacity();
        final int c = sizeClass(capacity);
        if (c >= 0 && (MIN_CLASS_SIZE << c) == capacity && freeCount[c] < free[c].length) {
            free[c][freeCount[c]++] = buffer;
        }
    }

    /** @return buffers currently borrowed and not yet released (readable from any thread). */
    int borrowed() {
        return (int) BORROWED.getAcquire(this);
    }

    /** Drops every free buffer (the server is closing). */
    void clear() {
        for (int c = 0; c < CLASSES; c++) {
            java.util.Arrays.fill(free[c], null);
            freeCount[c] = 0;
        }
    }

    private static int sizeClass(final int capacity) {
        if (capacity > MAX_CLASS_SIZE) {
            return -1;
        }
        if (capacity <= MIN_CLASS_SIZE) {
            return 0;
        }
        return 32 - Integer.numberOfLeadingZeros(capacity - 1) - MIN_SHIFT;
    }
}
