package io.iris.protocol;

/**
 * Presence of one user as seen by the node that owns it.
 *
 * @param userId         the user asked about.
 * @param online         true when at least one device of the user is connected and logged in.
 * @param lastSeenMillis epoch millis when the user's last device disconnected, the current time when
 *                       online, or 0 when the user was never seen. Kept by the storage provider
 *                       ({@link io.iris.api.storage.InboxStore#recordLastSeen}), so it survives a restart
 *                       with a durable provider.
 */
public record Presence(String userId, boolean online, long lastSeenMillis) {
}
