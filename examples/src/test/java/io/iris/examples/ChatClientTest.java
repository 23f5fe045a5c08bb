package io.iris.examples;

import io.iris.api.IrisConfig;
import io.iris.engine.IrisEngine;
import io.iris.engine.auth.JwtMinter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The CLI chat against an in-process engine: refused and revoked tokens end it with one line and exit code 1. */
class ChatClientTest {
    private static final String SECRET = "chat-client-test-secret-0123456789abcdef";
    private IrisEngine engine;

    @BeforeEach
    void start() {
        engine = IrisEngine.builder().config(IrisConfig.of(Map.of("server.port", "0", "storage", "memory",
            "auth.jwt.secret", SECRET))).start();
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private List<String> args(final String token) {
        return List.of("--token=" + token, "--to=bob", "--port=" + engine.port());
    }

    @Test
    void tokenSignedWithAnotherKeyIsOneLineAndExitCodeOne() throws Exception {
        final String foreign = new JwtMinter("some-other-secret-0123456789abcdefghij".getBytes(StandardCharsets.UTF_8),
            null, null).mint("alice", Duration.ofHours(1));
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final int code = ChatClient.run(args(foreign), new PipedInputStream(new PipedOutputStream()),
            new PrintStream(out, true, StandardCharsets.UTF_8));
        final String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(code).isEqualTo(ChatClient.REFUSED);
        assertThat(printed.lines().filter(l -> l.contains("refused the token")).toList()).hasSize(1);
        assertThat(printed).contains("not signed with this server's key").doesNotContain("Exception");
    }

    @Test
    void revokedTokenEndsTheChatSayingWhy() throws Exception {
        final String token = new JwtMinter(SECRET.getBytes(StandardCharsets.UTF_8), null, null)
            .mint("alice", Duration.ofHours(1));
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final PipedOutputStream typing = new PipedOutputStream();
        final PipedInputStream stdin = new PipedInputStream(typing); // stays open: the user is still there
        final CompletableFuture<Integer> chat = CompletableFuture.supplyAsync(() -> {
            try {
                return ChatClient.run(args(token), stdin, new PrintStream(out, true, StandardCharsets.UTF_8));
            } catch (final InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!out.toString(StandardCharsets.UTF_8).contains("* type a line")) {
            assertThat(System.nanoTime() - deadline).as("chat connected").isNegative();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        assertThat(engine.revokeToken(jti(token), Instant.now().plus(Duration.ofHours(1)))).isEqualTo(1);
        assertThat(chat.get(60, TimeUnit.SECONDS)).isEqualTo(ChatClient.REFUSED);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("token revoked").contains("exiting")
            .doesNotContain("client is closed");
        typing.close();
    }

    private static String jti(final String token) {
        final String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
        final Matcher m = Pattern.compile("\"jti\":\"([^\"]+)\"").matcher(payload);
        assertThat(m.find()).isTrue();
        return m.group(1);
    }
}
