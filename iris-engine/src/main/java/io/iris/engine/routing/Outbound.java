package io.iris.engine.routing;

import io.iris.protocol.ErrorCode;
import io.iris.transport.FrameSink;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * How a shard writes frames to connections owned by I/O threads. If an I/O thread's command queue is
 * full the shard waits (backing off) until it drains: frames are never dropped here, so the pressure
 * propagates back to the shard's own queue, where the flow controller turns it into OVERLOADED
 * answers. Once the engine is stopping, waiting ends and frames to the stopping transport are dropped
 * (clients resume from their cursors).
 *
 * <p>One instance per shard thread (it holds that thread's idle strategy).
 */
public final class Outbound {
    private final FrameSink transport;
    private final IdleStrategy idle = new BackoffIdleStrategy(10, 10, 1_000, 100_000);
    private volatile boolean stopping;

    /**
     * @param transport where frames go (the NIO server).
     */
    public Outbound(final FrameSink transport) {
        this.transport = transport;
    }

    /**
     * Writes frame bytes to a connection (dropped if it is closed).
     *
     * @param connectionId the connection.
     * @param buffer       holds the frame(s).
     * @param offset       where.
     * @param length       how many bytes.
     */
    public void send(final long connectionId, final DirectBuffer buffer, final int offset, final int length) {
        idle.reset();
        while (!transport.offer(connectionId, buffer, offset, length)) {
            if (stopping) {
                return;
            }
            idle.idle();
        }
    }

    /**
     * Sends an ERROR frame to a connection after everything written to it before, then closes it.
     *
     * @param connectionId the connection.
     * @param code         the error.
     * @param text         a short text.
     */
    public void close(final long connectionId, final ErrorCode code, final String text) {
        idle.reset();
        while (!transport.offerClose(connectionId, code, text)) {
            if (stopping) {
                return;
            }
            idle.idle();
        }
    }

    /** Stops waiting for full queues: the engine is shutting down. */
    public void stopping() {
        stopping = true;
    }
}
