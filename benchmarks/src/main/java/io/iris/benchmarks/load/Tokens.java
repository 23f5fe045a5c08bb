package io.iris.benchmarks.load;

import io.iris.api.IrisConfig;
import io.iris.engine.auth.JwtAuthenticatorProvider;
import io.iris.engine.auth.JwtMinter;
import io.iris.transport.protocol.FrameEncoder;
import io.iris.protocol.Protocol;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * LOGIN frames for generated users: real HS256 JWTs minted with the server's secret (the same
 * {@link JwtMinter} the reference server's {@code mint-token} uses), so every connection pays the real
 * authentication cost at login.
 */
final class Tokens {
    /** The secret both sides use unless {@code --secret} says otherwise (benchmarks only). */
    static final String DEFAULT_SECRET = "iris-load-generator-secret-not-for-production-use";

    private final JwtMinter minter;

    Tokens(final String secret) {
        this.minter = JwtAuthenticatorProvider.minterFrom(IrisConfig.of(Map.of("auth.jwt.secret", secret)));
    }

    /**
     * @param userId the user.
     * @param device the device id.
     * @return a complete LOGIN frame (versions 1..1, no resume cursor) with a token valid for 6 hours.
     */
    byte[] loginFrame(final String userId, final String device) {
        final byte[] token = minter.mint(userId, Duration.ofHours(6)).getBytes(StandardCharsets.US_ASCII);
        final UnsafeBuffer b = new UnsafeBuffer(new byte[Protocol.HEADER + 32 + token.length + 64]);
        final int length = FrameEncoder.login(b, 0, Protocol.VERSION, Protocol.VERSION, token,
            device.getBytes(StandardCharsets.UTF_8), -1);
        return Arrays.copyOf(b.byteArray(), length);
    }
}
