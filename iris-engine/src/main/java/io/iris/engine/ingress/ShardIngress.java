package io.iris.engine.ingress;

import io.iris.api.flow.OverloadLevel;
import io.iris.engine.flow.FlowController;
import io.iris.engine.placement.Placement;
import io.iris.engine.routing.ShardCommand;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.util.Objects;

/**
 * {@link Ingress} into this node's shard queues (one Agrona {@code ManyToOneRingBuffer} per shard). A SEND is
 * written straight into the queue with {@code tryClaim}/{@code commit}: no intermediate copy, no object.
 * Users whose home is another node are refused until node links exist.
 */
public final class ShardIngress implements Ingress {
    private final Placement placement;
    private final RingBuffer[] queues;
    private final FlowController flow;
    private final long queueFullRetryMillis;

    /**
     * @param placement where users live.
     * @param queues    each shard's command queue, indexed by shard.
     * @param flow      SEND admission.
     */
    public ShardIngress(final Placement placement, final RingBuffer[] queues, final FlowController flow) {
        this.placement = Objects.requireNonNull(placement, "placement");
        this.queues = queues.clone();
        this.flow = Objects.requireNonNull(flow, "flow");
        this.queueFullRetryMillis = flow.retryAfterMillis(OverloadLevel.SHED);
        if (queues.length != placement.shards().count()) {
            throw new IllegalArgumentException(queues.length + " queues for " + placement.shards().count()
                + " shards");
        }
    }

    @Override
    public Placement placement() {
        return placement;
    }

    @Override
    public long send(final byte originKind, final long origin, final long clientMsgId, final DirectBuffer sender,
                     final int senderOffset, final int senderLength, final DirectBuffer recipient,
                     final int recipientOffset, final int recipientLength, final DirectBuffer payload,
                     final int payloadOffset, final int payloadLength) {
        requireLocal(placement.nodeOf(recipient, recipientOffset, recipientLength));
        final int shard = placement.shardOf(recipient, recipientOffset, recipientLength);
        final long retry = flow.admit(shard);
        if (retry > 0) {
            return retry;
        }
        final RingBuffer queue = queues[shard];
        final int index = queue.tryClaim(ShardCommand.SEND,
            ShardCommand.sendLength(senderLength, recipientLength, payloadLength));
        if (index < 0) {
            return queueFullRetryMillis; // filled between the admission and the claim
        }
        ShardCommand.writeSend(queue.buffer(), index, originKind, origin, clientMsgId, sender, senderOffset,
            senderLength, recipient, recipientOffset, recipientLength, payload, payloadOffset, payloadLength);
        queue.commit(index);
        return QUEUED;
    }

    @Override
    public boolean offer(final int shard, final int type, final DirectBuffer body, final int offset,
                         final int length) {
        return queues[shard].write(type, body, offset, length);
    }

    private void requireLocal(final int node) {
        if (node != placement.localNode()) {
            throw new IllegalStateException("user's home is node " + node + ": no node links in this engine");
        }
    }
}
