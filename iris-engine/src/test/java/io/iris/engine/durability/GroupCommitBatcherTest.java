package io.iris.engine.durability;

import io.iris.api.storage.StorageUnavailableException;
import io.iris.engine.ForwardingInboxStore;
import io.iris.storage.memory.MemoryInboxStore;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class GroupCommitBatcherTest {
    /** The memory store, counting syncs and able to fail them. */
    static final class CountingStore extends ForwardingInboxStore {
        int syncs;
        boolean failSync;

        CountingStore() {
            super(new MemoryInboxStore());
        }

        @Override
        public void sync() {
            if (failSync) {
                throw new StorageUnavailableException("disk gone", null);
            }
            syncs++;
        }
    }

    private final CountingStore store = new CountingStore();
    private final List<String> events = new ArrayList<>();
    private final DurableBatcher.Completion completion = new DurableBatcher.Completion() {
        @Override
        public void onDurable(final String userId, final long seq, final long token, final DirectBuffer record,
                              final int offset, final int length) {
            events.add("durable " + userId + " " + seq + " t" + token + " "
                + record.getStringWithoutLengthUtf8(offset, length) + " syncs=" + store.syncs);
        }

        @Override
        public void onDuplicate(final String userId, final long originalSeq, final long token) {
            events.add("duplicate " + userId + " " + originalSeq + " t" + token + " syncs=" + store.syncs);
        }

        @Override
        public void onFailed(final String userId, final long seq, final long token, final RuntimeException cause) {
            events.add("failed " + userId + " " + seq + " t" + token);
        }
    };

    private static UnsafeBuffer bytes(final String s) {
        return new UnsafeBuffer(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void oneSyncPerBatchAndCompletionsOnlyAfterIt() {
        final GroupCommitBatcher batcher = new GroupCommitBatcher(store, 16);
        for (int i = 0; i < 10; i++) {
            batcher.append(i % 2 == 0 ? "a" : "b", "s", i, bytes("m" + i), 0, 2, i);
        }
        assertThat(events).isEmpty();
        assertThat(batcher.pending()).isEqualTo(10);
        assertThat(batcher.flush(completion)).isEqualTo(10);
        assertThat(store.syncs).isEqualTo(1);
        assertThat(events).hasSize(10).allMatch(e -> e.endsWith("syncs=1"));
        assertThat(events.get(0)).startsWith("durable a 1 t0 m0");
        assertThat(events.get(9)).startsWith("durable b 5 t9 m9");
        assertThat(batcher.flush(completion)).isZero();
        assertThat(store.syncs).isEqualTo(1);
    }

    @Test
    void boundedBatch() {
        final GroupCommitBatcher batcher = new GroupCommitBatcher(store, 2);
        batcher.append("a", "s", 1, bytes("x"), 0, 1, 0);
        assertThat(batcher.isFull()).isFalse();
        batcher.append("a", "s", 2, bytes("y"), 0, 1, 1);
        assertThat(batcher.isFull()).isTrue();
    }

    @Test
    void aRetryInTheSameBatchIsReportedAsDuplicateOnlyAfterTheSync() {
        final GroupCommitBatcher batcher = new GroupCommitBatcher(store, 8);
        assertThat(batcher.append("a", "s", 5, bytes("x"), 0, 1, 0)).isEqualTo(1);
        assertThat(batcher.append("a", "s", 5, bytes("x"), 0, 1, 1)).isEqualTo(-1);
        assertThat(events).isEmpty();
        batcher.flush(completion);
        assertThat(events).containsExactly("durable a 1 t0 x syncs=1", "duplicate a 1 t1 syncs=1");
    }

    @Test
    void failedSyncReportsEveryAppendAsFailed() {
        final GroupCommitBatcher batcher = new GroupCommitBatcher(store, 8);
        batcher.append("a", "s", 1, bytes("x"), 0, 1, 7);
        batcher.append("a", "s", 2, bytes("y"), 0, 1, 8);
        store.failSync = true;
        batcher.flush(completion);
        assertThat(events).containsExactly("failed a 1 t7", "failed a 2 t8");
    }
}
