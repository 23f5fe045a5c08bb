package io.iris.transport.protocol;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the decoder treats user ids (issue 11): a SEND's recipient is only framed, so the server can answer
 * INVALID_RECIPIENT; every other user id in a frame must follow {@link io.iris.api.UserIds}.
 */
class UserIdDecodingTest {
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[1024]);
    private final FrameDecoder decoder = new FrameDecoder();

    @Test
    void aSendToAnyRecipientBytesDecodesSoTheServerCanAnswerIt() {
        for (final byte[] recipient : new byte[][] {utf8("a\u0000b"), new byte[0], utf8("x".repeat(200)),
            {(byte) 0xC0, (byte) 0x80}}) {
            final int n = FrameEncoder.send(frame, 0, 7, recipient, new byte[] {1, 2}, 0, 2);
            assertThat(decoder.wrap(frame, Protocol.LENGTH_FIELD, n - Protocol.LENGTH_FIELD))
                .as("%s", decoder.error()).isTrue();
            assertThat(decoder.idLength()).isEqualTo(recipient.length);
            assertThat(decoder.payloadLength()).isEqualTo(2);
        }
    }

    @Test
    void aSendWhoseRecipientRunsPastTheFrameIsStillMalformed() {
        final int n = FrameEncoder.send(frame, 0, 7, utf8("bob"), new byte[0], 0, 0);
        frame.putByte(Protocol.HEADER + 8, (byte) 200); // recipient length beyond the frame
        assertThat(decoder.wrap(frame, Protocol.LENGTH_FIELD, n - Protocol.LENGTH_FIELD)).isFalse();
    }

    @Test
    void presenceQueriesAndDeliversFollowTheUserIdRule() {
        int n = FrameEncoder.presenceQuery(frame, 0, utf8("a\u0000b"));
        assertThat(decoder.wrap(frame, Protocol.LENGTH_FIELD, n - Protocol.LENGTH_FIELD)).isFalse();
        assertThat(decoder.error()).contains("user id");
        n = FrameEncoder.presenceQuery(frame, 0, utf8("bob"));
        assertThat(decoder.wrap(frame, Protocol.LENGTH_FIELD, n - Protocol.LENGTH_FIELD)).isTrue();
        final byte[] sender = utf8("eve\n");
        n = FrameEncoder.deliver(frame, 0, 1, new UnsafeBuffer(sender), 0, sender.length, 0,
            new UnsafeBuffer(new byte[1]), 0, 1);
        assertThat(decoder.wrap(frame, Protocol.LENGTH_FIELD, n - Protocol.LENGTH_FIELD)).isFalse();
    }

    private static byte[] utf8(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
