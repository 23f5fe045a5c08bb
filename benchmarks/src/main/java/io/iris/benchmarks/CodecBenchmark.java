package io.iris.benchmarks;

import io.iris.transport.protocol.FrameDecoder;
import io.iris.transport.protocol.FrameEncoder;
import io.iris.protocol.Protocol;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Encode and decode of the two hot-path frames (DELIVER out, SEND in). Run with {@code -prof gc}:
 * both must allocate nothing per operation.
 *
 * <pre>java -jar benchmarks/target/iris-benchmarks.jar CodecBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED", "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED", "-Dchronicle.analytics.disable=true",
    "-Dchronicle.announcer.disable=true"})
public class CodecBenchmark {
    private final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    private final UnsafeBuffer send = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    private final UnsafeBuffer sender = new UnsafeBuffer("alice".getBytes(StandardCharsets.UTF_8));
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[100]);
    private final FrameDecoder decoder = new FrameDecoder();
    private int sendLength;

    /** Prepares one SEND frame to decode. */
    @Setup
    public void setup() {
        sendLength = FrameEncoder.send(send, 0, 42, "bob".getBytes(StandardCharsets.UTF_8), new byte[100], 0, 100);
    }

    /** @return bytes written: encoding a DELIVER with a 100-byte payload. */
    @Benchmark
    public int encodeDeliver() {
        return FrameEncoder.deliver(out, 0, 7, sender, 0, sender.capacity(), 1_700_000_000_000L, payload, 0, 100);
    }

    /** @return the payload length: validating and reading a SEND with a 100-byte payload. */
    @Benchmark
    public int decodeSend() {
        decoder.wrap(send, Protocol.LENGTH_FIELD, sendLength - Protocol.LENGTH_FIELD);
        return decoder.payloadLength();
    }
}
