package io.iris.benchmarks.load;

import org.agrona.concurrent.UnsafeBuffer;

import javax.net.ssl.SSLEngine;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One generator connection: a socket that speaks the wire protocol (docs/protocol.md) through a
 * {@link WireLoop}, with one fixed inbound and one fixed outbound buffer and the counters the
 * scenarios read (over TLS also an {@link SSLEngine} and one ciphertext buffer each way). Touched only by its loop's thread (counters are read by others after the loop stops
 * or as approximate progress).
 */
final class WireConnection {
    final int index;
    final String userId;
    final byte[] userBytes;
    final byte[] loginFrame;
    final String bindAddress;
    final ByteBuffer in;
    final UnsafeBuffer inView;
    final ByteBuffer out;
    final UnsafeBuffer outView;

    SocketChannel channel;
    SelectionKey key;
    /** The connection's TLS client engine, or null for plaintext (set by its loop at connect). */
    SSLEngine tls;
    /** TLS only: ciphertext read from the socket, not yet unwrapped (write mode). */
    ByteBuffer netIn;
    /** TLS only: ciphertext wrapped, not yet written to the socket (write mode). */
    ByteBuffer netOut;
    /** Index of the connection this one sends to, -1 for none. */
    int partner = -1;
    /** Position in its loop's list of connections. */
    int loopIndex;
    byte[] partnerBytes;
    boolean connected;
    boolean loggedIn;
    boolean closed;
    String closeReason;

    long nextMsgId = 1;
    int inFlight;
    long sent;
    long stored;
    long duplicates;
    long refused;
    long delivered;
    long deliveredBytes;
    long lastDeliveredSeq;
    long ackedSeq;
    long gaps;
    long pongs;
    /** In its loop's list of connections owing a DELIVER_ACK. */
    boolean ackQueued;
    /** When this connection last sent a DELIVER_ACK (with an ack interval only). */
    long lastAckNanos;
    /** Scenario-specific: when this connection's next message is due (latency), in nanos. */
    long nextDueNanos;

    WireConnection(final int index, final String userId, final byte[] loginFrame, final String bindAddress,
                   final int inBytes, final int outBytes) {
        this.index = index;
        this.userId = userId;
        this.userBytes = userId.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        this.loginFrame = loginFrame;
        this.bindAddress = bindAddress;
        this.in = ByteBuffer.allocateDirect(inBytes);
        this.inView = new UnsafeBuffer(in);
        this.out = ByteBuffer.allocateDirect(outBytes);
        this.outView = new UnsafeBuffer(out);
    }
}
