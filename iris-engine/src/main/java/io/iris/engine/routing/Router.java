package io.iris.engine.routing;

import org.agrona.DirectBuffer;

/**
 * Delivers durable messages to the online devices of the users a shard owns, in inbox order, and
 * resumes devices that come back from their cursor.
 *
 * <p>One instance per shard, called only from that shard's thread. Delivery is windowed: a device has
 * at most a configured number of delivered-but-unacknowledged messages; the rest wait in the inbox and
 * are read from storage as acknowledgements arrive. So a slow device costs bounded memory and a
 * reconnecting device receives its backlog gap-free, without a message ever being held only in memory.
 *
 * <p>Devices are named by their {@link io.iris.engine.placement.DeviceAddress} (node, connection), so a device
 * connected to another node of a cluster is routed to the same way as a local one. An engine-internal
 * interface, not an SPI.
 */
public interface Router {
    /**
     * A device logged in.
     *
     * @param userId   the user.
     * @param deviceId the device.
     * @param device   the device session's address.
     * @param cursor   the highest seq the device already has; delivery resumes after it.
     * @param lastSeq  the newest durable seq of the user's inbox, as the shard read it for the login.
     */
    void online(String userId, String deviceId, long device, long cursor, long lastSeq);

    /**
     * A device's connection closed.
     *
     * @param device the address given to {@link #online}.
     */
    void offline(long device);

    /**
     * A device acknowledged every message up to a seq (cumulative).
     *
     * @param device  the device session's address.
     * @param upToSeq the acknowledged seq.
     */
    void acked(long device, long upToSeq);

    /**
     * A message became durable in a user's inbox: deliver it to each online device whose window allows,
     * the others get it later from storage.
     *
     * @param userId  the recipient.
     * @param seq     the message's inbox seq.
     * @param message the stored record.
     * @param offset  where it starts.
     * @param length  its length.
     * @return how many devices it was handed to now.
     */
    int route(String userId, long seq, DirectBuffer message, int offset, int length);

    /**
     * Delivers waiting inbox records to devices whose window has room. Called by the shard once per duty
     * cycle.
     *
     * @return the number of messages handed to devices.
     */
    int pump();

    /**
     * @param userId the user.
     * @return true if at least one device of the user is online.
     */
    boolean isOnline(String userId);

    /**
     * @param userId the user.
     * @return epoch millis when the user was last online (now if online), 0 if never seen.
     */
    long lastSeen(String userId);
}
