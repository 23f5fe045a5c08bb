package io.iris.engine.fakes;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads claims of test tokens (no verification). */
public final class Tokens {
    private static final Pattern JTI = Pattern.compile("\"jti\":\"([^\"]+)\"");

    private Tokens() {
    }

    /**
     * @param token a JWT.
     * @return its {@code jti} claim.
     * @throws IllegalArgumentException if it has none.
     */
    public static String jti(final String token) {
        final String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
        final Matcher m = JTI.matcher(payload);
        if (!m.find()) {
            throw new IllegalArgumentException("token has no jti: " + payload);
        }
        return m.group(1);
    }
}
