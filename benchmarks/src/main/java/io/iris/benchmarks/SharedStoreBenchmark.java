package io.iris.benchmarks;

import io.iris.engine.durability.GroupCommitBatcher;
import io.iris.engine.inbox.StoredMessage;
import io.iris.storage.memory.MemoryInboxStore;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What sharing one store costs the shards: each JMH thread plays a shard (its own
 * {@link GroupCommitBatcher}, its own disjoint users) appending to one {@link MemoryInboxStore} shared
 * by all threads, as the engine's shards do. Compare the time per record with {@code -t 1} and
 * {@code -t 2}: on a 2-core machine the difference is what the shared dedup window and its lock cost.
 *
 * <pre>java -jar benchmarks/target/iris-benchmarks.jar SharedStoreBenchmark -t 1
 * java -jar benchmarks/target/iris-benchmarks.jar SharedStoreBenchmark -t 2</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED", "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED", "-Dchronicle.analytics.disable=true",
    "-Dchronicle.announcer.disable=true"})
public class SharedStoreBenchmark {
    private static final int BATCH = 64;

    /** The store every thread appends to. */
    @State(Scope.Benchmark)
    public static class Shared {
        final MemoryInboxStore store = new MemoryInboxStore();
        final AtomicInteger shards = new AtomicInteger();
    }

    /** One "shard": its batcher, its users. */
    @State(Scope.Thread)
    public static class Shard {
        GroupCommitBatcher batcher;
        MemoryInboxStore store;
        String[] users;
        final long[] lastSeq = new long[8];
        final ExpandableDirectByteBuffer record = new ExpandableDirectByteBuffer(256);
        final DurableBatcherBenchmark.Completion completion = new DurableBatcherBenchmark.Completion();
        int recordLength;
        long msgId;

        /** @param shared the store shared by every thread. */
        @Setup
        public void setup(final Shared shared) {
            final int shard = shared.shards.getAndIncrement();
            store = shared.store;
            batcher = new GroupCommitBatcher(store, 1024);
            users = new String[8];
            for (int u = 0; u < users.length; u++) {
                users[u] = "s" + shard + "-u" + u;
            }
            recordLength = StoredMessage.write(record, 0, 1_700_000_000_000L, 0,
                new UnsafeBuffer("alice".getBytes(StandardCharsets.UTF_8)), 0, 5, new UnsafeBuffer(new byte[100]),
                0, 100);
        }
    }

    /**
     * 64 appends, one flush, 8 acks, on this thread's users.
     *
     * @param s this thread's shard.
     * @return records reported durable so far.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long appendFlushAck(final Shard s) {
        for (int i = 0; i < BATCH; i++) {
            final int u = i & 7;
            s.lastSeq[u] = s.batcher.append(s.users[u], "alice", ++s.msgId, s.record, 0, s.recordLength, i);
        }
        s.batcher.flush(s.completion);
        for (int u = 0; u < 8; u++) {
            s.store.ack(s.users[u], "d1", s.lastSeq[u]);
        }
        return s.completion.durable;
    }
}
