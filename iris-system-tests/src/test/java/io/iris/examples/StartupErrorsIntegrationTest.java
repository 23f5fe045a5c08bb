package io.iris.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every start-up failure a user can cause is one line on the console naming the config key (or option), and a
 * non-zero exit code; never a stack trace. Each case runs the server's main class in a child JVM, as a user does.
 */
class StartupErrorsIntegrationTest {
    private static final String SECRET = "--auth.jwt.secret=startup-errors-test-secret-0123456789";

    /** @return the one "iris: ..." line, asserting there is exactly one and no stack trace. */
    private static String errorLine(final MainProcess p) {
        final List<String> errors = p.lines().stream().filter(l -> l.startsWith("iris: ")).toList();
        assertThat(errors).as("one error line in:\n" + p.output()).hasSize(1);
        assertThat(p.printedStackTrace()).as("a stack trace in:\n" + p.output()).isFalse();
        return errors.get(0);
    }

    @Test
    void portInUseNamesTheKeys(@TempDir final Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             MainProcess p = MainProcess.start(dir, "serve", "--storage=memory", SECRET,
                 "--server.port=" + taken.getLocalPort())) {
            assertThat(p.awaitExit()).isEqualTo(1);
            assertThat(errorLine(p)).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort())
                .contains("server.port");
        }
    }

    @Test
    void missingConfigFileIsOneLine(@TempDir final Path dir) throws Exception {
        try (MainProcess p = MainProcess.start(dir, "serve", "--config", "nope.properties")) {
            assertThat(p.awaitExit()).isEqualTo(2);
            assertThat(errorLine(p)).contains("--config nope.properties: no such file");
        }
    }

    @Test
    void unreachableRedisNamesTheUriKey(@TempDir final Path dir) throws Exception {
        final int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort(); // nothing listens there once closed
        }
        try (MainProcess p = MainProcess.start(dir, "serve", "--storage=redis", SECRET, "--server.port=0",
                 "--storage.redis.uri=redis://127.0.0.1:" + closedPort, "--storage.redis.timeoutMillis=1000")) {
            assertThat(p.awaitExit()).isEqualTo(1);
            assertThat(errorLine(p)).contains("storage.redis.uri").contains("127.0.0.1:" + closedPort);
        }
    }

    @Test
    void dataDirectoryInUseNamesTheKey(@TempDir final Path dir) throws Exception {
        try (MainProcess first = MainProcess.start(dir, "serve", "--storage=chronicle", SECRET, "--server.port=0")) {
            first.awaitLine(l -> l.startsWith("Iris is running on"));
            try (MainProcess second = MainProcess.start(dir, "serve", "--storage=chronicle", SECRET, "--server.port=0")) {
                assertThat(second.awaitExit()).isEqualTo(1);
                assertThat(errorLine(second)).contains("config key 'storage.chronicle.dir' = data/chronicle")
                    .contains("in use");
            }
        }
    }

    @Test
    void misspelledKeyNamesTheClosestOne(@TempDir final Path dir) throws Exception {
        try (MainProcess p = MainProcess.start(dir, "serve", "--storrage=chronicle", SECRET)) {
            assertThat(p.awaitExit()).isEqualTo(2);
            assertThat(errorLine(p)).contains("unknown config key 'storrage'").contains("did you mean 'storage'?");
        }
    }

    @Test
    void helpExitsZeroInEveryForm(@TempDir final Path dir) throws Exception {
        for (final String help : List.of("--help", "help", "-h")) {
            try (MainProcess p = MainProcess.start(dir, help)) {
                assertThat(p.awaitExit()).as(help).isZero();
                assertThat(p.output()).as(help).contains("usage: java -jar iris-server.jar");
            }
        }
    }

    @Test
    void mintTokenElsewhereDoesNotCreateASecretNobodyKnows(@TempDir final Path dir) throws Exception {
        try (MainProcess p = MainProcess.start(dir, "mint-token", "alice")) {
            assertThat(p.awaitExit()).isEqualTo(2);
            assertThat(errorLine(p)).contains("no development secret at " + dir.toRealPath().resolve("data/dev-secret"))
                .contains("dev.secretFile");
        }
        assertThat(Files.exists(dir.resolve("data/dev-secret"))).isFalse();
    }

    @Test
    void mintTokenRefusesALifetimeTheServerWouldRefuse(@TempDir final Path dir) throws Exception {
        try (MainProcess p = MainProcess.start(dir, "mint-token", "alice", "--ttl=90d", SECRET)) {
            assertThat(p.awaitExit()).isEqualTo(2);
            assertThat(errorLine(p)).contains("auth.jwt.maxLifetimeSeconds");
        }
    }

    @Test
    void tokensArePrintedOnlyInDevelopmentMode(@TempDir final Path dir) throws Exception {
        try (MainProcess p = MainProcess.start(dir, "serve", "--storage=memory", "--server.port=0", SECRET)) {
            p.awaitLine(l -> l.startsWith("Tokens are verified with auth.jwt.secret"));
            assertThat(p.output()).doesNotContain("--token=ey");
        }
        try (MainProcess p = MainProcess.start(dir, "serve", "--storage=memory", "--server.port=0")) {
            p.awaitLine(l -> l.contains("--to=alice"));
            assertThat(p.output()).contains("--token=ey").contains("development secret in "
                + dir.toRealPath().resolve("data/dev-secret"));
        }
    }
}
