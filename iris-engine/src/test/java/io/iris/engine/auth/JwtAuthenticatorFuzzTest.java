package io.iris.engine.auth;

import static io.iris.engine.auth.TestTokens.HS256_HEADER;
import static io.iris.engine.auth.TestTokens.NOW_MILLIS;
import static io.iris.engine.auth.TestTokens.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.iris.protocol.ErrorCode;
import io.iris.api.auth.AuthenticationException;
import io.iris.api.auth.Principal;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random inputs: whatever the token, the authenticator either accepts it or throws exactly
 * {@link AuthenticationException}; and because base64url decoding is canonical, any change to a valid
 * token's text is refused.
 */
class JwtAuthenticatorFuzzTest {
    private static final long SEED = 0x1215_2024L;
    private static final String NOISE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \t\n\u00e9\u0000{}\"\\";

    // the random exps lie up to years after NOW: a long max lifetime keeps some tokens valid
    private final JwtAuthenticator auth = JwtAuthenticator.builder().hs256Secret(SECRET)
        .maxLifetime(Duration.ofDays(3650)).build();

    @Test
    void everyMutationOfAValidTokenIsRefusedWithAuthenticationExceptionOnly() throws Exception {
        final Random random = new Random(SEED);
        final String good = TestTokens.token(TestTokens.claims("alice"));
        assertThat(auth.authenticate(good, NOW_MILLIS).userId()).isEqualTo("alice");
        int refused = 0;
        for (int i = 0; i < 20_000; i++) {
            final String mutated = mutate(good, random, 1 + random.nextInt(3));
            if (mutated.equals(good)) {
                continue;
            }
            final AuthenticationException e = JwtAuthenticatorTest.refused(auth, mutated, NOW_MILLIS);
            assertThat(e.code()).as(mutated).isEqualTo(ErrorCode.AUTH_FAILED);
            refused++;
        }
        assertThat(refused).isGreaterThan(19_000);
    }

    @Test
    void signedRandomJsonNeverThrowsAnythingButAuthenticationException() {
        final Random random = new Random(SEED + 1);
        int accepted = 0;
        for (int i = 0; i < 20_000; i++) {
            // half of the payloads start from a valid core, so acceptance is exercised too
            final boolean core = random.nextBoolean();
            final StringBuilder json = new StringBuilder(core ? "{\"sub\":\"alice\",\"exp\":1800000000" : "{");
            final int claims = random.nextInt(6);
            for (int c = 0; c < claims; c++) {
                if (c > 0 || core) {
                    json.append(',');
                }
                json.append('"').append(pick(random, "sub", "exp", "nbf", "iat", "iss", "aud", "jti", "x", "y", "z")).append("\":");
                value(json, random, 0);
            }
            json.append('}');
            String text = json.toString();
            if (random.nextInt(4) == 0) {
                text = mutate(text, random, 1);
            }
            final String header = random.nextInt(8) == 0 ? mutate(HS256_HEADER, random, 1) : HS256_HEADER;
            final String token = TestTokens.signed(header, text, SECRET);
            final Throwable thrown = catchThrowable(() -> {
                final Principal p = auth.authenticate(token, NOW_MILLIS);
                assertThat(p.userId()).isNotEmpty();
            });
            if (thrown == null) {
                accepted++;
            } else {
                assertThat(thrown).as(text).isExactlyInstanceOf(AuthenticationException.class);
            }
        }
        assertThat(accepted).as("some random tokens are valid").isPositive();
    }

    private static void value(final StringBuilder out, final Random random, final int depth) {
        switch (random.nextInt(depth > 3 ? 6 : 8)) {
            case 0 -> out.append('"').append(pick(random, "alice", "", "\\u0000", "\\ud800", "iris", "x".repeat(70))).append('"');
            case 1 -> out.append(pick(random, "1700000000", "1800000000", "-1", "0", "1.5", "1e3", "9223372036854775807",
                "99999999999999999999", "1800000000.999", "1E400", "-0"));
            case 2 -> out.append(pick(random, "true", "false", "null"));
            case 3 -> out.append(random.nextLong());
            case 4 -> out.append(random.nextDouble() * 2e9);
            case 5 -> out.append("\"sub\"");
            case 6 -> {
                out.append('[');
                final int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    value(out, random, depth + 1);
                }
                out.append(']');
            }
            default -> {
                out.append('{');
                final int n = random.nextInt(3);
                for (int i = 0; i < n; i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    out.append("\"k").append(random.nextInt(3)).append("\":");
                    value(out, random, depth + 1);
                }
                out.append('}');
            }
        }
    }

    private static String mutate(final String s, final Random random, final int edits) {
        final StringBuilder b = new StringBuilder(s);
        for (int e = 0; e < edits; e++) {
            final int at = b.length() == 0 ? 0 : random.nextInt(b.length());
            final char c = NOISE.charAt(random.nextInt(NOISE.length()));
            switch (random.nextInt(5)) {
                case 0 -> {
                    if (b.length() > 0) {
                        b.setCharAt(at, c);
                    }
                }
                case 1 -> b.insert(at, c);
                case 2 -> {
                    if (b.length() > 0) {
                        b.deleteCharAt(at);
                    }
                }
                case 3 -> b.setLength(at);
                default -> {
                    if (b.length() > 0) {
                        final int to = Math.min(b.length(), at + 1 + random.nextInt(8));
                        b.insert(random.nextInt(b.length()), b.substring(at, to));
                    }
                }
            }
        }
        return b.toString();
    }

    private static String pick(final Random random, final String... options) {
        return options[random.nextInt(options.length)];
    }
}
