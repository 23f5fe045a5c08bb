package io.iris.api;

/**
 * Hook for messages stored for a user with no connected device: the place to trigger a push
 * notification.
 *
 * <p>Called on an engine shard thread after the message is durable. Implementations must return
 * quickly and must not block: hand the work to your own executor. An exception thrown here is logged
 * and otherwise ignored; it never affects the stored message.
 */
@FunctionalInterface
public interface OfflineListener {
    /**
     * @param recipientId the user the message is for.
     * @param senderId    the user who sent it.
     * @param seq         the message's sequence number in the recipient's inbox.
     */
    void onOfflineMessage(String recipientId, String senderId, long seq);
}
