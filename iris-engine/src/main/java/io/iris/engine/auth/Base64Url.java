package io.iris.engine.auth;

import java.util.Arrays;
import java.util.Base64;

/**
 * The base64url alphabet of RFC 4648 §5 without padding, as JWS compact serialization uses it
 * (RFC 7515 §2). Decoding is strict and canonical: only {@code A-Z a-z 0-9 - _}; no {@code =}
 * padding, no {@code + /}, no whitespace; a length of 1 mod 4 is refused, and so are non-zero unused
 * bits in the last character, so each byte string has exactly one accepted encoding.
 */
final class Base64Url {
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final byte[] DECODE = new byte[128];

    static {
        Arrays.fill(DECODE, (byte) -1);
        final String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = 0; i < alphabet.length(); i++) {
            DECODE[alphabet.charAt(i)] = (byte) i;
        }
    }

    private Base64Url() {
    }

    /**
     * @param bytes what to encode.
     * @return base64url text without padding.
     */
    static String encode(final byte[] bytes) {
        return ENCODER.encodeToString(bytes);
    }

    /**
     * Decodes {@code s[from, to)}.
     *
     * @param s    the text.
     * @param from first char, inclusive.
     * @param to   last char, exclusive.
     * @return the bytes, or {@code null} if the range is not canonical unpadded base64url.
     */
    static byte[] decode(final CharSequence s, final int from, final int to) {
        final int length = to - from;
        final int tail = length & 3;
        if (tail == 1) {
            return null;
        }
        final byte[] out = new byte[(length >> 2) * 3 + (tail == 0 ? 0 : tail - 1)];
        int o = 0;
        int i = from;
        final int fullEnd = to - tail;
        while (i < fullEnd) {
            final int a = value(s.charAt(i));
            final int b = value(s.charAt(i + 1));
            final int c = value(s.charAt(i + 2));
            final int d = value(s.charAt(i + 3));
            if ((a | b | c | d) < 0) {
                return null;
            }
            final int bits = a << 18 | b << 12 | c << 6 | d;
            out[o++] = (byte) (bits >> 16);
            out[o++] = (byte) (bits >> 8);
            out[o++] = (byte) bits;
            i += 4;
        }
        if (tail == 2) {
            final int a = value(s.charAt(i));
            final int b = value(s.charAt(i + 1));
            if ((a | b) < 0 || (b & 0x0F) != 0) {
                return null;
            }
            out[o] = (byte) (a << 2 | b >> 4);
        } else if (tail == 3) {
            final int a = value(s.charAt(i));
            final int b = value(s.charAt(i + 1));
            final int c = value(s.charAt(i + 2));
            if ((a | b | c) < 0 || (c & 0x03) != 0) {
                return null;
            }
            final int bits = a << 12 | b << 6 | c;
            out[o++] = (byte) (bits >> 10);
            out[o] = (byte) (bits >> 2);
        }
        return out;
    }

    private static int value(final char c) {
        return c < 128 ? DECODE[c] : -1;
    }
}
