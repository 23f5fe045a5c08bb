package io.iris.engine.auth;

import java.util.Base64;

/**
 * Reads one PEM block (RFC 7468): {@code -----BEGIN LABEL-----}, base64 of DER, {@code -----END LABEL-----}.
 * Strict about the body: whitespace (line breaks of any style) is removed, then the rest must be standard
 * base64, so stray characters are an error rather than silently skipped (as the JDK's MIME decoder would).
 * Text outside the block is ignored, as RFC 7468 allows.
 */
final class Pem {
    private Pem() {
    }

    /**
     * @param text  the PEM text.
     * @param label the block label, e.g. {@code PUBLIC KEY}.
     * @return the DER bytes of the one block with that label.
     * @throws IllegalArgumentException if there is not exactly one such block or its body is not base64.
     */
    static byte[] decode(final String text, final String label) {
        final String begin = "-----BEGIN " + label + "-----";
        final String end = "-----END " + label + "-----";
        final int from = text.indexOf(begin);
        final int to = from < 0 ? -1 : text.indexOf(end, from);
        if (from < 0 || to < 0 || text.indexOf(begin, from + 1) >= 0) {
            throw new IllegalArgumentException("expected exactly one '" + begin + "' ... '" + end + "' block");
        }
        final String body = text.substring(from + begin.length(), to).replaceAll("\\s+", "");
        try {
            return Base64.getDecoder().decode(body);
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException("the " + label + " block is not valid base64");
        }
    }
}
