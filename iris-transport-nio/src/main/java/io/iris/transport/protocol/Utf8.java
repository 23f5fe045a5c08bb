package io.iris.transport.protocol;

import org.agrona.DirectBuffer;

/** Strict UTF-8 validation in place (no overlongs, no surrogates, nothing above U+10FFFF). */
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
        int i = offset;
        final int end = offset + length;
        while (i < end) {
            final int b0 = buffer.getByte(i) & 0xFF;
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
                final int b = buffer.getByte(i + k) & 0xFF;
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
