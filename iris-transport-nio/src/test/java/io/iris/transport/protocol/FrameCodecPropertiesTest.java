package io.iris.transport.protocol;

import io.iris.protocol.Protocol;
import io.iris.api.Utf8;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Properties of {@link FrameEncoder} and {@link FrameDecoder} over generated frames of every type.
 *
 * <p>The seed is random on each run and printed when a property fails; rerun one with
 * {@code mvn test -DQT_SEED=<seed>} ({@code -DQT_EXAMPLES=<n>} for more examples). Decoding always
 * happens on a view whose capacity ends exactly where the frame (or its truncation) ends, so a decoder
 * that read one byte too far would throw instead of passing by luck.
 */
class FrameCodecPropertiesTest {
    private static final HexFormat HEX = HexFormat.of();

    // ---- generators ----------------------------------------------------------------------------

    /** Code points of every UTF-8 length, never a surrogate. */
    private static final Gen<Integer> CODE_POINTS = Generate.oneOf(
        integers().between(0, 0x7F),
        integers().between(0x80, 0x7FF),
        integers().between(0x800, 0xFFFF - 0x800).map(c -> c >= 0xD800 ? c + 0x800 : c),
        integers().between(0x10000, 0x10FFFF));

    private static final Gen<Long> ANY_LONG = longs().all();
    private static final Gen<Integer> ANY_INT = integers().all();
    private static final Gen<Integer> U16 = integers().between(0, 0xFFFF);
    private static final Gen<Long> SEQ = Generate.oneOf(longs().between(0, 1_000), longs().between(0, Long.MAX_VALUE));

    /** Valid ids: 1 to 64 UTF-8 bytes of any code points. */
    static final Gen<String> IDS = in -> {
        final int wanted = integers().between(1, 64).generate(in);
        final StringBuilder sb = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < wanted; i++) {
            final int cp = CODE_POINTS.generate(in);
            final int len = utf8Length(cp);
            if (bytes + len > Protocol.MAX_ID_LENGTH) {
                break;
            }
            sb.appendCodePoint(cp);
            bytes += len;
        }
        return sb.length() == 0 ? "a" : sb.toString();
    };

    /** Texts from empty to a bit over the 1,024-byte limit (the encoder cuts them). */
    static final Gen<String> TEXTS = in -> {
        final int count = Generate.oneOf(integers().between(0, 20), integers().between(300, 1_100)).generate(in);
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++) {
            sb.appendCodePoint(CODE_POINTS.generate(in));
        }
        return sb.toString();
    };

    static Gen<byte[]> bytes(final int min, final int max) {
        return Generate.byteArrays(integers().between(min, max), Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0));
    }

    static final Gen<byte[]> PAYLOADS = Generate.oneOf(bytes(0, 16), bytes(0, 2_000));
    static final Gen<byte[]> TOKENS = Generate.oneOf(bytes(1, 64), bytes(1, Protocol.MAX_TOKEN_LENGTH));

    static final Gen<Model> LOGIN = in -> {
        final int a = U16.generate(in);
        final int b = U16.generate(in);
        return new Login(Math.min(a, b), Math.max(a, b), TOKENS.generate(in), IDS.generate(in),
            Generate.oneOf(Generate.constant(-1L), SEQ).generate(in));
    };
    static final Gen<Model> LOGIN_OK = in -> new LoginOk(U16.generate(in), IDS.generate(in), ANY_LONG.generate(in),
        ANY_INT.generate(in), ANY_INT.generate(in), ANY_LONG.generate(in), ANY_LONG.generate(in));
    static final Gen<Model> SEND = in -> new Send(ANY_LONG.generate(in), IDS.generate(in), PAYLOADS.generate(in));
    static final Gen<Model> SEND_ACK = in -> new SendAck(ANY_LONG.generate(in), integers().between(0, 255).generate(in),
        SEQ.generate(in), ANY_LONG.generate(in), longs().between(0, Integer.MAX_VALUE).generate(in));
    static final Gen<Model> DELIVER = in -> new Deliver(SEQ.generate(in), IDS.generate(in), ANY_LONG.generate(in),
        PAYLOADS.generate(in));
    static final Gen<Model> DELIVER_ACK = SEQ.map(DeliverAck::new);
    static final Gen<Model> PRESENCE_QUERY = IDS.map(PresenceQuery::new);
    static final Gen<Model> PRESENCE = in -> new PresenceModel(IDS.generate(in), booleans().all().generate(in),
        ANY_LONG.generate(in));
    static final Gen<Model> PING = ANY_LONG.map(Ping::new);
    static final Gen<Model> PONG = ANY_LONG.map(Pong::new);
    static final Gen<Model> ERROR = in -> new ErrorModel(U16.generate(in), TEXTS.generate(in));
    static final Gen<Model> GOAWAY = in -> new GoAway(integers().between(0, Integer.MAX_VALUE).generate(in),
        TEXTS.generate(in));

    @SuppressWarnings("unchecked")
    static final Gen<Model> ANY_FRAME = Generate.oneOf(LOGIN, LOGIN_OK, SEND, SEND_ACK, DELIVER, DELIVER_ACK,
        PRESENCE_QUERY, PRESENCE, PING, PONG, ERROR, GOAWAY);

    // ---- properties ----------------------------------------------------------------------------

    @Test
    void everyFrameTypeRoundTripsAtAnyOffset() {
        qt().forAll(ANY_FRAME, integers().between(0, 17)).checkAssert((model, offset) -> {
            final ExpandableArrayBuffer b = new ExpandableArrayBuffer(64);
            final int written = model.encode(b, offset);
            assertThat(b.getInt(offset, ByteOrder.BIG_ENDIAN)).as("length prefix").isEqualTo(written - 4);
            final FrameDecoder d = new FrameDecoder();
            final boolean ok = d.wrap(new UnsafeBuffer(b.byteArray(), 0, offset + written), offset + 4, written - 4);
            assertThat(ok).as("%s decodes: %s", model, d.error()).isTrue();
            assertThat(d.error()).isNull();
            assertThat(d.type()).isEqualTo(model.type());
            model.verify(d);
        });
    }

    @Test
    void eachTypeIsCoveredByTheRoundTrip() {
        // the same property per type, so that no type can go unexercised by a skewed mix
        for (final Gen<Model> gen : Arrays.asList(LOGIN, LOGIN_OK, SEND, SEND_ACK, DELIVER, DELIVER_ACK,
            PRESENCE_QUERY, PRESENCE, PING, PONG, ERROR, GOAWAY)) {
            qt().withExamples(200).forAll(gen).checkAssert(model -> {
                final byte[] frame = typeAndBody(model);
                final FrameDecoder d = new FrameDecoder();
                assertThat(d.wrap(new UnsafeBuffer(frame), 0, frame.length)).as("%s: %s", model, d.error()).isTrue();
                model.verify(d);
            });
        }
    }

    @Test
    void everyStrictTruncationIsRejectedWithoutThrowing() {
        qt().withExamples(300).forAll(ANY_FRAME).checkAssert(model -> {
            final byte[] frame = typeAndBody(model);
            final FrameDecoder d = new FrameDecoder();
            for (int length = 0; length < frame.length; length++) {
                final boolean ok = d.wrap(new UnsafeBuffer(frame, 0, length), 0, length);
                assertThat(ok).as("%s cut to %d of %d bytes", model, length, frame.length).isFalse();
                assertThat(d.error()).isNotNull();
            }
        });
    }

    @Test
    void trailingBytesAreRejected() {
        qt().forAll(ANY_FRAME, bytes(1, 16)).checkAssert((model, extra) -> {
            final byte[] frame = typeAndBody(model);
            final byte[] longer = Arrays.copyOf(frame, frame.length + extra.length);
            System.arraycopy(extra, 0, longer, frame.length, extra.length);
            final FrameDecoder d = new FrameDecoder();
            assertThat(d.wrap(new UnsafeBuffer(longer), 0, longer.length)).as("%s + %d bytes", model, extra.length).isFalse();
            assertThat(d.error()).isEqualTo("trailing bytes");
        });
    }

    @Test
    void singleByteMutationsNeverThrowAndAcceptedFramesAreCanonical() {
        qt().withExamples(3_000).forAll(ANY_FRAME, integers().between(0, Integer.MAX_VALUE), integers().between(1, 255))
            .checkAssert((model, where, xor) -> {
                final byte[] frame = typeAndBody(model);
                final int position = where % frame.length;
                frame[position] ^= (byte) (int) xor;
                decodeArbitrary(frame);
            });
    }

    @Test
    void randomBytesNeverThrowAndAcceptedFramesAreCanonical() {
        final Gen<byte[]> frames = in -> {
            final byte[] body = bytes(0, 120).generate(in);
            final byte[] frame = new byte[body.length + 1];
            frame[0] = Generate.oneOf(integers().between(1, Protocol.MAX_TYPE), integers().between(-128, 127))
                .generate(in).byteValue();
            System.arraycopy(body, 0, frame, 1, body.length);
            return frame;
        };
        qt().withExamples(20_000).forAll(frames).checkAssert(FrameCodecPropertiesTest::decodeArbitrary);
    }

    @Test
    void invalidIdsAreRejectedInEveryFrameThatCarriesOne() {
        final Gen<byte[]> badIds = Generate.oneOf(invalidUtf8Ids(), Generate.constant(new byte[0]),
            bytes(Protocol.MAX_ID_LENGTH + 1, 255).map(FrameCodecPropertiesTest::ascii));
        qt().forAll(badIds, integers().between(0, 5)).checkAssert((id, which) -> {
            final ExpandableArrayBuffer b = new ExpandableArrayBuffer(512);
            final UnsafeBuffer idBuffer = new UnsafeBuffer(id);
            final UnsafeBuffer empty = new UnsafeBuffer(new byte[0]);
            final int written;
            switch (which) {
                case 0: written = FrameEncoder.login(b, 0, 1, 1, new byte[] {'t'}, id, -1); break;
                case 1: written = FrameEncoder.loginOk(b, 0, 1, id, 0, 65_536, 1_000, 0, 0); break;
                case 2: written = FrameEncoder.send(b, 0, 1, id, new byte[0], 0, 0); break;
                case 3: written = FrameEncoder.deliver(b, 0, 1, idBuffer, 0, id.length, 0, empty, 0, 0); break;
                case 4: written = FrameEncoder.presenceQuery(b, 0, id); break;
                default: written = FrameEncoder.presence(b, 0, id, true, 0); break;
            }
            final FrameDecoder d = new FrameDecoder();
            final boolean ok = d.wrap(new UnsafeBuffer(b.byteArray(), 0, written), 4, written - 4);
            assertThat(ok).as("id %s in frame variant %d", HEX.formatHex(id), which).isFalse();
            assertThat(d.error()).containsAnyOf("UTF-8", "id length");
        });
    }

    @Test
    void utf8ValidationAgreesWithTheJdkDecoder() {
        final Gen<byte[]> highBytes = Generate.byteArrays(integers().between(0, 12),
            Generate.oneOf(Generate.bytes((byte) 0x80, (byte) 0xFF, (byte) 0x80), Generate.bytes((byte) 0, (byte) 0x7F, (byte) 0x61),
                Generate.bytes((byte) 0xC0, (byte) 0xF7, (byte) 0xE0)));
        qt().withExamples(50_000).forAll(Generate.oneOf(highBytes, invalidUtf8Ids(), IDS.map(s -> s.getBytes(StandardCharsets.UTF_8))))
            .checkAssert(bytes -> assertThat(Utf8.isValid(new UnsafeBuffer(bytes), 0, bytes.length))
                .as(HEX.formatHex(bytes)).isEqualTo(jdkAccepts(bytes)));
    }

    // ---- hand-written examples -----------------------------------------------------------------

    @Test
    void loginExampleFromTheProtocolDocument() {
        final byte[] doc = HEX.parseHex("00000015" + "01" + "00010001" + "0003616263" + "026431" + "FFFFFFFFFFFFFFFF");
        final ExpandableArrayBuffer b = new ExpandableArrayBuffer(64);
        final int written = FrameEncoder.login(b, 0, 1, 1, "abc".getBytes(StandardCharsets.UTF_8),
            "d1".getBytes(StandardCharsets.UTF_8), -1);
        assertThat(Arrays.copyOf(b.byteArray(), written)).isEqualTo(doc);

        final FrameDecoder d = new FrameDecoder();
        assertThat(d.wrap(new UnsafeBuffer(doc), 4, 21)).isTrue();
        assertThat(d.type()).isEqualTo(Protocol.LOGIN);
        assertThat(d.minVersion()).isEqualTo(1);
        assertThat(d.maxVersion()).isEqualTo(1);
        assertThat(d.token()).isEqualTo("abc");
        assertThat(d.deviceId()).isEqualTo("d1");
        assertThat(d.seq()).isEqualTo(-1);
    }

    @Test
    void fixedLayoutsMatchTheDocument() {
        final ExpandableArrayBuffer b = new ExpandableArrayBuffer(64);
        int n = FrameEncoder.sendAck(b, 0, 0x0102030405060708L, 3, 0, 0x10, 250);
        assertThat(HEX.formatHex(b.byteArray(), 0, n)).isEqualTo(
            "0000001e" + "04" + "0102030405060708" + "03" + "0000000000000000" + "0000000000000010" + "000000fa");
        n = FrameEncoder.deliverAck(b, 0, 42);
        assertThat(HEX.formatHex(b.byteArray(), 0, n)).isEqualTo("00000009" + "06" + "000000000000002a");
        n = FrameEncoder.pong(b, 0, -2);
        assertThat(HEX.formatHex(b.byteArray(), 0, n)).isEqualTo("00000009" + "0a" + "fffffffffffffffe");
        n = FrameEncoder.error(b, 0, 13, "x");
        assertThat(HEX.formatHex(b.byteArray(), 0, n)).isEqualTo("00000006" + "0b" + "000d" + "000178");
        n = FrameEncoder.presence(b, 0, "u".getBytes(StandardCharsets.UTF_8), true, 7);
        assertThat(HEX.formatHex(b.byteArray(), 0, n)).isEqualTo("0000000c" + "08" + "0175" + "01" + "0000000000000007");
        final byte[] s = "bo".getBytes(StandardCharsets.UTF_8);
        n = FrameEncoder.deliver(b, 0, 5, new UnsafeBuffer(s), 0, 2, 6, new UnsafeBuffer(new byte[] {9}), 0, 1);
        assertThat(n).isEqualTo(FrameEncoder.deliverLength(2, 1));
        assertThat(HEX.formatHex(b.byteArray(), 0, n)).isEqualTo(
            "00000019" + "05" + "0000000000000005" + "02626f" + "0000000000000006" + "00000001" + "09");
    }

    @Test
    void rejectsOutOfRangeFieldsTheEncoderCannotProduce() {
        assertRejected("", "empty frame");
        assertRejected("00", "unknown frame type");
        assertRejected("0d", "unknown frame type");
        assertRejected("ff", "unknown frame type");
        // LOGIN: maxVersion below minVersion; empty and over-long token; resumeCursor -2
        assertRejected("01" + "00020001" + "000161" + "0161" + "ffffffffffffffff", "maxVersion below minVersion");
        assertRejected("01" + "00010001" + "0000" + "0161" + "ffffffffffffffff", "token length out of range");
        assertRejected("01" + "00010001" + "1001" + "61".repeat(4097) + "0161" + "ffffffffffffffff", "token length out of range");
        assertRejected("01" + "00010001" + "000161" + "0161" + "fffffffffffffffe", "resumeCursor below -1");
        // SEND: negative payload length, payload longer than the frame
        assertRejected("03" + "0000000000000001" + "0162" + "80000000", "payload length out of range");
        assertRejected("03" + "0000000000000001" + "0162" + "00000002" + "00", "payload length out of range");
        // DELIVER: negative seq; DELIVER_ACK: negative upToSeq
        assertRejected("05" + "8000000000000000" + "0162" + "0000000000000000" + "00000000", "negative seq");
        assertRejected("06" + "ffffffffffffffff", "negative seq");
        // PRESENCE: online flag 2
        assertRejected("08" + "0162" + "02" + "0000000000000000", "online flag not 0 or 1");
        // ERROR: text over 1,024 bytes; text not UTF-8
        assertRejected("0b" + "0001" + "0401" + "61".repeat(1025), "text too long");
        assertRejected("0b" + "0001" + "0001" + "c0", "text is not valid UTF-8");
        // ids: 0, 65 bytes, a lone continuation byte, an encoded surrogate, an overlong '/'
        assertRejected("07" + "00", "id length out of range");
        assertRejected("07" + "41" + "61".repeat(65), "id length out of range");
        assertRejected("07" + "0180", "id is not valid UTF-8");
        assertRejected("07" + "03eda080", "id is not valid UTF-8");
        assertRejected("07" + "02c0af", "id is not valid UTF-8");
        // and the edges that are fine: 64-byte id, 4,096-byte token, 1,024-byte text, empty payload
        assertAccepted("07" + "40" + "61".repeat(64));
        assertAccepted("01" + "00010001" + "1000" + "61".repeat(4096) + "0161" + "0000000000000000");
        assertAccepted("0b" + "0001" + "0400" + "61".repeat(1024));
        assertAccepted("03" + "0000000000000001" + "0162" + "00000000");
        assertAccepted("07" + "04f48fbfbf"); // U+10FFFF
    }

    @Test
    void textsAreCutAtACharacterBoundary() {
        final String text = "a".repeat(1_023) + "é" + "z";
        final ExpandableArrayBuffer b = new ExpandableArrayBuffer(2_048);
        final int n = FrameEncoder.goaway(b, 0, 1_000, text);
        final FrameDecoder d = new FrameDecoder();
        assertThat(d.wrap(b, 4, n - 4)).isTrue();
        assertThat(d.text()).isEqualTo("a".repeat(1_023));
        assertThat(d.retryAfterMillis()).isEqualTo(1_000);
    }

    @Test
    void sendAckClampsRetryAfterIntoItsField() {
        final ExpandableArrayBuffer b = new ExpandableArrayBuffer(64);
        final FrameDecoder d = new FrameDecoder();
        FrameEncoder.sendAck(b, 0, 1, 2, 0, 0, -5);
        assertThat(d.wrap(b, 4, b.getInt(0, ByteOrder.BIG_ENDIAN))).isTrue();
        assertThat(d.retryAfterMillis()).isZero();
        FrameEncoder.sendAck(b, 0, 1, 2, 0, 0, Long.MAX_VALUE);
        assertThat(d.wrap(b, 4, b.getInt(0, ByteOrder.BIG_ENDIAN))).isTrue();
        assertThat(d.retryAfterMillis()).isEqualTo(Integer.MAX_VALUE);
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private static void assertRejected(final String hex, final String error) {
        final byte[] frame = HEX.parseHex(hex);
        final FrameDecoder d = new FrameDecoder();
        assertThat(d.wrap(new UnsafeBuffer(frame), 0, frame.length)).as(hex).isFalse();
        assertThat(d.error()).as(hex).isEqualTo(error);
    }

    private static void assertAccepted(final String hex) {
        final byte[] frame = HEX.parseHex(hex);
        final FrameDecoder d = new FrameDecoder();
        assertThat(d.wrap(new UnsafeBuffer(frame), 0, frame.length)).as("%s: %s", hex, d.error()).isTrue();
        decodeArbitrary(frame);
    }

    /**
     * Decodes arbitrary bytes as one frame (type + body): must not throw; a refusal has a reason; an
     * accepted frame exposes its fields without throwing and re-encodes to exactly the same bytes
     * (every accepted frame is one the encoder could have written).
     */
    static void decodeArbitrary(final byte[] frame) {
        final FrameDecoder d = new FrameDecoder();
        final boolean ok = d.wrap(new UnsafeBuffer(frame), 0, frame.length);
        if (!ok) {
            assertThat(d.error()).as(HEX.formatHex(frame)).isNotNull();
            return;
        }
        assertThat(d.error()).isNull();
        final ExpandableArrayBuffer b = new ExpandableArrayBuffer(frame.length + 8);
        final int n = reencode(d, b);
        if (n < 0) {
            return; // a retry-after the encoder's API cannot express (see reencode)
        }
        assertThat(HEX.formatHex(b.byteArray(), 4, n)).as("re-encoded %s", Protocol.typeName(d.type()))
            .isEqualTo(HEX.formatHex(frame));
    }

    /** Writes the decoded frame again from its accessors. @return bytes written, or -1 if not expressible. */
    private static int reencode(final FrameDecoder d, final MutableDirectBuffer b) {
        final DirectBuffer in = d.buffer();
        switch (d.type()) {
            case Protocol.LOGIN: {
                final byte[] token = new byte[d.tokenLength()];
                in.getBytes(d.tokenOffset(), token);
                return FrameEncoder.login(b, 0, d.minVersion(), d.maxVersion(), token,
                    d.deviceId().getBytes(StandardCharsets.UTF_8), d.seq());
            }
            case Protocol.LOGIN_OK:
                return FrameEncoder.loginOk(b, 0, d.maxVersion(), d.id().getBytes(StandardCharsets.UTF_8), d.time(),
                    d.maxPayload(), d.heartbeatMillis(), d.cursor(), d.lastSeq());
            case Protocol.SEND: {
                final byte[] payload = d.payload();
                return FrameEncoder.send(b, 0, d.clientMsgId(), d.id().getBytes(StandardCharsets.UTF_8), payload, 0,
                    payload.length);
            }
            case Protocol.SEND_ACK:
                if (d.retryAfterMillis() > Integer.MAX_VALUE) {
                    return -1;
                }
                return FrameEncoder.sendAck(b, 0, d.clientMsgId(), d.code(), d.seq(), d.time(), d.retryAfterMillis());
            case Protocol.DELIVER:
                return FrameEncoder.deliver(b, 0, d.seq(), in, d.idOffset(), d.idLength(), d.time(), in,
                    d.payloadOffset(), d.payloadLength());
            case Protocol.DELIVER_ACK:
                return FrameEncoder.deliverAck(b, 0, d.seq());
            case Protocol.PRESENCE_QUERY:
                return FrameEncoder.presenceQuery(b, 0, d.id().getBytes(StandardCharsets.UTF_8));
            case Protocol.PRESENCE:
                return FrameEncoder.presence(b, 0, d.id().getBytes(StandardCharsets.UTF_8), d.online(), d.time());
            case Protocol.PING:
                return FrameEncoder.ping(b, 0, d.nonce());
            case Protocol.PONG:
                return FrameEncoder.pong(b, 0, d.nonce());
            case Protocol.ERROR:
                return FrameEncoder.error(b, 0, d.code(), d.text());
            case Protocol.GOAWAY:
                return FrameEncoder.goaway(b, 0, (int) d.retryAfterMillis(), d.text());
            default:
                throw new AssertionError("accepted unknown type " + d.type());
        }
    }

    /** Ids that break UTF-8 somewhere: ASCII around one bad sequence, 1 to 64 bytes in all. */
    static Gen<byte[]> invalidUtf8Ids() {
        final Gen<byte[]> bad = Generate.pick(Arrays.asList(
            new byte[] {(byte) 0x80},                          // lone continuation
            new byte[] {(byte) 0xBF},
            new byte[] {(byte) 0xC0, (byte) 0xAF},             // overlong 2-byte
            new byte[] {(byte) 0xC1, (byte) 0xBF},
            new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, // overlong 3-byte
            new byte[] {(byte) 0xF0, (byte) 0x80, (byte) 0x80, (byte) 0xAF}, // overlong 4-byte
            new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // surrogate U+D800
            new byte[] {(byte) 0xED, (byte) 0xBF, (byte) 0xBF}, // surrogate U+DFFF
            new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // U+110000
            new byte[] {(byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80},
            new byte[] {(byte) 0xFE},
            new byte[] {(byte) 0xFF},
            new byte[] {(byte) 0xC3},                          // truncated sequences
            new byte[] {(byte) 0xE2, (byte) 0x82},
            new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x98},
            new byte[] {(byte) 0xC3, (byte) 0x41},             // lead then ASCII
            new byte[] {(byte) 0xE2, (byte) 0x41, (byte) 0x82}));
        return in -> {
            final byte[] b = bad.generate(in);
            final int before = integers().between(0, 30).generate(in);
            final int after = integers().between(0, 64 - before - b.length).generate(in);
            final byte[] id = new byte[before + b.length + after];
            Arrays.fill(id, (byte) 'x');
            System.arraycopy(b, 0, id, before, b.length);
            return id;
        };
    }

    private static byte[] ascii(final byte[] bytes) {
        final byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) ('a' + (out[i] & 0x0F));
        }
        return out;
    }

    private static boolean jdkAccepts(final byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (final CharacterCodingException e) {
            return false;
        }
    }

    private static int utf8Length(final int cp) {
        return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }

    /** @return the frame's type byte and body (no length prefix), exactly sized. */
    static byte[] typeAndBody(final Model model) {
        final ExpandableArrayBuffer b = new ExpandableArrayBuffer(64);
        final int written = model.encode(b, 0);
        return Arrays.copyOfRange(b.byteArray(), 4, written);
    }

    /** The text an ERROR or GOAWAY carries: the longest whole-code-point prefix within 1,024 bytes. */
    static String expectedText(final String text) {
        int bytes = 0;
        int i = 0;
        while (i < text.length()) {
            final int cp = text.codePointAt(i);
            final int len = utf8Length(cp);
            if (bytes + len > Protocol.MAX_TEXT_LENGTH) {
                break;
            }
            bytes += len;
            i += Character.charCount(cp);
        }
        return text.substring(0, i);
    }

    private static byte[] slice(final DirectBuffer b, final int offset, final int length) {
        final byte[] out = new byte[length];
        b.getBytes(offset, out);
        return out;
    }

    // ---- frame models: the fields of one frame, how to write them, how to check a decoder --------

    interface Model {
        byte type();

        int encode(MutableDirectBuffer b, int at);

        void verify(FrameDecoder d);
    }

    record Login(int minVersion, int maxVersion, byte[] token, String device, long resumeCursor) implements Model {
        public byte type() {
            return Protocol.LOGIN;
        }

        public int encode(final MutableDirectBuffer b, final int at) {
            return FrameEncoder.login(b, at, minVersion, maxVersion, token, device.getBytes(StandardCharsets.UTF_8), resumeCursor);
        }

        public void verify(final FrameDecoder d) {
            assertThat(d.minVersion()).isEqualTo(minVersion);
            assertThat(d.maxVersion()).isEqualTo(maxVersion);
            assertThat(slice(d.buffer(), d.tokenOffset(), d.tokenLength())).isEqualTo(token);
            assertThat(d.deviceId()).isEqualTo(device);
            assertThat(d.seq()).isEqualTo(resumeCursor);
        }

        @Override
        public String toString() {
            return "Login[" + minVersion + ".." + maxVersion + ", token " + token.length + " bytes, device '" + device
                + "', resume " + resumeCursor + "]";
        }
    }

    record LoginOk(int version, String user, long time, int maxPayload, int heartbeat, long cursor, long lastSeq)
        implements Model {
        public byte type() {
            return Protocol.LOGIN_OK;
        }

        public int encode(final MutableDirectBuffer b, final int at) {
            return FrameEncoder.loginOk(b, at, version, user.getBytes(StandardCharsets.UTF_8), time, maxPayload, heartbeat,
                cursor, lastSeq);
        }

        public void verify(final FrameDecoder d) {
            assertThat(d.maxVersion()).isEqualTo(version);
            assertThat(d.id()).isEqualTo(user);
            assertThat(d.time()).isEqualTo(time);
            assertThat(d.maxPayload()).isEqualTo(maxPayload);
            assertThat(d.heartbeatMillis()).isEqualTo(heartbeat);
            assertThat(d.cursor()).isEqualTo(cursor);
            assertThat(d.lastSeq()).isEqualTo(lastSeq);
        }
    }

    record Send(long clientMsgId, String recipient, byte[] payload) implements Model {
        public byte type() {
            return Protocol.SEND;
        }

        public int encode(final MutableDirectBuffer b, final int at) {
            return FrameEncoder.send(b, at, clientMsgId, recipient.getBytes(StandardCharsets.UTF_8), payload, 0, payload.length);
        }

        public void verify(final FrameDecoder d) {
            assertThat(d.clientMsgId()).isEqualTo(clientMsgId);
            assertThat(d.id()).isEqualTo(recipient);
            assertThat(d.payload()).isEqualTo(payload);
        }

        @Override
        public String toString() {
            return "Send[" + clientMsgId + ", '" + recipient + "', " + payload.length + " bytes]";
        }
    }

    record SendAck(long clientMsgId, int status, long seq, long time, long retryAfter) implements Model {
        public byte type() {
            return Protocol.SEND_ACK;
        }

        public int encode(final MutableDirectBuffer b, final int at) {
            return FrameEncoder.sendAck(b, at, clientMsgId, status, seq, time, retryAfter);
        }

        public void verify(final FrameDecoder d) {
            assertThat(d.clientMsgId()).isEqualTo(clientMsgId);
            assertThat(d.code()).isEqualTo(status);
            assertThat(d.seq()).isEqualTo(seq);
            assertThat(d.time()).isEqualTo(time);
            assertThat(d.retryAfterMillis()).isEqualTo(retryAfter);
        }
    }

    record Deliver(long seq, String sender, long time, byte[] payload) implements Model {
        public byte type() {
            return Protocol.DELIVER;
        }

        public int encode(final MutableDirectBuffer b, final int at) {
            // slices at non-zero offsets, as the server's hot path passes them
            final byte[] s = sender.getBytes(StandardCharsets.UTF_8);
            final UnsafeBuffer senderBuf = new UnsafeBuffer(new byte[s.length + 3]);
            senderBuf.putBytes(3, s);
            final UnsafeBuffer payloadBuf = new UnsafeBuffer(new byte[payload.length + 5]);
            payloadBuf.putBytes(5, payload);
            final int n = FrameEncoder.deliver(b, at, seq, senderBuf, 3, s.length, time, payloadBuf, 5, payload.length);
            assertThat(n).isEqualTo(FrameEncoder.deliverLength(s.length, payload.length));
            return n;
        }

        public void verify(final FrameDecoder d) {
            assertThat(d.seq()).isEqualTo(seq);
            assertThat(d.id()).isEqualTo(sender);
            assertThat(d.time()).isEqualTo(time);
            assertThat(d.payload()).isEqualTo(payload);
        }

        @Override
        public String toString() {
            return "Deliver[" + seq + ", '" + sender + "', " + time + ", " + payload.length + " bytes]";
        }
    }

    record DeliverAck(long upToSeq) implements Model {
        public byte type() {
            return Protocol.DELIVER_ACK;
        }

        public int encode(final MutableDirectBuffer b, final int at) {
            return FrameEncoder.deliverAck(b, at, upToSeq);
        }

        public void verify(final FrameDecoder d) {
            assertThat(d.seq()).isEqualTo(upToSeq);
        }
    }

    record PresenceQuery(String user) implements Model {
        public byte type() {
            return Protocol.PRESENCE_QUERY;
        }

        public int encode(final MutableDirectBuffer b, final int at) {
            return FrameEncoder.presenceQuery(b, at, user.getBytes(StandardCharsets.UTF_8));
        }

        public void verify(final FrameDecoder d) {
            assertThat(d.id()).isEqualTo(user);
        }
    }

    record PresenceModel(String user, boolean online, long lastSeen) implements Model {
        public byte type() {
            return Protocol.PRESENCE;
        }

        public int encode(final MutableDirectBuffer b, final int at) {
            return FrameEncoder.presence(b, at, user.getBytes(StandardCharsets.UTF_8), online, lastSeen);
        }

        public void verify(final FrameDecoder d) {
            assertThat(d.id()).isEqualTo(user);
            assertThat(d.online()).isEqualTo(online);
            assertThat(d.time()).isEqualTo(lastSeen);
        }
    }

    record Ping(long nonce) implements Model {
        public byte type() {
            return Protocol.PING;
        }

        public int encode(final MutableDirectBuffer b, final int at) {
            return FrameEncoder.ping(b, at, nonce);
        }

        public void verify(final FrameDecoder d) {
            assertThat(d.nonce()).isEqualTo(nonce);
        }
    }

    record Pong(long nonce) implements Model {
        public byte type() {
            return Protocol.PONG;
        }

        public int encode(final MutableDirectBuffer b, final int at) {
            return FrameEncoder.pong(b, at, nonce);
        }

        public void verify(final FrameDecoder d) {
            assertThat(d.nonce()).isEqualTo(nonce);
        }
    }

    record ErrorModel(int code, String text) implements Model {
        public byte type() {
            return Protocol.ERROR;
        }

        public int encode(final MutableDirectBuffer b, final int at) {
            return FrameEncoder.error(b, at, code, text);
        }

        public void verify(final FrameDecoder d) {
            assertThat(d.code()).isEqualTo(code);
            assertThat(d.text()).isEqualTo(expectedText(text));
        }

        @Override
        public String toString() {
            return "Error[" + code + ", text of " + text.length() + " chars]";
        }
    }

    record GoAway(int reconnectAfter, String text) implements Model {
        public byte type() {
            return Protocol.GOAWAY;
        }

        public int encode(final MutableDirectBuffer b, final int at) {
            return FrameEncoder.goaway(b, at, reconnectAfter, text);
        }

        public void verify(final FrameDecoder d) {
            assertThat(d.retryAfterMillis()).isEqualTo(reconnectAfter);
            assertThat(d.text()).isEqualTo(expectedText(text));
        }

        @Override
        public String toString() {
            return "GoAway[" + reconnectAfter + ", text of " + text.length() + " chars]";
        }
    }
}
