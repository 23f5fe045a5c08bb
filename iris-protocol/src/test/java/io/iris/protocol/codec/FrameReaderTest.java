package io.iris.protocol.codec;

import io.iris.protocol.Protocol;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FrameReaderTest {
    /** A stream that returns at most {@code chunk} bytes per read, like a fragmenting network. */
    private static InputStream trickle(final byte[] bytes, final int chunk) {
        return new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(final byte[] b, final int off, final int len) {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
    }

    private static byte[] deliveries(final int count, final int payloadSize) {
        final ByteBuffer b = ByteBuffer.allocate(1 << 22);
        final byte[] sender = "bob".getBytes();
        final byte[] payload = new byte[payloadSize];
        int p = 0;
        for (int i = 1; i <= count; i++) {
            Arrays.fill(payload, (byte) i);
            p += ByteBufferFrameEncoder.deliver(b, p, i, sender, 0, 3, 100 + i, payload, 0, payloadSize);
        }
        return Arrays.copyOf(b.array(), p);
    }

    @Test
    void reassemblesFramesWhateverTheFragmentation() throws IOException {
        for (final int chunk : new int[] {1, 3, 7, 64, 1_000, 100_000}) {
            final byte[] wire = deliveries(20, 3_000); // larger than the initial 1 KiB buffer
            final FrameReader reader = new FrameReader(1_024);
            reader.reset(1 << 20);
            final ByteBufferFrameDecoder d = new ByteBufferFrameDecoder();
            final InputStream in = trickle(wire, chunk);
            int seen = 0;
            while (reader.fill(in) >= 0) {
                while (reader.poll(d)) {
                    seen++;
                    assertThat(d.type()).isEqualTo(Protocol.DELIVER);
                    assertThat(d.seq()).isEqualTo(seen);
                    assertThat(d.payload()).hasSize(3_000).containsOnly((byte) seen);
                }
            }
            assertThat(seen).as("chunk %d", chunk).isEqualTo(20);
        }
    }

    @Test
    void refusesAFrameOverTheLimitBeforeAllocatingForIt() throws IOException {
        final FrameReader reader = new FrameReader(64);
        reader.reset(100);
        reader.fill(new ByteArrayInputStream(new byte[] {0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 5}));
        assertThatThrownBy(() -> reader.poll(new ByteBufferFrameDecoder()))
            .isInstanceOf(FrameReader.FrameException.class).hasMessageContaining("over the limit");
    }

    @Test
    void refusesZeroLengthAndMalformedFrames() throws IOException {
        final FrameReader reader = new FrameReader(64);
        reader.reset(100);
        reader.fill(new ByteArrayInputStream(new byte[] {0, 0, 0, 0}));
        assertThatThrownBy(() -> reader.poll(new ByteBufferFrameDecoder())).isInstanceOf(FrameReader.FrameException.class);

        reader.reset(100);
        reader.fill(new ByteArrayInputStream(new byte[] {0, 0, 0, 2, Protocol.PING, 0}));
        assertThatThrownBy(() -> reader.poll(new ByteBufferFrameDecoder()))
            .isInstanceOf(FrameReader.FrameException.class).hasMessageContaining("PING");
    }
}
