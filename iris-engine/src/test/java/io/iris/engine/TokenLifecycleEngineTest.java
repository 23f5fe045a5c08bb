package io.iris.engine;

import io.iris.testsupport.Await;
import io.iris.protocol.ErrorCode;
import io.iris.api.IrisConfig;
import io.iris.protocol.SendStatus;
import io.iris.client.IrisClient;
import io.iris.client.IrisClientException;
import io.iris.engine.auth.JwtMinter;
import io.iris.engine.fakes.Tokens;
import io.iris.engine.auth.RevocationFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * Token lifecycle against a real in-process engine and the real client: revocation (API and file) closes
 * live sessions and refuses later logins; a session is closed with TOKEN_EXPIRED when its token expires,
 * even while idle; asymmetric keys from configuration work end to end.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TokenLifecycleEngineTest {
    private static final String SECRET = "lifecycle-test-secret-0123456789abcdefghij";

    private final JwtMinter minter = new JwtMinter(SECRET.getBytes(StandardCharsets.UTF_8), null, null);
    private final List<AutoCloseable> resources = new ArrayList<>();
    private IrisEngine engine;

    @TempDir
    Path dir;

    @AfterEach
    void tearDown() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    private IrisEngine start(final Map<String, String> extra) {
        final Map<String, String> config = new HashMap<>(Map.of("server.host", "127.0.0.1", "server.port", "0",
            "auth.jwt.secret", SECRET));
        config.putAll(extra);
        engine = IrisEngine.builder().config(IrisConfig.of(config)).start();
        return engine;
    }

    /** A client that records "connected" and "CODE: reason" for every disconnection. */
    private IrisClient client(final String token, final BlockingQueue<String> events) {
        final IrisClient c = IrisClient.builder().address("127.0.0.1", engine.port()).token(token).deviceId("d")
            .backoff(Duration.ofMillis(50), Duration.ofMillis(200))
            .listener(new IrisClient.Listener() {
                @Override
                public void onMessage(final IrisClient.Delivery d) {
                }

                @Override
                public void onConnected(final long cursor, final long lastSeq) {
                    events.add("connected");
                }

                @Override
                public void onDisconnected(final ErrorCode code, final String reason) {
                    events.add(code + ": " + reason);
                }
            }).build();
        resources.add(c);
        return c;
    }


    private static String next(final BlockingQueue<String> events) throws InterruptedException {
        final String e = events.poll(20, TimeUnit.SECONDS);
        assertThat(e).as("an event within the deadline").isNotNull();
        return e;
    }


    private static ErrorCode refusal(final IrisClient c) throws InterruptedException {
        try {
            c.connect().get(20, TimeUnit.SECONDS);
        } catch (final ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(IrisClientException.class);
            return ((IrisClientException) e.getCause()).code();
        } catch (final java.util.concurrent.TimeoutException e) {
            fail("login neither succeeded nor was refused");
        }
        fail("login succeeded");
        return null;
    }

    @Test
    void revokeTokenClosesTheLiveSessionAndTheReconnectWithTheSameTokenIsRefused() throws Exception {
        start(Map.of());
        final String token = minter.mint("alice", Duration.ofHours(1));
        final BlockingQueue<String> aliceEvents = new LinkedBlockingQueue<>();
        final IrisClient alice = client(token, aliceEvents);
        alice.connect().get(10, TimeUnit.SECONDS);
        assertThat(next(aliceEvents)).isEqualTo("connected");
        final BlockingQueue<String> bobEvents = new LinkedBlockingQueue<>();
        final IrisClient bob = client(minter.mint("bob", Duration.ofHours(1)), bobEvents);
        bob.connect().get(10, TimeUnit.SECONDS);

        assertThat(engine.revokeToken(Tokens.jti(token), Instant.now().plus(Duration.ofHours(1)))).isEqualTo(1);

        // the live session is closed; the client reconnects with the same token and that login is refused
        assertThat(next(aliceEvents)).startsWith("AUTH_FAILED").endsWith("token revoked");
        assertThat(next(aliceEvents)).startsWith("AUTH_FAILED").endsWith("token revoked");
        Await.until(alice::isClosed, "the client to stop for good");
        assertThat(refusal(client(token, new LinkedBlockingQueue<>()))).isEqualTo(ErrorCode.AUTH_FAILED);

        // other tokens are not affected
        assertThat(bob.send("carol", new byte[] {1}).get(10, TimeUnit.SECONDS).status()).isEqualTo(SendStatus.STORED);
        assertThat(bobEvents).containsExactly("connected");
        assertThat(engine.revokeToken("no-such-jti", Instant.now().plusSeconds(60))).isZero();
        assertThatThrownBy(() -> engine.revokeToken("", Instant.now())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void revokingATokenUsedByTwoDevicesClosesBoth() throws Exception {
        start(Map.of());
        final String token = minter.mint("dave", Duration.ofHours(1));
        final BlockingQueue<String> one = new LinkedBlockingQueue<>();
        final BlockingQueue<String> two = new LinkedBlockingQueue<>();
        final IrisClient a = IrisClient.builder().address("127.0.0.1", engine.port()).token(token).deviceId("one")
            .reconnect(false).listener(d -> { }).build();
        resources.add(a);
        a.connect().get(10, TimeUnit.SECONDS);
        final IrisClient b = client(token, two);
        b.connect().get(10, TimeUnit.SECONDS);
        assertThat(engine.revokeToken(Tokens.jti(token), Instant.now().plusSeconds(3600))).isEqualTo(2);
        Await.until(a::isClosed, "device one to be closed");
        Await.until(b::isClosed, "device two to be closed");
        // closed sessions leave the token-id index: a second revocation finds no live session
        Await.until(() -> engine.revokeToken(Tokens.jti(token), Instant.now().plusSeconds(3600)) == 0, "the index to forget them");
    }

    @Test
    void anIdleSessionIsClosedWithTokenExpiredWhenItsTokenExpires() throws Exception {
        start(Map.of("auth.jwt.leewaySeconds", "0"));
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        final IrisClient carol = client(minter.mint("carol", Duration.ofSeconds(2)), events);
        carol.connect().get(10, TimeUnit.SECONDS);
        assertThat(next(events)).isEqualTo("connected");
        // nothing is sent: the server closes the idle session on its own when the token expires
        assertThat(next(events)).startsWith("TOKEN_EXPIRED");
        // the client's reconnection with the same (now expired) token is refused, and it stops
        assertThat(next(events)).startsWith("TOKEN_EXPIRED");
        Await.until(carol::isClosed, "the client to stop");
    }

    @Test
    void revocationFileIsLoadedAtStartAndFollowedWhileRunning() throws Exception {
        final Path file = dir.resolve("revoked.txt");
        final String revokedBefore = minter.mint("erin", Duration.ofHours(1));
        final long exp = Instant.now().plus(Duration.ofHours(1)).getEpochSecond();
        RevocationFile.add(file, Tokens.jti(revokedBefore), exp, System.currentTimeMillis());
        start(Map.of("auth.jwt.revokedFile", file.toString(), "auth.jwt.revokedFilePollMillis", "100"));

        assertThat(refusal(client(revokedBefore, new LinkedBlockingQueue<>()))).isEqualTo(ErrorCode.AUTH_FAILED);

        final String live = minter.mint("frank", Duration.ofHours(1));
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        client(live, events).connect().get(10, TimeUnit.SECONDS);
        assertThat(next(events)).isEqualTo("connected");
        RevocationFile.add(file, Tokens.jti(live), exp, System.currentTimeMillis()); // what `revoke-token` does
        assertThat(next(events)).startsWith("AUTH_FAILED").endsWith("token revoked");
    }

    @Test
    void anInvalidRevocationFileFailsTheStartNamingTheKey() throws Exception {
        final Path file = Files.writeString(dir.resolve("revoked.txt"), "not a valid line at all\n");
        assertThatThrownBy(() -> start(Map.of("auth.jwt.revokedFile", file.toString())))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("auth.jwt.revokedFile").hasMessageContaining("line 1");
        engine = null;
    }

    @Test
    void ed25519PublicKeyFromConfigurationAcceptsTokensMintedWithItsPrivateKey() throws Exception {
        final KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        final Path pem = Files.writeString(dir.resolve("ed.pem"), "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder().encodeToString(pair.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
        start(Map.of("auth.jwt.publicKeys", "ed1=" + pem, "auth.jwt.secretKid", "hs1"));
        final JwtMinter ed = JwtMinter.withPrivateKey("ed1", pair.getPrivate(), null, null);
        final IrisClient gina = client(ed.mint("gina", Duration.ofMinutes(5)), new LinkedBlockingQueue<>());
        gina.connect().get(10, TimeUnit.SECONDS);
        assertThat(gina.isConnected()).isTrue();
        // an HS256 token without kid is refused now that there are two keys
        assertThat(refusal(client(minter.mint("gina", Duration.ofMinutes(5)), new LinkedBlockingQueue<>())))
            .isEqualTo(ErrorCode.AUTH_FAILED);
    }
}
