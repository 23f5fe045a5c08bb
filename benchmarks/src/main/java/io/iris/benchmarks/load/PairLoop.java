package io.iris.benchmarks.load;

import io.iris.protocol.SendStatus;
import io.iris.transport.protocol.FrameDecoder;
import io.iris.transport.protocol.FrameEncoder;
import io.iris.protocol.Protocol;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link WireLoop} whose connections are users in pairs that message each other. It counts, per
 * connection, what the sender sees (SEND_ACK by status) and what the recipient sees (DELIVERs, checked
 * gap-free: each seq must be the previous one plus one), and acknowledges deliveries once per loop
 * iteration with one cumulative DELIVER_ACK per connection, as a client that acks "every few" would.
 * Subclasses decide when to send ({@link #onAck}, {@link #tick}).
 */
abstract class PairLoop extends WireLoop {
    /** Counter indexes of {@link #snapshot()}. */
    static final int SENT = 0;
    static final int STORED = 1;
    static final int DUPLICATE = 2;
    static final int REFUSED = 3;
    static final int DELIVERED = 4;
    static final int GAPS = 5;
    static final int IN_FLIGHT = 6;
    static final int CLOSED = 7;
    static final int COUNTERS = 8;

    /** Deliveries a connection may hold unacknowledged: half the server's default window of 256. */
    static final int MAX_UNACKED = 128;

    final byte[] payload;
    /** 0: acknowledge once per loop iteration (as IrisClient does, per read batch); else at most this often. */
    long ackIntervalNanos;
    private WireConnection[] toAck = new WireConnection[64];
    private int toAckCount;
    volatile boolean sending;

    PairLoop(final String name, final InetSocketAddress server, final int payloadBytes) throws IOException {
        super(name, server, 256);
        this.payload = new byte[payloadBytes];
    }

    /** The server answered one of this connection's SENDs. */
    abstract void onAck(WireConnection c, long msgId, int status);

    /** A DELIVER arrived on this connection (already counted). */
    void onDeliver(final WireConnection c, final FrameDecoder d) {
    }

    @Override
    final void onFrame(final WireConnection c, final FrameDecoder d) {
        if (d.type() == Protocol.SEND_ACK) {
            c.inFlight--;
            final int status = d.code();
            if (status == SendStatus.STORED.code()) {
                c.stored++;
            } else if (status == SendStatus.DUPLICATE.code()) {
                c.duplicates++;
            } else {
                c.refused++;
            }
            onAck(c, d.clientMsgId(), status);
        } else if (d.type() == Protocol.DELIVER) {
            final long seq = d.seq();
            if (seq != c.lastDeliveredSeq + 1) {
                c.gaps++;
            }
            c.lastDeliveredSeq = seq;
            c.delivered++;
            c.deliveredBytes += d.payloadLength();
            onDeliver(c, d);
            if (c.lastDeliveredSeq > c.ackedSeq && !c.ackQueued) {
                c.ackQueued = true;
                if (toAckCount == toAck.length) {
                    toAck = java.util.Arrays.copyOf(toAck, toAckCount * 2);
                }
                toAck[toAckCount++] = c;
            }
        }
    }

    /**
     * Writes one cumulative DELIVER_ACK per connection that received something since the last one (with
     * {@link #ackIntervalNanos}: only once that interval passed since its last ack, or once it holds
     * {@link #MAX_UNACKED} deliveries, as a client acking "on a short timer" would).
     */
    void acknowledgeDeliveries() {
        int kept = 0;
        final long now = ackIntervalNanos > 0 ? System.nanoTime() : 0;
        for (int i = 0; i < toAckCount; i++) {
            final WireConnection c = toAck[i];
            if (c.closed) {
                c.ackQueued = false;
            } else if (ackIntervalNanos > 0 && now - c.lastAckNanos < ackIntervalNanos
                && c.lastDeliveredSeq - c.ackedSeq < MAX_UNACKED) {
                toAck[kept++] = c; // not yet
            } else if (reserve(c, 16)) {
                c.lastAckNanos = now;
                c.out.position(c.out.position() + FrameEncoder.deliverAck(c.outView, c.out.position(),
                    c.lastDeliveredSeq));
                c.ackedSeq = c.lastDeliveredSeq;
                c.ackQueued = false;
            } else {
                toAck[kept++] = c; // outbound full: try again next iteration
            }
            if (i >= kept) {
                toAck[i] = null;
            }
        }
        toAckCount = kept;
    }

    /**
     * Writes one SEND to the connection's partner.
     *
     * @return false if the outbound buffer is full.
     */
    boolean send(final WireConnection c) {
        final int length = Protocol.HEADER + 8 + 1 + c.partnerBytes.length + 4 + payload.length;
        if (!reserve(c, length)) {
            return false;
        }
        final int at = c.out.position();
        c.out.position(at + FrameEncoder.send(c.outView, at, c.nextMsgId++, c.partnerBytes, payload, 0, payload.length));
        c.inFlight++;
        c.sent++;
        return true;
    }

    @Override
    void tick() {
        acknowledgeDeliveries();
    }

    /** @return the loop's counters, summed on its own thread (exact at that instant). */
    CompletableFuture<long[]> snapshot() {
        final CompletableFuture<long[]> f = new CompletableFuture<>();
        post(() -> {
            final long[] s = new long[COUNTERS];
            for (final WireConnection c : connections) {
                s[SENT] += c.sent;
                s[STORED] += c.stored;
                s[DUPLICATE] += c.duplicates;
                s[REFUSED] += c.refused;
                s[DELIVERED] += c.delivered;
                s[GAPS] += c.gaps;
                s[IN_FLIGHT] += c.closed ? 0 : c.inFlight;
                s[CLOSED] += c.closed ? 1 : 0;
            }
            f.complete(s);
        });
        return f;
    }
}
