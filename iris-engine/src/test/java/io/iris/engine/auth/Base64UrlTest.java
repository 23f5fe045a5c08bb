package io.iris.engine.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Base64UrlTest {
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    @Test
    void decodesWhatTheJdkEncodesForEveryLength() {
        final Random random = new Random(42);
        for (int length = 0; length < 200; length++) {
            for (int round = 0; round < 5; round++) {
                final byte[] bytes = new byte[length];
                random.nextBytes(bytes);
                final String text = "xx" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes) + "yy";
                assertThat(Base64Url.decode(text, 2, text.length() - 2)).isEqualTo(bytes);
                assertThat(Base64Url.encode(bytes)).isEqualTo(text.substring(2, text.length() - 2));
            }
        }
    }

    @Test
    void acceptsExactlyOneSpellingOfEachByteString() {
        // every 2- and 3-char tail: accepted iff re-encoding the decoded bytes gives the same text
        for (int a = 0; a < 64; a++) {
            for (int b = 0; b < 64; b++) {
                final String two = "" + ALPHABET.charAt(a) + ALPHABET.charAt(b);
                check(two);
                for (int c = 0; c < 64; c += 5) {
                    check(two + ALPHABET.charAt(c));
                }
            }
        }
    }

    private static void check(final String text) {
        final byte[] decoded = Base64Url.decode(text, 0, text.length());
        final byte[] jdk = Base64.getUrlDecoder().decode(text);
        final boolean canonical = Base64.getUrlEncoder().withoutPadding().encodeToString(jdk).equals(text);
        if (canonical) {
            assertThat(decoded).as(text).isEqualTo(jdk);
        } else {
            assertThat(decoded).as(text).isNull();
        }
    }

    @Test
    void refusesPaddingForeignCharactersAndImpossibleLengths() {
        for (final String bad : new String[] {"QQ==", "QUI=", "QQ=", "Q", "QUJDR", "QU+D", "QU/D", "QU D", "QU\nD",
            "QU\u00e9D", "QU.D", "QU\u0000D", "\uFF21UJD"}) {
            assertThat(Base64Url.decode(bad, 0, bad.length())).as(bad).isNull();
        }
        assertThat(Base64Url.decode("", 0, 0)).isEmpty();
    }
}
