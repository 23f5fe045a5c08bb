package io.iris.transport.protocol;

import io.iris.protocol.Protocol;
import io.iris.api.UserIds;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the decoder stops and the user-id rule starts (issue 11): the decoder checks the id8 framing rule
 * (1–64 bytes of valid UTF-8) and nothing more, so a SEND to an id that is well framed but no valid user id
 * ({@link UserIds}: a control character) decodes, and the server answers it INVALID_RECIPIENT.
 */
class UserIdDecodingTest {
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[1024]);
    private final FrameDecoder decoder = new FrameDecoder();

    @Test
    void aSendToAWellFramedIdDecodesAndTheUserIdRuleJudgesIt() {
        for (final String recipient : new String[] {"a\u0000b", "line\nbreak", "del\u007f", "c1\u0085"}) {
            final byte[] bytes = utf8(recipient);
            final int n = FrameEncoder.send(frame, 0, 7, bytes, new byte[] {1, 2}, 0, 2);
            assertThat(decoder.wrap(frame, Protocol.LENGTH_FIELD, n - Protocol.LENGTH_FIELD))
                .as("%s", decoder.error()).isTrue();
            assertThat(UserIds.isValid(decoder.buffer(), decoder.idOffset(), decoder.idLength()))
                .as("%s is no user id", recipient).isFalse();
        }
        final int n = FrameEncoder.send(frame, 0, 7, utf8("bob"), new byte[] {1}, 0, 1);
        assertThat(decoder.wrap(frame, Protocol.LENGTH_FIELD, n - Protocol.LENGTH_FIELD)).isTrue();
        assertThat(UserIds.isValid(decoder.buffer(), decoder.idOffset(), decoder.idLength())).isTrue();
    }

    @Test
    void badlyFramedRecipientsAreStillMalformed() {
        for (final byte[] recipient : new byte[][] {new byte[0], utf8("x".repeat(65)), {(byte) 0xC0, (byte) 0x80}}) {
            final int n = FrameEncoder.send(frame, 0, 7, recipient, new byte[] {1}, 0, 1);
            assertThat(decoder.wrap(frame, Protocol.LENGTH_FIELD, n - Protocol.LENGTH_FIELD)).isFalse();
        }
    }

    private static byte[] utf8(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
