package io.iris.engine.flow;

import io.iris.api.flow.FlowController;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * Admits a SEND while its shard's queue is below a high-water fraction of its capacity; above it,
 * answers a retry-after that grows with the depth (from {@code baseRetryMillis} at the mark to four
 * times that when full). The space above the mark stays free for logins, logouts and acks, which are
 * never refused, so an overloaded shard still learns who left.
 */
public final class QueueDepthFlowController implements FlowController {
    private final RingBuffer[] queues;
    private final int[] highWaterBytes;
    private final long baseRetryMillis;

    /**
     * @param queues             each shard's queue, indexed by shard.
     * @param highWaterFraction  fraction of capacity above which SENDs are refused, in (0, 1].
     * @param baseRetryMillis    retry-after at the high-water mark, at least 1.
     */
    public QueueDepthFlowController(final RingBuffer[] queues, final double highWaterFraction,
                                    final long baseRetryMillis) {
        if (!(highWaterFraction > 0 && highWaterFraction <= 1)) {
            throw new IllegalArgumentException("highWaterFraction must be in (0, 1]: " + highWaterFraction);
        }
        if (baseRetryMillis < 1) {
            throw new IllegalArgumentException("baseRetryMillis must be at least 1: " + baseRetryMillis);
        }
        this.queues = queues.clone();
        this.highWaterBytes = new int[queues.length];
        for (int i = 0; i < queues.length; i++) {
            highWaterBytes[i] = (int) (queues[i].capacity() * highWaterFraction);
        }
        this.baseRetryMillis = baseRetryMillis;
    }

    @Override
    public long admit(final int shard) {
        final int depth = queues[shard].size();
        final int mark = highWaterBytes[shard];
        if (depth < mark) {
            return 0;
        }
        final int capacity = queues[shard].capacity();
        final double over = capacity == mark ? 1.0 : (double) (depth - mark) / (capacity - mark);
        return baseRetryMillis + (long) (3 * baseRetryMillis * Math.min(1.0, over));
    }
}
