package io.iris.engine;

import io.iris.protocol.ErrorCode;
import io.iris.api.IrisConfig;
import io.iris.api.auth.AuthenticationException;
import io.iris.api.auth.Authenticator;
import io.iris.api.auth.Principal;
import io.iris.engine.auth.JwtAuthenticatorProvider;
import io.iris.engine.auth.JwtMinter;
import io.iris.transport.protocol.FrameDecoder;
import io.iris.transport.protocol.FrameEncoder;
import io.iris.protocol.Protocol;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * Failed-login limits against a real in-process engine, over raw sockets bound to chosen loopback
 * addresses: bad tokens from one address get it throttled (without the token being verified) while another
 * address logs in, and the address may log in again once a failure is forgiven.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LoginThrottleEngineTest {
    private static final String SECRET = "throttle-test-secret-0123456789abcdefghij";

    private IrisEngine engine;

    @AfterEach
    void tearDown() {
        if (engine != null) {
            engine.close();
        }
    }

    /** The real JWT authenticator, counting how many tokens it was asked to verify. */
    private static final class Counting implements Authenticator {
        final Authenticator real;
        final AtomicInteger calls = new AtomicInteger();

        Counting(final Authenticator real) {
            this.real = real;
        }

        @Override
        public Principal authenticate(final String token, final long nowMillis) throws AuthenticationException {
            calls.incrementAndGet();
            return real.authenticate(token, nowMillis);
        }
    }

    @Test
    void badTokensThrottleTheirAddressOnly() throws Exception {
        final IrisConfig config = IrisConfig.of(Map.of("server.host", "127.0.0.1", "server.port", "0",
            "auth.jwt.secret", SECRET, "storage", "memory",
            // one failure forgiven every 2 s, 3 at once
            "limits.login.failuresPerMinute", "30", "limits.login.failureBurst", "3"));
        final Counting auth = new Counting(new JwtAuthenticatorProvider().create(config));
        engine = IrisEngine.builder().config(config).authenticator(auth).start();
        final String good = new JwtMinter(SECRET.getBytes(StandardCharsets.UTF_8), null, null)
            .mint("alice", Duration.ofHours(1));

        // Bad tokens in a row: the throttle must answer long before 50 attempts, however slow the machine
        // (escaping it would take 2 s between attempts).
        int failures = 0;
        FrameDecoder throttled = null;
        for (int attempt = 0; attempt < 50 && throttled == null; attempt++) {
            final FrameDecoder d = login("127.0.0.1", "not-a-token-" + attempt);
            assertThat(d.type()).isEqualTo(Protocol.ERROR);
            final ErrorCode code = ErrorCode.fromCode(d.code());
            if (code == ErrorCode.LOGIN_THROTTLED) {
                throttled = d;
            } else {
                assertThat(code).as("text: %s", d.text()).isEqualTo(ErrorCode.AUTH_FAILED);
                failures++;
            }
        }
        assertThat(throttled).as("bad logins were throttled").isNotNull();
        assertThat(failures).as("the burst was allowed").isGreaterThanOrEqualTo(3);
        assertThat(throttled.text()).startsWith("too many failed logins from your address")
            .containsPattern("retry after \\d+ ms$");
        assertThat(throttled.retryAfterMillis()).as("version 2: the advice as a typed field").isPositive();
        assertThat(auth.calls.get()).as("the throttled login was not verified").isEqualTo(failures);

        // another address is not affected
        final FrameDecoder ok = login("127.0.0.2", good);
        assertThat(ok.type()).as("frame %s", Protocol.typeName(ok.type())).isEqualTo(Protocol.LOGIN_OK);

        // once a failure is forgiven, the throttled address logs in with a good token
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            final FrameDecoder d = login("127.0.0.1", good);
            if (d.type() == Protocol.LOGIN_OK) {
                break;
            }
            assertThat(ErrorCode.fromCode(d.code())).as("text: %s", d.text()).isEqualTo(ErrorCode.LOGIN_THROTTLED);
            if (System.nanoTime() - deadline > 0) {
                fail("127.0.0.1 was still throttled after 30 s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250));
        }
        assertThat(engine.counters().value("iris_logins_refused_total", "code", "LOGIN_THROTTLED")).isPositive();
    }

    @Test
    void settingsHaveThePublicServerDefaultsAndNameBadKeys() {
        final EngineSettings.AddressLimits defaults = EngineSettings.from(IrisConfig.empty()).addressLimits();
        assertThat(defaults).isEqualTo(new EngineSettings.AddressLimits(1000, 100, 200, 30, 60, 65_536));
        final EngineSettings.AddressLimits off = EngineSettings.from(IrisConfig.of(Map.of(
            "limits.ip.maxConnections", "0", "limits.ip.connectionsPerSecond", "0",
            "limits.login.failuresPerMinute", "0"))).addressLimits();
        assertThat(off.maxConnections()).isZero();
        for (final String key : new String[] {"limits.ip.maxConnections", "limits.ip.connectionsPerSecond",
            "limits.ip.connectionBurst", "limits.login.failuresPerMinute", "limits.login.failureBurst",
            "limits.ip.trackedAddresses"}) {
            assertThatThrownBy(() -> EngineSettings.from(IrisConfig.of(Map.of(key, "-1"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("config key '" + key + "' = -1");
        }
    }

    /** Connects from {@code from}, sends LOGIN with the token and returns the first answer (decoded). */
    private FrameDecoder login(final String from, final String token) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(from, 0));
            s.setSoTimeout(10_000);
            s.connect(new InetSocketAddress("127.0.0.1", engine.port()), 10_000);
            final UnsafeBuffer out = new UnsafeBuffer(new byte[1024]);
            final int n = FrameEncoder.login(out, 0, Protocol.VERSION, Protocol.VERSION,
                token.getBytes(StandardCharsets.UTF_8), "dev".getBytes(StandardCharsets.UTF_8), 0);
            s.getOutputStream().write(out.byteArray(), 0, n);
            final DataInputStream in = new DataInputStream(s.getInputStream());
            final int length = in.readInt();
            assertThat(length).isBetween(1, 65_536);
            final byte[] frame = new byte[length];
            in.readFully(frame);
            final FrameDecoder d = new FrameDecoder().version(Protocol.VERSION); // the version it logged in with
            assertThat(d.wrap(new UnsafeBuffer(frame), 0, length)).as("decodes: %s", d.error()).isTrue();
            return d;
        }
    }
}
