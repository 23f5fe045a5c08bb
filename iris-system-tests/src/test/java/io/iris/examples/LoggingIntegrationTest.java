package io.iris.examples;

import io.iris.client.IrisClient;
import io.iris.engine.auth.JwtMinter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The server's console, started as a user does (durable storage, no -D flags): one log format (the transport logs
 * through SLF4J like the engine), no Chronicle banner or INFO chatter, and refused logins logged at INFO.
 */
class LoggingIntegrationTest {
    private static final Pattern RUNNING = Pattern.compile("Iris is running on [^:]+:(\\d+)");

    @Test
    void oneFormatNoLibraryChatterAndRefusedLoginsLogged(@TempDir final Path dir) throws Exception {
        try (MainProcess p = MainProcess.start(dir, "serve", "--server.port=0", "--storage=chronicle",
                 "--auth.jwt.secret=logging-test-secret-0123456789abcdefghij")) {
            p.awaitLine(l -> RUNNING.matcher(l).find());
            final String started = p.output();
            assertThat(started).doesNotContain("Leave your e-mail").doesNotContain("INFO net.openhft")
                .doesNotContain("Chronicle core loaded");
            assertThat(started).contains("INFO io.iris.transport.NioTransport - listening on 127.0.0.1:")
                .contains("INFO io.iris.engine.IrisEngine - Iris listening on");
            final Matcher m = RUNNING.matcher(started);
            assertThat(m.find()).isTrue();
            final int port = Integer.parseInt(m.group(1));
            final String foreign = new JwtMinter("another-secret-0123456789abcdefghijklmn".getBytes(StandardCharsets.UTF_8),
                null, null).mint("mallory", Duration.ofHours(1));
            try (IrisClient c = IrisClient.builder().address("127.0.0.1", port).token(foreign).deviceId("d")
                     .listener(d -> { }).reconnect(false).build()) {
                assertThatThrownBy(() -> c.connect().get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
            }
            p.awaitLine(l -> l.contains("INFO io.iris.engine.session.SessionHandler - login refused from /127.0.0.1")
                && l.contains("AUTH_FAILED"));
        }
    }
}
