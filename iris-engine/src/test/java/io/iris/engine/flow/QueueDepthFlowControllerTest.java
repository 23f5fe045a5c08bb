package io.iris.engine.flow;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

class QueueDepthFlowControllerTest {
    private static RingBuffer ring(final int capacity) {
        return new ManyToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    @Test
    void admitsBelowTheMarkAndRefusesAboveWithGrowingRetryAfter() {
        final RingBuffer queue = ring(64 * 1024);
        final RingBuffer other = ring(64 * 1024);
        final QueueDepthFlowController flow = new QueueDepthFlowController(new RingBuffer[] {queue, other}, 0.5, 20);
        final UnsafeBuffer msg = new UnsafeBuffer(new byte[1000]);
        assertThat(flow.admit(0)).isZero();
        while (queue.size() < 32 * 1024) {
            assertThat(flow.admit(0)).isZero();
            assertThat(queue.write(1, msg, 0, msg.capacity())).isTrue();
        }
        final long atMark = flow.admit(0);
        assertThat(atMark).isBetween(20L, 40L);
        while (queue.write(1, msg, 0, msg.capacity())) {
            // fill it up
        }
        assertThat(flow.admit(0)).isGreaterThan(atMark).isLessThanOrEqualTo(80L);
        assertThat(flow.admit(1)).as("other shards are unaffected").isZero();
        queue.read((type, buffer, index, length) -> { }, Integer.MAX_VALUE);
        assertThat(flow.admit(0)).as("recovers once drained").isZero();
    }
}
