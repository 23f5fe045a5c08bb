package io.iris.protocol.codec;

import io.iris.protocol.Protocol;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The client's reassembly of server frames against hostile streams: valid frames of every server-to-client
 * type, damaged (bytes overwritten, truncated, extended, the length prefix replaced by 0, -1, the limit,
 * just over it, 2^31-1, 2^32-1...), concatenated and delivered in arbitrary fragments. Whatever the stream,
 * {@link FrameReader} yields exactly the frames a model of the protocol's framing predicts, then either
 * waits for more or fails with its typed {@link FrameReader.FrameException}; no other exception escapes, and
 * its buffer never grows past the limit plus the length prefix.
 */
class FrameReaderPropertiesTest {
    private static final int LIMIT = 4_096;

    /** A seeded stream of frames, some damaged. */
    private static final Gen<byte[]> STREAMS = longs().all().map(FrameReaderPropertiesTest::stream);

    @Test
    void hostileStreamsYieldThePredictedFramesThenATypedFailure() {
        qt().withExamples(3_000).forAll(STREAMS, integers().between(1, 300)).checkAssert((stream, chunk) -> {
            final Prediction expected = predict(stream);
            final FrameReader reader = new FrameReader(64);
            reader.reset(LIMIT);
            final ByteBufferFrameDecoder d = new ByteBufferFrameDecoder();
            final InputStream in = trickle(stream, chunk);
            int frames = 0;
            boolean failed = false;
            try {
                outer:
                while (reader.fill(in) >= 0) {
                    while (reader.poll(d)) {
                        frames++;
                    }
                    assertThat(reader.capacity()).isLessThanOrEqualTo(LIMIT + Protocol.LENGTH_FIELD);
                    if (frames > expected.frames) {
                        break outer;
                    }
                }
            } catch (final FrameReader.FrameException e) {
                failed = true;
            } catch (final IOException e) {
                throw new AssertionError(e);
            }
            assertThat(frames).as("frames read").isEqualTo(expected.frames);
            assertThat(failed).as("typed failure (%s)", expected.why).isEqualTo(expected.fails);
        });
    }

    /** What a reader of {@code docs/protocol.md} makes of the stream. */
    private record Prediction(int frames, boolean fails, String why) {
    }

    private static Prediction predict(final byte[] stream) {
        final ByteBuffer b = ByteBuffer.wrap(stream);
        final ByteBufferFrameDecoder d = new ByteBufferFrameDecoder();
        int pos = 0;
        int frames = 0;
        while (stream.length - pos >= Protocol.LENGTH_FIELD) {
            final long length = b.getInt(pos) & 0xFFFF_FFFFL;
            if (length == 0 || length > LIMIT) {
                return new Prediction(frames, true, "length " + length);
            }
            if (stream.length - pos - Protocol.LENGTH_FIELD < length) {
                return new Prediction(frames, false, "incomplete frame");
            }
            if (!d.wrap(b, pos + Protocol.LENGTH_FIELD, (int) length)) {
                return new Prediction(frames, true, d.error());
            }
            frames++;
            pos += Protocol.LENGTH_FIELD + (int) length;
        }
        return new Prediction(frames, false, "end of stream");
    }

    private static byte[] stream(final long seed) {
        final Random r = new Random(seed);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int n = 1 + r.nextInt(6); n > 0; n--) {
            byte[] f = serverFrame(r);
            switch (r.nextInt(8)) {
                case 0: // overwrite a few bytes
                    for (int k = 1 + r.nextInt(3); k > 0; k--) {
                        f[r.nextInt(f.length)] ^= (byte) (1 + r.nextInt(255));
                    }
                    break;
                case 1: // truncated
                    f = Arrays.copyOf(f, r.nextInt(f.length));
                    break;
                case 2: { // a replaced length prefix
                    final int[] lengths = {0, -1, 1, LIMIT, LIMIT + 1, Integer.MAX_VALUE, f.length - 5, f.length - 3,
                        r.nextInt()};
                    ByteBuffer.wrap(f).putInt(0, lengths[r.nextInt(lengths.length)]);
                    break;
                }
                case 3: { // random bytes after it
                    final byte[] extra = new byte[1 + r.nextInt(12)];
                    r.nextBytes(extra);
                    out.writeBytes(f);
                    f = extra;
                    break;
                }
                default:
                    break; // intact
            }
            out.writeBytes(f);
        }
        return out.toByteArray();
    }

    private static byte[] serverFrame(final Random r) {
        final ByteBuffer b = ByteBuffer.allocate(1 << 16);
        final byte[] id = ("u" + r.nextInt(100)).getBytes();
        final int n;
        switch (r.nextInt(7)) {
            case 0:
                n = ByteBufferFrameEncoder.loginOk(b, 0, 1, id, r.nextLong(), 65_536, 30_000, r.nextInt(9), r.nextInt(9));
                break;
            case 1:
                n = ByteBufferFrameEncoder.sendAck(b, 0, r.nextLong(), r.nextInt(7), r.nextInt(100), r.nextLong(), r.nextInt(100));
                break;
            case 2: {
                final byte[] p = new byte[r.nextInt(r.nextBoolean() ? 50 : 5_000)];
                r.nextBytes(p);
                n = ByteBufferFrameEncoder.deliver(b, 0, 1 + r.nextInt(100), id, 0, id.length, r.nextLong(),
                    p, 0, p.length);
                break;
            }
            case 3:
                n = ByteBufferFrameEncoder.presence(b, 0, id, r.nextBoolean(), r.nextLong());
                break;
            case 4:
                n = ByteBufferFrameEncoder.error(b, 0, 1 + r.nextInt(13), "text " + r.nextInt());
                break;
            case 5:
                n = ByteBufferFrameEncoder.goaway(b, 0, r.nextInt(10_000), "draining");
                break;
            default:
                n = ByteBufferFrameEncoder.pong(b, 0, r.nextLong());
                break;
        }
        return Arrays.copyOf(b.array(), n);
    }

    private static InputStream trickle(final byte[] bytes, final int chunk) {
        return new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(final byte[] b, final int off, final int len) {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
    }
}
