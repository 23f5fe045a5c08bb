package io.iris.engine.ingress;

import io.iris.engine.placement.Placement;
import org.agrona.DirectBuffer;

/**
 * The one way commands enter the shards ({@link io.iris.engine.routing.ShardCommand} layouts): used by the
 * session handler on I/O threads, by the embedding API on application threads, and (with node links) by the
 * links of peer nodes. It holds SEND admission, the only place where a SEND is admitted or refused OVERLOADED.
 *
 * <p>Thread-safe, never blocks; {@link #send} and {@link #offer} allocate nothing. A command that cannot be
 * queued is refused at once: the caller decides whether to answer, retry later (an outbox), or close.
 */
public interface Ingress {
    /** Returned by {@link #send} when the SEND was queued. */
    long QUEUED = 0;

    /** @return where users live; gives the shard of a user for {@link #offer}. */
    Placement placement();

    /**
     * Admits a SEND (the flow controller's verdict for the recipient's shard) and queues it to that shard.
     *
     * @param originKind      who waits for the SEND_ACK ({@link io.iris.engine.routing.ReplyOrigin}).
     * @param origin          the origin's value.
     * @param clientMsgId     the sender's message id.
     * @param sender          holds the sender id's UTF-8 bytes.
     * @param senderOffset    where.
     * @param senderLength    how many.
     * @param recipient       holds the recipient id's UTF-8 bytes (a valid user id).
     * @param recipientOffset where.
     * @param recipientLength how many.
     * @param payload         holds the payload.
     * @param payloadOffset   where.
     * @param payloadLength   how many.
     * @return {@link #QUEUED}, or the retry-after in milliseconds (positive) of an {@code OVERLOADED} refusal.
     */
    long send(byte originKind, long origin, long clientMsgId, DirectBuffer sender, int senderOffset,
              int senderLength, DirectBuffer recipient, int recipientOffset, int recipientLength,
              DirectBuffer payload, int payloadOffset, int payloadLength);

    /**
     * Queues a control command (LOGIN, LOGOUT, DELIVER_ACK, PRESENCE) to a shard of this node. Control
     * commands are never refused by flow control: they use the queue space the flow controller keeps free of
     * SENDs, so an overloaded shard still learns who left and still frees storage.
     *
     * @param shard  the target shard ({@link Placement#shardOf}).
     * @param type   the command type.
     * @param body   holds the body.
     * @param offset where it starts.
     * @param length its length.
     * @return false if the shard's queue is full (nothing was queued).
     */
    boolean offer(int shard, int type, DirectBuffer body, int offset, int length);
}
