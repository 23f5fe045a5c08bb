package io.iris.engine.egress;

import io.iris.protocol.ErrorCode;
import org.agrona.DirectBuffer;

/**
 * How a shard sends frames to device sessions, by {@link io.iris.engine.placement.DeviceAddress}: to a
 * connection of this node's transport, or (with node links) to a peer node that holds the connection. The
 * shard never waits: what cannot be handed on now waits in the egress's bounded outbox and is retried on the
 * next duty cycle ({@link #retry()}).
 *
 * <p>One instance per shard, used by that shard's thread only. Frames to one address arrive in the order they
 * were sent. Frames to a connection that is closed or unknown are dropped by the transport: the device
 * resumes from its cursor when it comes back, so nothing acknowledged is lost.
 */
public interface Egress {
    /**
     * Sends complete frame bytes to a device. Never blocks; allocates nothing unless the frames must wait.
     *
     * @param device the device's address.
     * @param buffer holds the frame(s).
     * @param offset where they start.
     * @param length how many bytes.
     */
    void send(long device, DirectBuffer buffer, int offset, int length);

    /**
     * After everything sent to the device before, sends ERROR(code, text) and closes its connection.
     *
     * @param device the device's address.
     * @param code   the error.
     * @param text   a short text.
     */
    void close(long device, ErrorCode code, String text);

    /**
     * Hands on what waits in the outbox, in order, as far as the transport takes it. Called once per duty
     * cycle, before new commands are read.
     *
     * @return the number of frames and closes handed on.
     */
    int retry();

    /** @return true if frames or closes wait in the outbox. */
    boolean hasBacklog();
}
