package io.iris.benchmarks;

import io.iris.engine.durability.DurableBatcher;
import io.iris.engine.durability.GroupCommitBatcher;
import io.iris.engine.inbox.StoredMessage;
import io.iris.storage.memory.MemoryInboxStore;
import org.agrona.DirectBuffer;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * {@link GroupCommitBatcher} over the in-memory store: a batch of 64 records (100-byte payloads) for 8
 * recipients is appended (each append assigns a seq and checks the dedup window), flushed (one
 * {@code sync}, then a durable completion per record, in order), and every recipient acknowledges what
 * it got, which trims its inbox. Results are per record. Run with {@code -prof gc}: about 0 B/op.
 *
 * <p>With {@code storage=memory} the sync costs nothing, so this is the batcher's and the store's own
 * CPU cost per record: the ceiling of a shard thread before any fsync.
 *
 * <pre>java -jar benchmarks/target/iris-benchmarks.jar DurableBatcherBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED", "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED", "-Dchronicle.analytics.disable=true",
    "-Dchronicle.announcer.disable=true"})
public class DurableBatcherBenchmark {
    private static final int BATCH = 64;
    private static final String[] USERS = {"u0", "u1", "u2", "u3", "u4", "u5", "u6", "u7"};

    private MemoryInboxStore store;
    private GroupCommitBatcher batcher;
    private final ExpandableDirectByteBuffer record = new ExpandableDirectByteBuffer(256);
    private final long[] lastSeq = new long[USERS.length];
    private final Completion completion = new Completion();
    private int recordLength;
    private long msgId;

    /** Prepares a record: sender "alice", 100-byte payload. */
    @Setup
    public void setup() {
        store = new MemoryInboxStore();
        batcher = new GroupCommitBatcher(store, 1024);
        recordLength = StoredMessage.write(record, 0, 1_700_000_000_000L, 0,
            new UnsafeBuffer("alice".getBytes(StandardCharsets.UTF_8)), 0, 5, new UnsafeBuffer(new byte[100]), 0, 100);
    }

    /** Checks that every record was reported durable, none as duplicate or failed. */
    @TearDown
    public void verify() {
        if (completion.durable != msgId || completion.other != 0) {
            throw new IllegalStateException("batcher lost records: appended " + msgId + ", durable "
                + completion.durable + ", other " + completion.other);
        }
    }

    /**
     * 64 appends, one flush, 8 acks.
     *
     * @return records reported durable so far.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long appendFlushAck() {
        for (int i = 0; i < BATCH; i++) {
            final int u = i & (USERS.length - 1);
            final long id = ++msgId;
            lastSeq[u] = batcher.append(USERS[u], "alice", id, record, 0, recordLength, i);
        }
        batcher.flush(completion);
        for (int u = 0; u < USERS.length; u++) {
            store.ack(USERS[u], "d1", lastSeq[u]);
        }
        return completion.durable;
    }

    /** Counts completions the way a shard consumes them (reads the record's length). */
    static final class Completion implements DurableBatcher.Completion {
        long durable;
        long other;
        long bytes;

        @Override
        public void onDurable(final String userId, final long seq, final long token, final DirectBuffer rec,
                              final int offset, final int length) {
            durable++;
            bytes += StoredMessage.payloadLength(rec, offset);
        }

        @Override
        public void onDuplicate(final String userId, final long originalSeq, final long token) {
            other++;
        }

        @Override
        public void onFailed(final String userId, final long seq, final long token, final RuntimeException cause) {
            other++;
        }
    }
}
