package io.iris.engine.flow;

import io.iris.api.IrisConfig;
import io.iris.api.flow.OverloadLevel;
import io.iris.testsupport.Await;
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

import static org.assertj.core.api.Assertions.assertThat;

/** Admission per level, with real queues and probes and injected heap and outbound signals. */
class OverloadFlowControllerTest {
    private static final long MS = 1_000_000L;

    private final RingBuffer queue = queue();
    private final RingBuffer other = queue();
    private final CommitLatencyProbe latency = new CommitLatencyProbe();
    private final AtomicLong now = new AtomicLong(1_000_000 * MS);
    private final AtomicLong outbound = new AtomicLong();
    private volatile double heap;
    private final List<OverloadLevel> changes = new ArrayList<>();
    private final OverloadFlowController flow = new OverloadFlowController(FlowSettings.from(IrisConfig.of(Map.of(
        "flow.dwellMillis", "100", "flow.outbound.budgetBytes", "1000",
        "flow.slow.retryAfterMillis", "7", "flow.shed.retryAfterMillis", "70", "flow.critical.retryAfterMillis", "700"))),
        new RingBuffer[] {queue, other}, new CommitLatencyProbe[] {latency}, () -> heap, now::get)
        .attach(outbound::get, changes::add);

    private static RingBuffer queue() {
        return new ManyToOneRingBuffer(new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024
            + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    private static void fill(final RingBuffer q, final double fraction) {
        final UnsafeBuffer msg = new UnsafeBuffer(new byte[1016]);
        while ((double) q.size() / q.capacity() < fraction) {
            assertThat(q.write(1, msg, 0, msg.capacity())).isTrue();
        }
    }

    @Test
    void normalAdmitsEverySend() {
        flow.sample();
        assertThat(flow.level()).isEqualTo(OverloadLevel.NORMAL);
        for (int i = 0; i < 100; i++) {
            assertThat(flow.admit(i & 1)).isZero();
        }
        assertThat(changes).isEmpty();
    }

    @Test
    void slowRefusesExactlyOneInFourWithTheSlowRetry() {
        heap = 0.86;
        flow.sample();
        assertThat(flow.level()).isEqualTo(OverloadLevel.SLOW);
        int refused = 0;
        for (int i = 0; i < 400; i++) {
            final long retry = flow.admit(0);
            if (retry != 0) {
                assertThat(retry).isEqualTo(7);
                refused++;
            }
        }
        assertThat(refused).isEqualTo(100);
    }

    @Test
    void eachSignalRaisesTheLevelAndRetryAfterGrowsWithIt() {
        latency.syncStarted(now.get());
        now.addAndGet(1100 * MS); // a sync stalled for 1.1 s: SHED by commit latency (enter 500 ms)
        flow.sample();
        assertThat(flow.level()).isEqualTo(OverloadLevel.SHED);
        assertThat(flow.admit(0)).isEqualTo(70);
        assertThat(flow.admit(1)).isEqualTo(70);

        outbound.set(800); // 0.8 of the budget: CRITICAL
        flow.sample();
        assertThat(flow.level()).isEqualTo(OverloadLevel.CRITICAL);
        assertThat(flow.admit(1)).isEqualTo(700);
        assertThat(changes).containsExactly(OverloadLevel.SHED, OverloadLevel.CRITICAL);

        outbound.set(0);
        latency.syncEnded(now.get());
        for (int i = 0; i < 200 && flow.level() != OverloadLevel.NORMAL; i++) {
            now.addAndGet(20 * MS);
            flow.sample();
        }
        assertThat(changes).containsExactly(OverloadLevel.SHED, OverloadLevel.CRITICAL,
            OverloadLevel.SHED, OverloadLevel.SLOW, OverloadLevel.NORMAL);
        assertThat(flow.admit(0)).isZero();
    }

    @Test
    void queueDepthIsTheFullestShardAndTheHighWaterGuardIsInstant() {
        fill(other, 0.5);
        flow.sample();
        assertThat(flow.level()).isEqualTo(OverloadLevel.SHED); // default enter 0.25 / 0.5 / 0.7
        fill(queue, 0.76);
        // no sample yet: the level is still SHED, but the guard refuses shard 0 at once, at least SHED's retry
        assertThat(flow.level()).isEqualTo(OverloadLevel.SHED);
        assertThat(flow.admit(0)).isEqualTo(70);
        flow.sample();
        assertThat(flow.level()).isEqualTo(OverloadLevel.CRITICAL);
        assertThat(flow.admit(0)).isEqualTo(700);
    }

    @Test
    void guardAloneRefusesAtNormal() {
        final OverloadFlowController guardOnly = new OverloadFlowController(FlowSettings.from(IrisConfig.of(Map.of(
            "flow.queue.enter", "0.9,0.95,0.99", "flow.queue.exit", "0.8,0.9,0.95", "flow.highWaterFraction", "0.5"))),
            new RingBuffer[] {queue}, new CommitLatencyProbe[0], () -> 0.0, now::get);
        fill(queue, 0.5);
        guardOnly.sample();
        assertThat(guardOnly.level()).isEqualTo(OverloadLevel.NORMAL);
        assertThat(guardOnly.admit(0)).isEqualTo(250);
    }

    @Test
    void onlySustainedOrStalledSyncsCount() {
        sync(150);
        sync(150);
        sync(150);
        assertThat(latency.latencyNanos(now.get())).as("three slow syncs are not yet sustained").isZero();
        sync(150);
        assertThat(latency.latencyNanos(now.get())).isEqualTo(150 * MS);
        sync(3);
        assertThat(latency.latencyNanos(now.get())).as("one fast sync among the last four").isEqualTo(3 * MS);
        sync(200);
        sync(180);
        sync(170);
        assertThat(latency.latencyNanos(now.get())).as("the fast one is still among the last four").isEqualTo(3 * MS);
        sync(190);
        assertThat(latency.latencyNanos(now.get())).as("the shortest of the last four").isEqualTo(170 * MS);
        now.addAndGet(CommitLatencyProbe.RECENT_NANOS);
        assertThat(latency.latencyNanos(now.get())).isEqualTo(170 * MS);
        now.addAndGet(1);
        assertThat(latency.latencyNanos(now.get())).as("idle since").isZero();

        latency.syncStarted(now.get());
        now.addAndGet(CommitLatencyProbe.STALL_NANOS - 1);
        assertThat(latency.latencyNanos(now.get())).as("running, not yet stalled").isZero();
        now.addAndGet(1);
        assertThat(latency.latencyNanos(now.get())).isEqualTo(CommitLatencyProbe.STALL_NANOS);
    }

    @Test
    void slowSyncsSpreadOverMoreThanTheWindowAreNotSustained() {
        for (int i = 0; i < 4; i++) {
            sync(300);
            now.addAndGet(1700 * MS); // one sync every 2 s: 4 of them span more than the 5 s window
        }
        sync(300);
        assertThat(latency.latencyNanos(now.get())).isZero();
    }

    private void sync(final long millis) {
        latency.syncStarted(now.get());
        now.addAndGet(millis * MS);
        latency.syncEnded(now.get());
    }

    @Test
    void samplerThreadPublishesTheLevel() throws Exception {
        final OverloadFlowController live = new OverloadFlowController(FlowSettings.from(IrisConfig.of(Map.of(
            "flow.sampleIntervalMillis", "5"))), new RingBuffer[] {queue}, new CommitLatencyProbe[0],
            () -> heap, System::nanoTime);
        try {
            live.start();
            heap = 0.99;
            Await.until(() -> live.level() == OverloadLevel.CRITICAL, "the sampler publishing CRITICAL");
            assertThat(live.level()).isEqualTo(OverloadLevel.CRITICAL);
        } finally {
            live.close();
        }
    }
}
