package io.iris.protocol.codec;

import io.iris.protocol.Protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * How field values are prepared for the wire and checked on the way back, shared by both codecs: texts cut
 * at a character boundary, delays clamped into their {@code u32} field, and the strict UTF-8 rule of
 * {@code docs/protocol.md} (no overlong forms, no surrogates, nothing above U+10FFFF).
 */
public final class Fields {
    private Fields() {
    }

    /**
     * @param text a text, or null for the empty text.
     * @return its UTF-8 bytes.
     */
    public static byte[] textBytes(final String text) {
        return (text == null ? "" : text).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param utf8 the UTF-8 bytes of an ERROR or GOAWAY text.
     * @return how many of them go on the wire: at most {@link Protocol#MAX_TEXT_LENGTH}, never cutting inside
     * a UTF-8 sequence.
     */
    public static int textLength(final byte[] utf8) {
        int length = Math.min(utf8.length, Protocol.MAX_TEXT_LENGTH);
        while (length > 0 && length < utf8.length && (utf8[length] & 0xC0) == 0x80) {
            length--;
        }
        return length;
    }

    /**
     * @param millis a delay.
     * @return the delay as written into a {@code u32} millis field: clamped to 0..{@link Integer#MAX_VALUE}.
     */
    public static int clampMillis(final long millis) {
        return (int) Math.min(Math.max(millis, 0), Integer.MAX_VALUE);
    }

    /**
     * The JDK twin of {@code io.iris.api.Utf8.isValid} (which reads Agrona buffers in place); the codec
     * property test checks that both codecs accept and refuse the same ids and texts.
     *
     * @param buffer holds the bytes (absolute indices).
     * @param offset where they start.
     * @param length how many.
     * @return true if the bytes are well-formed UTF-8.
     */
    public static boolean isValidUtf8(final ByteBuffer buffer, final int offset, final int length) {
        int i = offset;
        final int end = offset + length;
        while (i < end) {
            final int b0 = buffer.get(i) & 0xFF;
            if (b0 < 0x80) {
                i++;
                continue;
            }
            final int need;
            final int min;
            if (b0 >= 0xC2 && b0 <= 0xDF) {
                need = 1;
                min = 0x80;
            } else if (b0 >= 0xE0 && b0 <= 0xEF) {
                need = 2;
                min = 0x800;
            } else if (b0 >= 0xF0 && b0 <= 0xF4) {
                need = 3;
                min = 0x10000;
            } else {
                return false;
            }
            if (i + need >= end) {
                return false;
            }
            int cp = b0 & (0x3F >> need);
            for (int k = 1; k <= need; k++) {
                final int b = buffer.get(i + k) & 0xFF;
                if ((b & 0xC0) != 0x80) {
                    return false;
                }
                cp = (cp << 6) | (b & 0x3F);
            }
            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                return false;
            }
            i += need + 1;
        }
        return true;
    }
}
