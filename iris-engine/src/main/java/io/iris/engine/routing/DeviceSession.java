package io.iris.engine.routing;

import java.util.Objects;

/**
 * A snapshot of one logged-in device session of a user, taken on the user's home shard (the admin API's
 * {@code GET /admin/sessions}). It carries positions in the inbox, never message content.
 *
 * @param deviceId             the device id the client logged in with.
 * @param node                 the node holding the connection ({@link io.iris.engine.placement.DeviceAddress#node}).
 * @param connectionId         the connection's id on that node.
 * @param connectedSinceMillis when the login was registered on the shard, epoch millis.
 * @param cursor               the device's cumulative acknowledgement (last acked seq).
 * @param lastSeq              the newest durable seq of the user's inbox.
 */
public record DeviceSession(String deviceId, int node, long connectionId, long connectedSinceMillis, long cursor,
                            long lastSeq) {
    /** Validates. */
    public DeviceSession {
        Objects.requireNonNull(deviceId, "deviceId");
    }

    /** @return messages stored but not yet acknowledged by the device: {@code lastSeq - cursor}, at least 0. */
    public long backlog() {
        return Math.max(0, lastSeq - cursor);
    }
}
