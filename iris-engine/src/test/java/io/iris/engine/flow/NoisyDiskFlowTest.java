package io.iris.engine.flow;

import io.iris.api.IrisConfig;
import io.iris.engine.durability.DurableBatcher;
import io.iris.api.flow.OverloadLevel;
import io.iris.api.storage.InboxStore;
import io.iris.api.storage.InboxVisitor;
import io.iris.engine.durability.GroupCommitBatcher;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongUnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 11, "overload on a noisy disk": a shard commits a steady 80 messages a second through a real
 * {@link GroupCommitBatcher} whose store's sync takes a few ms, except now and then one that takes far longer.
 * Time is an injected clock that each sync advances by its duration, and the flow-control sampler runs every
 * 10 ms of that clock, also while a sync is in progress, exactly as its thread would. No sleeps.
 */
class NoisyDiskFlowTest {
    private static final long MS = 1_000_000L;
    private static final long SEND_INTERVAL_NANOS = 12_500_000L; // 80 msgs/s
    private static final long SAMPLE_NANOS = 10 * MS;

    private final AtomicLong now = new AtomicLong(1_000_000 * MS);
    private final CommitLatencyProbe probe = new CommitLatencyProbe();
    private final List<OverloadLevel> changes = new ArrayList<>();
    private final RingBuffer queue = new ManyToOneRingBuffer(new UnsafeBuffer(
        ByteBuffer.allocateDirect(64 * 1024 + RingBufferDescriptor.TRAILER_LENGTH)));
    private final OverloadFlowController flow = new OverloadFlowController(FlowSettings.from(IrisConfig.empty()),
        new RingBuffer[] {queue}, new CommitLatencyProbe[] {probe}, () -> 0.0, now::get)
        .attach(() -> 0L, changes::add);
    private long nextSampleNanos = now.get();

    /** Runs the sampler for every 10 ms tick up to the clock's present. */
    private void sampleUpToNow() {
        while (nextSampleNanos <= now.get()) {
            flow.sample();
            nextSampleNanos += SAMPLE_NANOS;
        }
    }

    /** Advances the clock in sampler-sized steps, sampling as the sampler thread would meanwhile. */
    private void elapse(final long nanos) {
        final long until = now.get() + nanos;
        while (now.get() < until) {
            now.set(Math.min(until, now.get() + SAMPLE_NANOS));
            sampleUpToNow();
        }
    }

    /**
     * Sends {@code count} messages at 80/s, one group commit each.
     *
     * @param syncMillis the duration of sync number n.
     * @return how many SENDs flow control refused.
     */
    private int run(final int count, final LongUnaryOperator syncMillis) {
        final SyncTimedStore store = new SyncTimedStore(syncMillis);
        final GroupCommitBatcher batcher = new GroupCommitBatcher(store, 16, probe, now::get);
        final UnsafeBuffer record = new UnsafeBuffer(new byte[8]);
        final DurableBatcher.Completion ignore = new DurableBatcher.Completion() {
            @Override
            public void onDurable(final String userId, final long seq, final long token, final DirectBuffer r,
                                  final int offset, final int length) {
            }

            @Override
            public void onDuplicate(final String userId, final long originalSeq, final long token) {
            }

            @Override
            public void onFailed(final String userId, final long seq, final long token, final RuntimeException cause) {
            }
        };
        int refused = 0;
        for (int i = 0; i < count; i++) {
            elapse(SEND_INTERVAL_NANOS);
            if (flow.admit(0) != 0) {
                refused++;
                continue;
            }
            batcher.append("bob", "alice", i, record, 0, record.capacity(), i);
            batcher.flush(ignore);
        }
        return refused;
    }

    @Test
    void isolatedSlowSyncsRefuseNothing() {
        // every 50th sync takes 400 ms (a journal commit of another process), every 97th 900 ms
        final int refused = run(2_000, n -> n % 97 == 0 ? 900 : n % 50 == 0 ? 400 : 3);
        assertThat(refused).as("SENDs refused OVERLOADED").isZero();
        assertThat(changes).as("level changes").isEmpty();
        assertThat(flow.level()).isEqualTo(OverloadLevel.NORMAL);
    }

    @Test
    void aDiskThatStaysSlowStillRaisesTheLevel() {
        final int refused = run(200, n -> n < 20 ? 3 : 150);
        assertThat(changes).as("sustained 150 ms syncs: SLOW (enter 100 ms)").startsWith(OverloadLevel.SLOW);
        assertThat(refused).isPositive();
    }

    @Test
    void aStalledSyncRaisesTheLevelAfterTheStallTime() {
        final int refused = run(60, n -> n == 50 ? 1500 : 3);
        // the stall shows once the sync is 1 s old, and 1,000 ms is past SHED's default enter threshold (500)
        assertThat(changes).as("one sync stalled 1.5 s").containsExactly(OverloadLevel.SHED);
        assertThat(refused).isPositive();
    }

    /**
     * Records nothing useful (seqs count up); its sync advances the shared clock by the configured duration,
     * sampling meanwhile, as a real slow fsync would let the sampler thread run.
     */
    private final class SyncTimedStore implements InboxStore {
        private final LongUnaryOperator syncMillis;
        private long syncs;
        private long seq;

        SyncTimedStore(final LongUnaryOperator syncMillis) {
            this.syncMillis = syncMillis;
        }

        @Override
        public long append(final String userId, final String senderId, final long clientMsgId,
                           final DirectBuffer record, final int offset, final int length) {
            return ++seq;
        }

        @Override
        public void sync() {
            elapse(syncMillis.applyAsLong(++syncs) * MS);
        }

        @Override
        public int read(final String userId, final long afterSeq, final int maxRecords, final InboxVisitor visitor) {
            return 0;
        }

        @Override
        public long lastSeq(final String userId) {
            return seq;
        }

        @Override
        public long cursor(final String userId, final String deviceId) {
            return 0;
        }

        @Override
        public void ack(final String userId, final String deviceId, final long upToSeq) {
        }

        @Override
        public void close() {
        }
    }
}
