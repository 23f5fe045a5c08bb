package io.iris.api;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link UserIds}: the one user-id rule, in its String and wire forms. */
class UserIdsTest {
    @Test
    void acceptsOrdinaryIdsUpTo64Bytes() {
        for (final String id : new String[] {"a", "alice", "bob@example.com", "Zoë", "用户", "😀", "x".repeat(64),
            "é".repeat(32), "a b"}) {
            assertThat(UserIds.problem(id)).as(id).isNull();
            assertThat(bytes(id)).as(id).isTrue();
        }
    }

    @Test
    void refusesEmptyTooLongControlCharactersAndBrokenUtf16() {
        assertThat(UserIds.problem(null)).isNotNull();
        assertThat(UserIds.problem("")).contains("empty");
        assertThat(UserIds.problem("x".repeat(65))).contains("longer than 64");
        assertThat(UserIds.problem("é".repeat(33))).contains("longer than 64");
        assertThat(UserIds.problem("a\u0000b")).contains("control");
        assertThat(UserIds.problem("a\nb")).contains("control");
        assertThat(UserIds.problem("a\u007fb")).contains("control");
        assertThat(UserIds.problem("a\u0085b")).contains("control");
        assertThat(UserIds.problem("a\ud800")).contains("surrogate");
        assertThat(UserIds.problem("\udc00a")).contains("surrogate");
    }

    @Test
    void theWireFormRefusesWhatTheStringFormRefusesAndMalformedUtf8() {
        for (final String id : new String[] {"a\u0000b", "x".repeat(65), "tab\there", "c1\u0090"}) {
            assertThat(bytes(id)).as(id).isFalse();
        }
        assertThat(UserIds.isValid(new UnsafeBuffer(new byte[0]), 0, 0)).isFalse();
        assertThat(raw(0x61, 0xC0, 0x80)).as("overlong NUL").isFalse();
        assertThat(raw(0xED, 0xA0, 0x80)).as("encoded surrogate").isFalse();
        assertThat(raw(0xF4, 0x90, 0x80, 0x80)).as("above U+10FFFF").isFalse();
        assertThat(raw(0x61, 0xE2, 0x82)).as("truncated").isFalse();
        assertThat(raw(0xFF)).isFalse();
    }

    @Test
    void bothFormsAgreeOnRandomStrings() {
        final Random random = new Random(11);
        final int[] ranges = {0x20, 0x80, 0x800, 0x10000, 0x110000};
        for (int n = 0; n < 20_000; n++) {
            final StringBuilder sb = new StringBuilder();
            final int len = random.nextInt(40);
            for (int k = 0; k < len; k++) {
                final int cp = random.nextInt(ranges[random.nextInt(ranges.length)]);
                if (cp >= 0xD800 && cp <= 0xDFFF) {
                    continue; // a lone surrogate has no UTF-8 form: covered by the String tests
                }
                sb.appendCodePoint(cp);
            }
            final String id = sb.toString();
            assertThat(bytes(id)).as("%s", id.codePoints().toArray()).isEqualTo(UserIds.isValid(id));
        }
    }

    private static boolean bytes(final String id) {
        final byte[] b = id.getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[b.length + 5]);
        buffer.putBytes(3, b);
        return UserIds.isValid(buffer, 3, b.length);
    }

    private static boolean raw(final int... values) {
        final byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return UserIds.isValid(new UnsafeBuffer(b), 0, b.length);
    }
}
