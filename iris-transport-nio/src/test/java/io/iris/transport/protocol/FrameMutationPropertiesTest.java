package io.iris.transport.protocol;

import io.iris.protocol.Protocol;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

/**
 * Hostile-input properties of {@link FrameDecoder}, type by type (all twelve: client-to-server and
 * server-to-client frames alike, so no type goes unexercised by a skewed mix): every truncation of a frame
 * and every frame damaged by several overwritten, inserted or deleted bytes, a replaced type byte or a
 * splice with another frame is either refused with one of the decoder's known reasons (which the server
 * turns into {@code ERROR MALFORMED_FRAME}) or accepted as a frame the encoder could have written
 * (re-encoding it gives the same bytes); nothing ever throws. Decoding happens on views that end exactly
 * where the bytes end, so an out-of-bounds read would throw rather than pass by luck.
 *
 * <p>QuickTheories prints the seed of a failing property; replay with {@code -DQT_SEED=<seed>}.
 */
class FrameMutationPropertiesTest {
    private static final HexFormat HEX = HexFormat.of();

    /** Every reason {@link FrameDecoder#error()} gives: the closed set of ways a frame is malformed. */
    static final Set<String> REASONS = Set.of("empty frame", "unknown frame type", "trailing bytes", "truncated frame",
        "maxVersion below minVersion", "token length out of range", "id length out of range", "id is not valid UTF-8",
        "payload length out of range", "text too long", "text is not valid UTF-8", "resumeCursor below -1",
        "negative seq", "online flag not 0 or 1");

    private static final List<Gen<FrameCodecPropertiesTest.Model>> TYPES = Arrays.asList(FrameCodecPropertiesTest.LOGIN,
        FrameCodecPropertiesTest.LOGIN_OK, FrameCodecPropertiesTest.SEND, FrameCodecPropertiesTest.SEND_ACK,
        FrameCodecPropertiesTest.DELIVER, FrameCodecPropertiesTest.DELIVER_ACK, FrameCodecPropertiesTest.PRESENCE_QUERY,
        FrameCodecPropertiesTest.PRESENCE, FrameCodecPropertiesTest.PING, FrameCodecPropertiesTest.PONG,
        FrameCodecPropertiesTest.ERROR, FrameCodecPropertiesTest.GOAWAY);

    @Test
    void everyTruncationOfEveryTypeIsRefusedWithAKnownReason() {
        for (final Gen<FrameCodecPropertiesTest.Model> type : TYPES) {
            qt().withExamples(60).forAll(type).checkAssert(model -> {
                final byte[] frame = FrameCodecPropertiesTest.typeAndBody(model);
                final FrameDecoder d = new FrameDecoder();
                for (int length = 0; length < frame.length; length++) {
                    final boolean ok = d.wrap(new UnsafeBuffer(frame, 0, length), 0, length);
                    assertThat(ok).as("%s cut to %d of %d bytes", model, length, frame.length).isFalse();
                    assertThat(d.error()).as("%s cut to %d", model, length).isIn(REASONS);
                }
            });
        }
    }

    @Test
    void severalOverwrittenBytesInEveryTypeAreRefusedOrCanonical() {
        for (final Gen<FrameCodecPropertiesTest.Model> type : TYPES) {
            qt().withExamples(400).forAll(type, integers().between(1, 4), integers().all())
                .checkAssert((model, count, salt) -> {
                    final byte[] frame = FrameCodecPropertiesTest.typeAndBody(model);
                    final java.util.Random r = new java.util.Random(salt);
                    for (int i = 0; i < count; i++) {
                        final int at = r.nextInt(frame.length);
                        frame[at] = (byte) (frame[at] ^ (1 + r.nextInt(255)));
                    }
                    refusedWithAKnownReasonOrCanonical(frame);
                });
        }
    }

    @Test
    void insertedAndDeletedBytesInEveryTypeAreRefusedOrCanonical() {
        for (final Gen<FrameCodecPropertiesTest.Model> type : TYPES) {
            qt().withExamples(300).forAll(type, integers().between(0, Integer.MAX_VALUE), integers().between(-128, 127))
                .checkAssert((model, where, value) -> {
                    final byte[] frame = FrameCodecPropertiesTest.typeAndBody(model);
                    final int at = where % (frame.length + 1);
                    final byte[] inserted = new byte[frame.length + 1];
                    System.arraycopy(frame, 0, inserted, 0, at);
                    inserted[at] = (byte) (int) value;
                    System.arraycopy(frame, at, inserted, at + 1, frame.length - at);
                    refusedWithAKnownReasonOrCanonical(inserted);

                    final int gone = where % frame.length;
                    final byte[] deleted = new byte[frame.length - 1];
                    System.arraycopy(frame, 0, deleted, 0, gone);
                    System.arraycopy(frame, gone + 1, deleted, gone, frame.length - gone - 1);
                    refusedWithAKnownReasonOrCanonical(deleted);
                });
        }
    }

    @Test
    void everyTypeByteOnEveryBodyIsRefusedOrCanonical() {
        for (final Gen<FrameCodecPropertiesTest.Model> type : TYPES) {
            qt().withExamples(100).forAll(type).checkAssert(model -> {
                final byte[] frame = FrameCodecPropertiesTest.typeAndBody(model);
                for (int t = 0; t < 256; t++) {
                    frame[0] = (byte) t;
                    final boolean known = t >= 1 && t <= Protocol.MAX_TYPE;
                    final FrameDecoder d = new FrameDecoder();
                    if (!d.wrap(new UnsafeBuffer(frame), 0, frame.length)) {
                        assertThat(d.error()).isIn(REASONS);
                        if (!known) {
                            assertThat(d.error()).isEqualTo("unknown frame type");
                        }
                    } else {
                        assertThat(known).as("type %d accepted", t).isTrue();
                    }
                    refusedWithAKnownReasonOrCanonical(frame.clone());
                }
            });
        }
    }

    @Test
    void splicesOfTwoFramesAreRefusedOrCanonical() {
        qt().withExamples(3_000).forAll(FrameCodecPropertiesTest.ANY_FRAME, FrameCodecPropertiesTest.ANY_FRAME,
            integers().between(0, Integer.MAX_VALUE), integers().between(0, Integer.MAX_VALUE))
            .checkAssert((a, b, i, j) -> {
                final byte[] x = FrameCodecPropertiesTest.typeAndBody(a);
                final byte[] y = FrameCodecPropertiesTest.typeAndBody(b);
                final int head = 1 + i % x.length;
                final int tail = j % y.length;
                final byte[] spliced = Arrays.copyOf(x, head + y.length - tail);
                System.arraycopy(y, tail, spliced, head, y.length - tail);
                refusedWithAKnownReasonOrCanonical(spliced);
            });
    }

    /** Refused with a reason from {@link #REASONS}, or accepted and identical to its re-encoding. */
    static void refusedWithAKnownReasonOrCanonical(final byte[] frame) {
        final FrameDecoder d = new FrameDecoder();
        if (!d.wrap(new UnsafeBuffer(frame), 0, frame.length)) {
            assertThat(d.error()).as(HEX.formatHex(frame)).isIn(REASONS);
        }
        FrameCodecPropertiesTest.decodeArbitrary(frame);
    }
}
