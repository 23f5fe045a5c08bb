package io.iris.api;

import org.agrona.DirectBuffer;

/**
 * Strict UTF-8 validation in place, without allocating: no overlong forms, no surrogates, nothing above
 * U+10FFFF. The one implementation behind the wire codec's text fields and the user-id rule
 * ({@link UserIds}), which also refuses ISO control characters.
 */
public final class Utf8 {
    private Utf8() {
    }

    /**
     * @param buffer holds the bytes.
     * @param offset where they start.
     * @param length how many.
     * @return true if the bytes are well-formed UTF-8.
     */
    public static boolean isValid(final DirectBuffer buffer, final int offset, final int length) {
        return scan(buffer, offset, length, true);
    }

    /**
     * @param buffer holds the bytes.
     * @param offset where they start.
     * @param length how many.
     * @return true if the bytes are well-formed UTF-8 with no ISO control character (U+0000–U+001F,
     *         U+007F–U+009F).
     */
    public static boolean isValidWithoutControls(final DirectBuffer buffer, final int offset, final int length) {
        return scan(buffer, offset, length, false);
    }

    private static boolean scan(final DirectBuffer buffer, final int offset, final int length,
                                final boolean controlsAllowed) {
        int i = offset;
        final int end = offset + length;
        while (i < end) {
            final int b0 = buffer.getByte(i) & 0xFF;
            if (b0 < 0x80) {
                if (!controlsAllowed && (b0 < 0x20 || b0 == 0x7F)) {
                    return false;
                }
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
                final int b = buffer.getByte(i + k) & 0xFF;
                if ((b & 0xC0) != 0x80) {
                    return false;
                }
                cp = (cp << 6) | (b & 0x3F);
            }
            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)
                || (!controlsAllowed && cp >= 0x80 && cp <= 0x9F)) {
                return false;
            }
            i += need + 1;
        }
        return true;
    }
}
