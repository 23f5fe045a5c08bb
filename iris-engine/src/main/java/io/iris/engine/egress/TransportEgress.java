package io.iris.engine.egress;

import io.iris.engine.counters.EngineCounters;
import io.iris.engine.placement.DeviceAddress;
import io.iris.protocol.ErrorCode;
import io.iris.transport.FrameSink;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableRingBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * {@link Egress} to the connections of this node's transport (a {@link FrameSink}).
 *
 * <p>Why an outbox: an I/O thread's command queue can be full (its connections' sockets are slow and a burst
 * of deliveries came). The shard must not wait for it, because that I/O thread may itself be waiting for room
 * in this shard's queue, and a node link would lengthen such a circular wait. So a frame the transport refuses
 * is copied into this shard's outbox, and so is every later frame (to any connection, keeping each
 * connection's order) until the outbox drained; {@link #retry()} drains it at the start of every duty cycle.
 *
 * <p>What it must never do is lose an acknowledged message or grow without bound. The outbox holds at most
 * {@code outboxBytes}. When a frame does not fit, its connection is <i>doomed</i>: the frame and every later
 * one to that connection are dropped, and the connection is closed with {@link ErrorCode#SLOW_CONSUMER} as
 * soon as the transport takes the close. Nothing acknowledged is lost by that: a dropped DELIVER stays in the
 * inbox and is delivered again from the device's cursor when it reconnects; a dropped SEND_ACK leaves the
 * client to retry the SEND, which the dedup window answers DUPLICATE with the original seq; a dropped
 * LOGIN_OK or PRESENCE answer was not a promise. The connection's closing reaches the shard as a LOGOUT, as
 * for any other close. Doomed connections cost one entry each until their close is taken.
 */
public final class TransportEgress implements Egress {
    private static final Logger LOG = LoggerFactory.getLogger(TransportEgress.class);
    private static final int KIND_FRAME = 1;
    private static final int KIND_CLOSE = 2;
    private static final int ENTRY_DEVICE = 0;
    private static final int ENTRY_KIND = 8;
    private static final int ENTRY_CODE = 12;
    private static final int ENTRY_BODY = 16;
    private static final String OVERFLOW_TEXT = "server could not queue frames for this connection; reconnect";

    private final int localNode;
    private final FrameSink transport;
    private final EngineCounters counters;
    private final ExpandableRingBuffer outbox;
    private final LongHashSet doomed = new LongHashSet();
    private final ErrorCode[] codes = ErrorCode.values();
    private final ExpandableRingBuffer.MessageConsumer drainer = this::drainOne;
    private UnsafeBuffer entry = new UnsafeBuffer(new byte[256]);
    private int handed;

    /**
     * @param localNode   this node's index: addresses of other nodes are refused until node links exist.
     * @param transport   the local transport.
     * @param outboxBytes the most bytes waiting in the outbox (a power of two, at least 4096).
     * @param counters    where overflow closes are counted.
     */
    public TransportEgress(final int localNode, final FrameSink transport, final int outboxBytes,
                           final EngineCounters counters) {
        this.localNode = localNode;
        this.transport = Objects.requireNonNull(transport, "transport");
        this.counters = Objects.requireNonNull(counters, "counters");
        this.outbox = new ExpandableRingBuffer(Math.min(4096, outboxBytes), outboxBytes, false);
    }

    @Override
    public void send(final long device, final DirectBuffer buffer, final int offset, final int length) {
        final long connection = connection(device);
        if (!doomed.isEmpty() && doomed.contains(connection)) {
            return;
        }
        if (outbox.isEmpty() && transport.offer(connection, buffer, offset, length)) {
            return;
        }
        final MutableDirectBuffer e = entry(ENTRY_BODY + length);
        e.putLong(ENTRY_DEVICE, connection);
        e.putInt(ENTRY_KIND, KIND_FRAME);
        e.putBytes(ENTRY_BODY, buffer, offset, length);
        keep(connection, ENTRY_BODY + length);
    }

    @Override
    public void close(final long device, final ErrorCode code, final String text) {
        final long connection = connection(device);
        if (!doomed.isEmpty() && doomed.contains(connection)) {
            return; // its close is on the way already
        }
        if (outbox.isEmpty() && transport.offerClose(connection, code, text)) {
            return;
        }
        final byte[] textBytes = text.getBytes(StandardCharsets.UTF_8);
        final MutableDirectBuffer e = entry(ENTRY_BODY + textBytes.length);
        e.putLong(ENTRY_DEVICE, connection);
        e.putInt(ENTRY_KIND, KIND_CLOSE);
        e.putInt(ENTRY_CODE, code.ordinal());
        e.putBytes(ENTRY_BODY, textBytes);
        keep(connection, ENTRY_BODY + textBytes.length);
    }

    @Override
    public int retry() {
        handed = 0;
        if (!doomed.isEmpty()) {
            final LongHashSet.LongIterator it = doomed.iterator();
            while (it.hasNext()) {
                if (transport.offerClose(it.nextValue(), ErrorCode.SLOW_CONSUMER, OVERFLOW_TEXT)) {
                    it.remove();
                    handed++;
                }
            }
        }
        if (!outbox.isEmpty()) {
            outbox.consume(drainer, Integer.MAX_VALUE);
        }
        return handed;
    }

    @Override
    public boolean hasBacklog() {
        return !outbox.isEmpty() || !doomed.isEmpty();
    }

    /** @return bytes waiting in the outbox (for tests). */
    int outboxBytes() {
        return outbox.size();
    }

    private boolean drainOne(final MutableDirectBuffer buffer, final int offset, final int length,
                             final int headOffset) {
        final long connection = buffer.getLong(offset + ENTRY_DEVICE);
        if (!doomed.isEmpty() && doomed.contains(connection)) {
            return true; // dropped: see the class comment
        }
        final boolean taken;
        if (buffer.getInt(offset + ENTRY_KIND) == KIND_FRAME) {
            taken = transport.offer(connection, buffer, offset + ENTRY_BODY, length - ENTRY_BODY);
        } else {
            taken = transport.offerClose(connection, codes[buffer.getInt(offset + ENTRY_CODE)],
                buffer.getStringWithoutLengthUtf8(offset + ENTRY_BODY, length - ENTRY_BODY));
        }
        if (taken) {
            handed++;
        }
        return taken;
    }

    private void keep(final long connection, final int length) {
        if (!outbox.append(entry, 0, length)) {
            if (doomed.add(connection)) {
                counters.egressOverflowClosed();
                LOG.warn("outbox full: connection {} is closed and its frames dropped (its inbox keeps them)",
                    connection);
            }
        }
    }

    private MutableDirectBuffer entry(final int length) {
        if (entry.capacity() < length) {
            entry = new UnsafeBuffer(new byte[Math.max(length, entry.capacity() * 2)]);
        }
        return entry;
    }

    private long connection(final long device) {
        if (DeviceAddress.node(device) != localNode) {
            throw new IllegalArgumentException("no link to node " + DeviceAddress.node(device)
                + " (device " + DeviceAddress.toString(device) + "): this engine has one node");
        }
        return DeviceAddress.connection(device);
    }
}
