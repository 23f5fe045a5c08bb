package io.iris.transport.framing;

import io.iris.protocol.ErrorCode;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one shared {@link LengthPrefixFraming} against streams cut at every kind of point: inside a length prefix
 * (after 1, 2 or 3 of its bytes, over several reads), inside a body, between frames. Seeded, so a failure
 * repeats.
 */
class LengthPrefixFramingTest {
    @Test
    void framesCutAnywhereArriveWholeAndInOrderAndIdleHoldsNothing() {
        for (long seed = 1; seed <= 200; seed++) {
            final Random random = new Random(seed);
            final List<byte[]> sent = new ArrayList<>();
            final ByteArrayOutputStream stream = new ByteArrayOutputStream();
            final int frames = 1 + random.nextInt(20);
            for (int i = 0; i < frames; i++) {
                final byte[] frame = new byte[1 + random.nextInt(random.nextBoolean() ? 8 : 3000)];
                random.nextBytes(frame);
                sent.add(frame);
                stream.write(frame.length >>> 24);
                stream.write(frame.length >>> 16);
                stream.write(frame.length >>> 8);
                stream.write(frame.length);
                stream.writeBytes(frame);
            }
            final byte[] bytes = stream.toByteArray();
            final Fake c = new Fake();
            int pos = 0;
            while (pos < bytes.length) {
                final int n = Math.min(bytes.length - pos, 1 + random.nextInt(random.nextBoolean() ? 3 : 700));
                // each read lands at a different offset of a larger buffer, as a socket read might
                final byte[] read = new byte[n + 7];
                System.arraycopy(bytes, pos, read, 7, n);
                LengthPrefixFraming.INSTANCE.decode(c, new UnsafeBuffer(read), 7, n);
                pos += n;
            }
            assertThat(c.error).as("seed " + seed).isNull();
            assertThat(c.delivered).as("seed " + seed).hasSize(sent.size());
            for (int i = 0; i < sent.size(); i++) {
                assertThat(c.delivered.get(i)).as("seed " + seed + " frame " + i).isEqualTo(sent.get(i));
            }
            assertThat(c.parked()).as("nothing parked once every frame arrived").isNull();
            assertThat(c.framingWord()).isZero();
            assertThat(c.borrowed).isZero();
        }
    }

    @Test
    void aCutPrefixHoldsNoBufferAndBadLengthsAreRefusedBeforeBorrowing() {
        final Fake c = new Fake();
        LengthPrefixFraming.INSTANCE.decode(c, new UnsafeBuffer(new byte[] {0, 0}), 0, 2);
        assertThat(c.borrowed).isZero();
        assertThat(c.framingWord()).isNotZero();
        LengthPrefixFraming.INSTANCE.decode(c, new UnsafeBuffer(new byte[] {0}), 0, 1);
        LengthPrefixFraming.INSTANCE.decode(c, new UnsafeBuffer(new byte[] {0}), 0, 1);
        assertThat(c.error).isEqualTo(ErrorCode.MALFORMED_FRAME);
        assertThat(c.borrowed).isZero();

        final Fake big = new Fake();
        LengthPrefixFraming.INSTANCE.decode(big, new UnsafeBuffer(new byte[] {(byte) 0x80, 0, 0}), 0, 3);
        LengthPrefixFraming.INSTANCE.decode(big, new UnsafeBuffer(new byte[] {1, 9}), 0, 2);
        assertThat(big.error).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
        assertThat(big.borrowed).isZero();

        final Fake partial = new Fake();
        LengthPrefixFraming.INSTANCE.decode(partial, new UnsafeBuffer(new byte[] {0, 0, 0, 9, 1, 2}), 0, 6);
        assertThat(partial.borrowed).isEqualTo(1);
        LengthPrefixFraming.INSTANCE.release(partial);
        assertThat(partial.borrowed).isZero();
        assertThat(partial.parked()).isNull();
    }

    /** A connection that records deliveries, counts borrowed buffers and stops reading at an error. */
    private static final class Fake implements FramedConnection {
        final List<byte[]> delivered = new ArrayList<>();
        final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
        ErrorCode error;
        int borrowed;
        ByteBuffer parked;
        int word;

        @Override
        public void deliver(final DirectBuffer buffer, final int offset, final int length) {
            assertThat(buffer.getInt(offset - 4, java.nio.ByteOrder.BIG_ENDIAN)).isEqualTo(length);
            final byte[] frame = new byte[length];
            buffer.getBytes(offset, frame);
            delivered.add(Arrays.copyOf(frame, length));
        }

        @Override
        public void writeBelow(final DirectBuffer buffer, final int offset, final int length) {
        }

        @Override
        public boolean isReading() {
            return error == null;
        }

        @Override
        public int maxInboundFrame() {
            return 4096;
        }

        @Override
        public void protocolError(final ErrorCode code, final String text) {
            error = code;
        }

        @Override
        public ByteBuffer borrow(final int minCapacity) {
            borrowed++;
            return ByteBuffer.allocateDirect(minCapacity + 13); // larger than asked, as the pool's size classes are
        }

        @Override
        public void release(final ByteBuffer buffer) {
            borrowed--;
        }

        @Override
        public DirectBuffer view(final ByteBuffer buffer) {
            view.wrap(buffer, 0, buffer.limit());
            return view;
        }

        @Override
        public void park(final ByteBuffer buffer) {
            parked = buffer;
        }

        @Override
        public ByteBuffer parked() {
            return parked;
        }

        @Override
        public void framingWord(final int word) {
            this.word = word;
        }

        @Override
        public int framingWord() {
            return word;
        }
    }
}
