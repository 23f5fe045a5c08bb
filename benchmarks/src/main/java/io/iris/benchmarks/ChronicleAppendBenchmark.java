package io.iris.benchmarks;

import io.iris.storage.chronicle.ChronicleInboxStore;
import io.iris.storage.chronicle.Durability;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Durable append throughput of {@link ChronicleInboxStore} under group commit: one operation is a
 * batch of {@code batch} appends (100-byte records, spread over 64 inboxes) followed by one
 * {@code sync()} — what a shard does per drain. {@code fsync} forces the log file (fdatasync) per
 * sync; {@code async} does not. Divide the time per operation by the batch size for the cost per
 * record. Every user acknowledges everything between iterations, so the in-memory index stays small.
 *
 * <pre>java -jar benchmarks/target/iris-benchmarks.jar ChronicleAppendBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED", "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED", "-Dchronicle.analytics.disable=true",
    "-Dchronicle.announcer.disable=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class ChronicleAppendBenchmark {
    private static final int USERS = 64;

    /** Durability mode. */
    @Param({"fsync", "async"})
    public String durability;

    /** Appends per sync. */
    @Param({"1", "64", "1024"})
    public int batch;

    private final String[] users = new String[USERS];
    private final UnsafeBuffer record = new UnsafeBuffer(new byte[100]);
    private Path dir;
    private ChronicleInboxStore store;
    private long msgId;

    /** Opens a store in a fresh temporary directory. */
    @Setup(Level.Trial)
    public void open() throws IOException {
        for (int i = 0; i < USERS; i++) {
            users[i] = "user-" + i;
        }
        dir = Files.createTempDirectory("iris-chronicle-bench");
        store = ChronicleInboxStore.builder(dir).durability(Durability.parse(durability))
            .retentionInterval(Duration.ZERO).open();
    }

    /** Every inbox acknowledged: trims the index between iterations. */
    @Setup(Level.Iteration)
    public void ackAll() {
        for (final String u : users) {
            store.ack(u, "phone", store.lastSeq(u));
        }
        store.sync();
    }

    /** Closes the store and deletes its files. */
    @TearDown(Level.Trial)
    public void close() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** @return the last seq assigned, so the work is not optimised away. */
    @Benchmark
    public long appendBatchThenSync() {
        long seq = 0;
        for (int i = 0; i < batch; i++) {
            final long id = ++msgId;
            seq = store.append(users[(int) (id & (USERS - 1))], "sender", id, record, 0, 100);
        }
        store.sync();
        return seq;
    }
}
