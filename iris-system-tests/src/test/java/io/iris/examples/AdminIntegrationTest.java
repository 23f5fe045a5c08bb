package io.iris.examples;

import io.iris.testsupport.Await;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin API end to end: the reference server in a child JVM with its admin port and token, the
 * {@code admin} CLI subcommand (run in this JVM, over HTTP) against it, and real clients whose sessions it
 * lists and closes. Ends with {@code admin drain}: the clients get GOAWAY and the server process exits by
 * itself.
 */
class AdminIntegrationTest {
    private static final String TOKEN = "admin-it-token-0123456789";

    @Test
    void theAdminCliListsClosesRedactsAndDrainsARunningServer() throws Exception {
        final int adminPort = freePort();
        final String admin = "--admin=http://127.0.0.1:" + adminPort;
        try (ServerProcess server = ServerProcess.start(Map.of("admin.port", String.valueOf(adminPort),
            "admin.token", TOKEN));
             TestClient phone = TestClient.of(server, "alice", "phone").connect();
             TestClient laptop = TestClient.of(server, "alice", "laptop").connect()) {
            assertThat(phone.send("alice", "note to self").status().name()).isEqualTo("STORED");

            final Result sessions = cli("sessions", "alice", admin, "--token=" + TOKEN);
            assertThat(sessions.code).as(sessions.err).isZero();
            assertThat(sessions.out).contains("\"phone\"", "\"laptop\"", "backlog");
            assertThat(sessions.out).as("never message content").doesNotContain("note to self");

            final Result refused = cli("sessions", "alice", admin, "--token=wrong");
            assertThat(refused.code).as("a refused token exits 3").isEqualTo(3);

            final Result config = cli("config", admin, "--token=" + TOKEN);
            assertThat(config.code).as(config.err).isZero();
            assertThat(config.out).contains("admin.port", "<redacted>")
                .doesNotContain(TOKEN).doesNotContain(ServerProcess.SECRET);

            final Result disconnect = cli("disconnect", "alice", "laptop", admin, "--token=" + TOKEN);
            assertThat(disconnect.code).as(disconnect.err).isZero();
            Await.until(() -> laptop.events.stream().anyMatch(e -> e.startsWith("disconnected")),
                "the laptop's session closed by the operator");
            assertThat(phone.events).noneMatch(e -> e.startsWith("disconnected"));

            final Result drain = cli("drain", admin, "--token=" + TOKEN);
            assertThat(drain.code).as(drain.err).isZero();
            assertThat(server.awaitExit(60)).as("the drained server exits by itself, cleanly").isZero();
            assertThat(phone.events).anyMatch(e -> e.startsWith("disconnected"));
        }
    }

    private record Result(int code, String out, String err) {
    }

    private static Result cli(final String... args) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = AdminCommand.run(new ArrayList<>(List.of(args)), new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
