package io.iris.api;

import org.agrona.DirectBuffer;

/**
 * The one rule for a valid user id, used everywhere an id enters Iris: a token's subject at LOGIN, a SEND's
 * recipient, a PRESENCE_QUERY, the embedding API ({@link Iris#send}, {@link Iris#presence}) and token minting.
 *
 * <p>A user id is 1 to {@value #MAX_BYTES} bytes of well-formed UTF-8 (no overlong forms, no surrogates,
 * nothing above U+10FFFF) containing no ISO control character (U+0000–U+001F, U+007F–U+009F): ids end up in
 * logs, and an id no token can carry would be an inbox nobody can ever read. Ids are compared byte for byte
 * (no normalisation, case-sensitive).
 *
 * <p>Both forms of the check (a {@link String}, or UTF-8 bytes in a buffer) accept exactly the same ids; the
 * buffer form allocates nothing, for the message path.
 */
public final class UserIds {
    /** Longest user id, in UTF-8 bytes. */
    public static final int MAX_BYTES = 64;

    private UserIds() {
    }

    /**
     * @param userId a candidate id.
     * @return true if it is a valid user id.
     */
    public static boolean isValid(final String userId) {
        return problem(userId) == null;
    }

    /**
     * @param userId a candidate id.
     * @return why it is not a valid user id (a short phrase that does not repeat the id), or {@code null} if it is.
     */
    public static String problem(final String userId) {
        if (userId == null || userId.isEmpty()) {
            return "user id is empty";
        }
        int bytes = 0;
        final int n = userId.length();
        for (int i = 0; i < n; i++) {
            final char c = userId.charAt(i);
            if (Character.isISOControl(c)) {
                return "user id contains a control character";
            }
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                if (i + 1 >= n || !Character.isLowSurrogate(userId.charAt(i + 1))) {
                    return "user id is not valid UTF-16 (unpaired surrogate)";
                }
                bytes += 4;
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return "user id is not valid UTF-16 (unpaired surrogate)";
            } else {
                bytes += 3;
            }
            if (bytes > MAX_BYTES) {
                return "user id is longer than " + MAX_BYTES + " UTF-8 bytes";
            }
        }
        return null;
    }

    /**
     * Checks an id in its wire form without allocating.
     *
     * @param buffer holds the id's UTF-8 bytes.
     * @param offset where they start.
     * @param length how many.
     * @return true if the bytes are a valid user id.
     */
    public static boolean isValid(final DirectBuffer buffer, final int offset, final int length) {
        if (length < 1 || length > MAX_BYTES) {
            return false;
        }
        return Utf8.isValidWithoutControls(buffer, offset, length);
    }
}
