package io.iris.engine.ingress;

import io.iris.engine.routing.ShardCommand;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableRingBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One I/O thread's control commands that found their shard's queue full, kept in order and offered again
 * through the {@link Ingress} on the thread's next loop iteration, instead of waiting on the I/O thread.
 *
 * <p>Bounded by {@code maxBytes} for every command but LOGOUT: {@link #add} refuses a LOGIN, DELIVER_ACK or
 * PRESENCE that does not fit, and the caller closes that connection (its inbox keeps every message; the
 * device resumes from its cursor). A LOGOUT is always kept, because losing one would leave a device registered
 * on its shard forever; there is at most one per connection of the thread, so the connection limit bounds
 * them. Once anything waits, later commands queue behind it, so a LOGIN can never be overtaken by its
 * connection's LOGOUT.
 *
 * <p>Single-threaded: one instance per I/O thread.
 */
public final class CommandOutbox {
    /** The largest command body it keeps (a LOGIN with a 255-byte user id and a 255-byte device id fits). */
    public static final int MAX_BODY = 1024;
    private static final int ENTRY_SHARD = 0;
    private static final int ENTRY_TYPE = 4;
    private static final int ENTRY_BODY = 8;
    /** The ring grows as needed up to this; {@code maxBytes} is the bound that matters for refusable commands. */
    private static final int RING_MAX = 1 << 30;

    private final int maxBytes;
    private final ExpandableRingBuffer ring;
    private final UnsafeBuffer entry = new UnsafeBuffer(new byte[ENTRY_BODY + MAX_BODY]);
    private final ExpandableRingBuffer.MessageConsumer offerer = this::offerOne;
    private Ingress target;

    /** @param maxBytes the most bytes of waiting commands other than LOGOUT, at least 1024. */
    public CommandOutbox(final int maxBytes) {
        if (maxBytes < 1024) {
            throw new IllegalArgumentException("outbox must hold at least 1024 bytes: " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.ring = new ExpandableRingBuffer(1024, RING_MAX, false);
    }

    /** @return true if no command waits. */
    public boolean isEmpty() {
        return ring.isEmpty();
    }

    /**
     * Queues a command (body at most {@link #MAX_BODY} bytes) behind those waiting.
     *
     * @param shard  its shard.
     * @param type   its type.
     * @param body   holds its body.
     * @param offset where.
     * @param length how long.
     * @return false if it is not a LOGOUT and the outbox is full: nothing was queued.
     */
    public boolean add(final int shard, final int type, final DirectBuffer body, final int offset,
                       final int length) {
        if (type != ShardCommand.LOGOUT
            && ring.size() + ENTRY_BODY + length + ExpandableRingBuffer.HEADER_LENGTH > maxBytes) {
            return false;
        }
        final MutableDirectBuffer e = entry;
        e.putInt(ENTRY_SHARD, shard);
        e.putInt(ENTRY_TYPE, type);
        e.putBytes(ENTRY_BODY, body, offset, length);
        if (!ring.append(e, 0, ENTRY_BODY + length)) {
            throw new IllegalStateException("command outbox over " + RING_MAX + " bytes");
        }
        return true;
    }

    /**
     * Offers the waiting commands, oldest first, until a shard queue refuses one.
     *
     * @param ingress where they go.
     * @return true if commands still wait.
     */
    public boolean drain(final Ingress ingress) {
        if (ring.isEmpty()) {
            return false;
        }
        target = ingress;
        ring.consume(offerer, Integer.MAX_VALUE);
        target = null;
        return !ring.isEmpty();
    }

    private boolean offerOne(final MutableDirectBuffer buffer, final int offset, final int length,
                             final int headOffset) {
        return target.offer(buffer.getInt(offset + ENTRY_SHARD), buffer.getInt(offset + ENTRY_TYPE), buffer,
            offset + ENTRY_BODY, length - ENTRY_BODY);
    }
}
