package io.iris.transport;

import javax.net.ssl.SSLEngine;
import java.nio.ByteBuffer;

/**
 * The TLS part of one connection: its {@link SSLEngine} and, only while they hold bytes, two buffers
 * borrowed from the I/O thread's {@link BufferPool}: ciphertext of a partial TLS record carried between
 * reads, and ciphertext produced but not yet taken by a full socket. The I/O thread's shared buffers do
 * the rest of the work, so an idle TLS connection holds no buffer of its own. Owned by the connection's
 * I/O thread.
 */
final class TlsState {
    final SSLEngine engine;
    /** Ciphertext of a partial record (position 0, limit = its length) between reads, else null. */
    ByteBuffer carry;
    /** Ciphertext the socket did not take yet (position = next byte to send), else null. */
    ByteBuffer unsent;
    /** The first byte was seen and is a TLS handshake record. */
    boolean firstByteChecked;
    /** The handshake finished: application data flows. */
    boolean handshakeDone;
    /** No close_notify is to be sent (the handshake failed, or one was sent already). */
    boolean closeNotifyDone;

    TlsState(final SSLEngine engine) {
        this.engine = engine;
    }
}
