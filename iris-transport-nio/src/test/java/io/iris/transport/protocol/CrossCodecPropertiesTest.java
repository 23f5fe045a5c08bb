package io.iris.transport.protocol;

import io.iris.protocol.Protocol;
import io.iris.protocol.codec.ByteBufferFrameDecoder;
import io.iris.protocol.codec.ByteBufferFrameEncoder;
import io.iris.transport.protocol.FrameCodecPropertiesTest.Deliver;
import io.iris.transport.protocol.FrameCodecPropertiesTest.DeliverAck;
import io.iris.transport.protocol.FrameCodecPropertiesTest.ErrorModel;
import io.iris.transport.protocol.FrameCodecPropertiesTest.GoAway;
import io.iris.transport.protocol.FrameCodecPropertiesTest.Login;
import io.iris.transport.protocol.FrameCodecPropertiesTest.LoginOk;
import io.iris.transport.protocol.FrameCodecPropertiesTest.Model;
import io.iris.transport.protocol.FrameCodecPropertiesTest.Ping;
import io.iris.transport.protocol.FrameCodecPropertiesTest.Pong;
import io.iris.transport.protocol.FrameCodecPropertiesTest.PresenceModel;
import io.iris.transport.protocol.FrameCodecPropertiesTest.PresenceQuery;
import io.iris.transport.protocol.FrameCodecPropertiesTest.Send;
import io.iris.transport.protocol.FrameCodecPropertiesTest.SendAck;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The two codecs of the wire protocol agree: the server's flyweights over Agrona buffers
 * ({@link FrameEncoder}, {@link FrameDecoder}) and the JDK-only codec of clients
 * ({@link ByteBufferFrameEncoder}, {@link ByteBufferFrameDecoder}). For generated frames of every type, each
 * encoder writes exactly the bytes of the other, and each decoder reads back the same fields from what the
 * other wrote; for damaged frames (bytes flipped, cut, extended) both decoders, reading as of protocol
 * version 1 or 2, accept or refuse alike, with the same reason and, when accepted, the same fields. Seeds as in {@link FrameCodecPropertiesTest}.
 */
class CrossCodecPropertiesTest {
    private static final HexFormat HEX = HexFormat.of();

    /** The accessors meaningful for each frame type, compared by name on both decoders. */
    private static String[] accessors(final byte type) {
        switch (type) {
            case Protocol.LOGIN: return new String[] {"minVersion", "maxVersion", "token", "deviceId", "seq"};
            case Protocol.LOGIN_OK: return new String[] {"maxVersion", "id", "time", "maxPayload", "heartbeatMillis",
                "cursor", "lastSeq"};
            case Protocol.SEND: return new String[] {"clientMsgId", "id", "payload"};
            case Protocol.SEND_ACK: return new String[] {"clientMsgId", "code", "seq", "time", "retryAfterMillis"};
            case Protocol.DELIVER: return new String[] {"seq", "id", "time", "payload"};
            case Protocol.DELIVER_ACK: return new String[] {"seq"};
            case Protocol.PRESENCE_QUERY: return new String[] {"id"};
            case Protocol.PRESENCE: return new String[] {"id", "online", "time"};
            case Protocol.PING:
            case Protocol.PONG: return new String[] {"nonce"};
            case Protocol.ERROR: return new String[] {"code", "text", "retryAfterMillis"};
            case Protocol.GOAWAY: return new String[] {"retryAfterMillis", "text"};
            default: throw new AssertionError("type " + type);
        }
    }

    @Test
    void eachEncoderWritesTheBytesOfTheOther() {
        qt().forAll(FrameCodecPropertiesTest.ANY_FRAME, integers().between(0, 17)).checkAssert((model, offset) -> {
            final ExpandableArrayBuffer server = new ExpandableArrayBuffer(64);
            final int written = model.encode(server, offset);
            final ByteBuffer jdk = ByteBuffer.allocate(offset + written);
            assertThat(jdkEncode(model, jdk, offset)).as("%s length", model).isEqualTo(written);
            assertThat(HEX.formatHex(jdk.array(), offset, offset + written)).as("%s bytes", model)
                .isEqualTo(HEX.formatHex(server.byteArray(), offset, offset + written));
        });
    }

    @Test
    void eachDecoderReadsWhatTheOtherEncoderWrote() {
        qt().forAll(FrameCodecPropertiesTest.ANY_FRAME).checkAssert(model -> {
            // server encoder -> both decoders
            final byte[] frame = FrameCodecPropertiesTest.typeAndBody(model);
            final FrameDecoder server = new FrameDecoder();
            assertThat(server.wrap(new UnsafeBuffer(frame), 0, frame.length)).as("%s", server.error()).isTrue();
            model.verify(server);
            assertSameVerdict(frame);
            // JDK encoder -> server decoder, checked against the model
            final ByteBuffer jdk = ByteBuffer.allocate(frame.length + 4);
            final int n = jdkEncode(model, jdk, 0);
            final FrameDecoder back = new FrameDecoder();
            assertThat(back.wrap(new UnsafeBuffer(jdk.array(), 0, n), 4, n - 4)).as("%s", back.error()).isTrue();
            model.verify(back);
        });
    }

    @Test
    void version2ErrorsWithRetryAdviceAgreeAndVersion1RefusesThem() {
        qt().forAll(integers().between(0, 0xFFFF), FrameCodecPropertiesTest.TEXTS,
            longs().between(-5, Integer.MAX_VALUE + 5L)).checkAssert((code, text, retryAfter) -> {
                final ExpandableArrayBuffer server = new ExpandableArrayBuffer(64);
                final int written = FrameEncoder.error(server, 0, code, text, retryAfter);
                final ByteBuffer jdk = ByteBuffer.allocate(written);
                assertThat(ByteBufferFrameEncoder.error(jdk, 0, code, text, retryAfter)).isEqualTo(written);
                assertThat(HEX.formatHex(jdk.array())).isEqualTo(HEX.formatHex(server.byteArray(), 0, written));
                final byte[] frame = Arrays.copyOfRange(jdk.array(), 4, written);
                assertSameVerdict(frame);
                final FrameDecoder v2 = new FrameDecoder().version(Protocol.VERSION);
                assertThat(v2.wrap(new UnsafeBuffer(frame), 0, frame.length)).as("%s", v2.error()).isTrue();
                assertThat(v2.code()).isEqualTo(code);
                assertThat(v2.retryAfterMillis()).isEqualTo(Math.min(Math.max(retryAfter, 0), Integer.MAX_VALUE));
                final FrameDecoder v1 = new FrameDecoder().version(Protocol.MIN_VERSION);
                assertThat(v1.wrap(new UnsafeBuffer(frame), 0, frame.length)).isFalse();
                assertThat(v1.error()).isEqualTo("trailing bytes");
                // the version-1 layout read as of version 2: no advice
                final byte[] plain = FrameCodecPropertiesTest.typeAndBody(new ErrorModel(code, text));
                assertThat(v2.wrap(new UnsafeBuffer(plain), 0, plain.length)).isTrue();
                assertThat(v2.retryAfterMillis()).isEqualTo(-1);
            });
    }

    @Test
    void theVersion2ErrorOfTheProtocolDocumentIsWhatBothEncodersWrite() {
        final String doc = "0000000d" + "0b" + "0010" + "000477616974" + "000005dc"; // docs/protocol.md, Example
        final ExpandableArrayBuffer server = new ExpandableArrayBuffer(64);
        final int n = FrameEncoder.error(server, 0, 16, "wait", 1_500);
        assertThat(HEX.formatHex(server.byteArray(), 0, n)).isEqualTo(doc);
        final ByteBuffer jdk = ByteBuffer.allocate(n);
        ByteBufferFrameEncoder.error(jdk, 0, 16, "wait", 1_500);
        assertThat(HEX.formatHex(jdk.array())).isEqualTo(doc);
    }

    @Test
    void damagedFramesGetTheSameVerdictFromBothDecoders() {
        qt().withExamples(3_000).forAll(FrameCodecPropertiesTest.ANY_FRAME, integers().all()).checkAssert((model, salt) -> {
            final byte[] frame = FrameCodecPropertiesTest.typeAndBody(model);
            final Random r = new Random(salt);
            final byte[] flipped = frame.clone();
            for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
                final int at = r.nextInt(flipped.length);
                flipped[at] = (byte) (flipped[at] ^ (1 + r.nextInt(255)));
            }
            assertSameVerdict(flipped);
            assertSameVerdict(Arrays.copyOf(frame, r.nextInt(frame.length + 1)));
            final byte[] longer = Arrays.copyOf(frame, frame.length + 1 + r.nextInt(4));
            assertSameVerdict(longer);
        });
    }

    /** Both decoders, reading as of either version, accept or refuse {@code frame} alike. */
    private static void assertSameVerdict(final byte[] frame) {
        assertSameVerdict(frame, Protocol.MIN_VERSION);
        assertSameVerdict(frame, Protocol.VERSION);
    }

    /** Both decoders accept or refuse {@code frame} (type + body) alike, with the same reason or fields. */
    private static void assertSameVerdict(final byte[] frame, final int version) {
        final FrameDecoder server = new FrameDecoder().version(version);
        final ByteBufferFrameDecoder jdk = new ByteBufferFrameDecoder().version(version);
        final boolean serverOk = server.wrap(new UnsafeBuffer(frame), 0, frame.length);
        final boolean jdkOk = jdk.wrap(ByteBuffer.wrap(frame), 0, frame.length);
        final String hex = HEX.formatHex(frame);
        assertThat(jdkOk).as("accepted by both or neither: %s (%s / %s)", hex, server.error(), jdk.error())
            .isEqualTo(serverOk);
        assertThat(jdk.error()).as(hex).isEqualTo(server.error());
        if (serverOk) {
            assertThat(jdk.type()).isEqualTo(server.type());
            assertThat(fields(jdk, jdk.type())).as(hex).isEqualTo(fields(server, server.type()));
        }
    }

    private static List<String> fields(final Object decoder, final byte type) {
        final List<String> out = new ArrayList<>();
        for (final String name : accessors(type)) {
            try {
                final Method m = decoder.getClass().getMethod(name);
                final Object value = m.invoke(decoder);
                out.add(name + "=" + (value instanceof byte[] ? HEX.formatHex((byte[]) value) : String.valueOf(value)));
            } catch (final ReflectiveOperationException e) {
                throw new AssertionError(decoder.getClass().getSimpleName() + "." + name, e);
            }
        }
        return out;
    }

    private static byte[] utf8(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The model written by the JDK encoder. */
    private static int jdkEncode(final Model model, final ByteBuffer b, final int at) {
        if (model instanceof Login m) {
            return ByteBufferFrameEncoder.login(b, at, m.minVersion(), m.maxVersion(), m.token(), utf8(m.device()),
                m.resumeCursor());
        } else if (model instanceof LoginOk m) {
            return ByteBufferFrameEncoder.loginOk(b, at, m.version(), utf8(m.user()), m.time(), m.maxPayload(),
                m.heartbeat(), m.cursor(), m.lastSeq());
        } else if (model instanceof Send m) {
            return ByteBufferFrameEncoder.send(b, at, m.clientMsgId(), utf8(m.recipient()), m.payload(), 0,
                m.payload().length);
        } else if (model instanceof SendAck m) {
            return ByteBufferFrameEncoder.sendAck(b, at, m.clientMsgId(), m.status(), m.seq(), m.time(), m.retryAfter());
        } else if (model instanceof Deliver m) {
            final byte[] sender = utf8(m.sender());
            return ByteBufferFrameEncoder.deliver(b, at, m.seq(), sender, 0, sender.length, m.time(), m.payload(), 0,
                m.payload().length);
        } else if (model instanceof DeliverAck m) {
            return ByteBufferFrameEncoder.deliverAck(b, at, m.upToSeq());
        } else if (model instanceof PresenceQuery m) {
            return ByteBufferFrameEncoder.presenceQuery(b, at, utf8(m.user()));
        } else if (model instanceof PresenceModel m) {
            return ByteBufferFrameEncoder.presence(b, at, utf8(m.user()), m.online(), m.lastSeen());
        } else if (model instanceof Ping m) {
            return ByteBufferFrameEncoder.ping(b, at, m.nonce());
        } else if (model instanceof Pong m) {
            return ByteBufferFrameEncoder.pong(b, at, m.nonce());
        } else if (model instanceof ErrorModel m) {
            return ByteBufferFrameEncoder.error(b, at, m.code(), m.text());
        } else if (model instanceof GoAway m) {
            return ByteBufferFrameEncoder.goaway(b, at, m.reconnectAfter(), m.text());
        }
        throw new AssertionError("no JDK encoding for " + model);
    }
}
