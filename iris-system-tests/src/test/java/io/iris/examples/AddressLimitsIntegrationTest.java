package io.iris.examples;

import io.iris.protocol.ErrorCode;
import io.iris.transport.protocol.FrameDecoder;
import io.iris.transport.protocol.FrameEncoder;
import io.iris.protocol.Protocol;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-address limits of the reference server, configured through its keys: the connection cap refuses
 * with TOO_MANY_CONNECTIONS, bad tokens get an address LOGIN_THROTTLED, and other addresses are unaffected.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AddressLimitsIntegrationTest {

    @Test
    void perAddressLimitsRefuseWithTheirOwnCodes() throws Exception {
        try (ServerProcess server = ServerProcess.start(Map.of("storage", "memory",
            "limits.ip.maxConnections", "2", "limits.ip.connectionsPerSecond", "0",
            "limits.login.failuresPerMinute", "1", "limits.login.failureBurst", "2"))) {
            // the connection cap: two open from 127.0.0.1, the third refused; 127.0.0.2 unaffected
            try (RawConnection a = new RawConnection(server.port(), 0, "127.0.0.1");
                 RawConnection b = new RawConnection(server.port(), 0, "127.0.0.1")) {
                assertThat(login(a, server.token("alice")).type()).isEqualTo(Protocol.LOGIN_OK);
                assertThat(login(b, server.token("bob")).type()).isEqualTo(Protocol.LOGIN_OK);
                try (RawConnection c = new RawConnection(server.port(), 0, "127.0.0.1")) {
                    final FrameDecoder d = c.readFrame();
                    assertThat(d.type()).isEqualTo(Protocol.ERROR);
                    assertThat(ErrorCode.fromCode(d.code())).as("text: %s", d.text())
                        .isEqualTo(ErrorCode.TOO_MANY_CONNECTIONS);
                    assertThat(d.text()).contains("2 open is the limit per address").endsWith(" ms");
                    assertThat(c.readFrame()).as("closed after the ERROR").isNull();
                }
                try (RawConnection other = new RawConnection(server.port(), 0, "127.0.0.2")) {
                    assertThat(login(other, server.token("carol")).type()).isEqualTo(Protocol.LOGIN_OK);
                }
            }

            // failed logins: with one forgiven per minute, the third bad token in a row is throttled
            for (int i = 0; i < 2; i++) {
                try (RawConnection bad = new RawConnection(server.port(), 0, "127.0.0.3")) {
                    final FrameDecoder d = login(bad, "forged-" + i);
                    assertThat(ErrorCode.fromCode(d.code())).as("text: %s", d.text()).isEqualTo(ErrorCode.AUTH_FAILED);
                }
            }
            try (RawConnection bad = new RawConnection(server.port(), 0, "127.0.0.3")) {
                final FrameDecoder d = login(bad, server.token("mallory")); // even a good token: not verified
                assertThat(ErrorCode.fromCode(d.code())).as("text: %s", d.text()).isEqualTo(ErrorCode.LOGIN_THROTTLED);
                assertThat(d.text()).containsPattern("retry after \\d+ ms$");
            }
            try (RawConnection good = new RawConnection(server.port(), 0, "127.0.0.4")) {
                assertThat(login(good, server.token("dave")).type()).as("another address logs in")
                    .isEqualTo(Protocol.LOGIN_OK);
            }
        }
    }

    private static FrameDecoder login(final RawConnection c, final String token) throws IOException {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[2048]);
        final int len = FrameEncoder.login(b, 0, 1, 1, token.getBytes(StandardCharsets.US_ASCII),
            "dev".getBytes(StandardCharsets.US_ASCII), 0);
        c.write(b, len);
        final FrameDecoder d = c.readFrame();
        assertThat(d).as("an answer to LOGIN").isNotNull();
        return d;
    }
}
