package io.iris.dist;

import io.iris.client.IrisClient;
import io.iris.protocol.SendReceipt;
import io.iris.protocol.SendStatus;
import io.iris.testsupport.Await;
import io.iris.testsupport.ChildJvm;
import io.iris.testsupport.JvmFlags;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The distribution archive as an operator uses it: unpacked into a fresh directory, {@code bin/iris-server} started
 * from another working directory, a token minted with the launcher, a login and a send, the data found under the
 * distribution home (and nothing in the working directory), then SIGTERM and a graceful exit. The systemd unit is
 * checked with {@code systemd-analyze verify} when that binary exists.
 */
class DistributionIntegrationTest {
    private static final Pattern RUNNING = Pattern.compile("Iris is running on ([^:]+):(\\d+)");
    /** A JVM stopped by SIGTERM exits with 128 + 15 (the unit's SuccessExitStatus). */
    private static final int SIGTERM_EXIT = 143;

    @Test
    void theUnpackedDistributionRunsFromAnyDirectoryAndStopsGracefully(@TempDir final Path tmp) throws Exception {
        final Path home = unpack(tmp);
        final Path script = home.resolve("bin/iris-server");
        assertThat(Files.isExecutable(script)).as("bin/iris-server is executable").isTrue();
        assertThat(Files.readString(script)).as("the launcher carries the pom's iris.jvm.flags")
            .contains("'" + JvmFlags.line() + "'").doesNotContain("@iris.jvm.flags@");
        assertThat(home.resolve("conf/iris.properties")).isRegularFile();
        assertThat(home.resolve("lib/iris-server.jar")).isRegularFile();

        final Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        final Path log = tmp.resolve("server.log");
        final Process server = new ProcessBuilder(script.toString(), "serve", "--server.port=0")
            .directory(elsewhere.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Await.until(() -> running(log) != null || !server.isAlive(), "the server prints its address");
            final Matcher m = running(log);
            assertThat(m).as("server output:\n" + read(log)).isNotNull();
            final int port = Integer.parseInt(m.group(2));

            final String token = mint(script, Files.createDirectories(tmp.resolve("third")));
            try (IrisClient alice = IrisClient.builder().address("127.0.0.1", port).token(token).deviceId("d")
                     .listener(d -> { }).reconnect(false).build()) {
                alice.connect().get(30, TimeUnit.SECONDS);
                final SendReceipt r = alice.send("bob", "hello".getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
                assertThat(r.status()).isEqualTo(SendStatus.STORED);
            }
            assertThat(home.resolve("data/chronicle")).as("the data lands under the distribution home").isDirectory();
            assertThat(home.resolve("data/dev-secret")).isRegularFile();
            try (var inCwd = Files.list(elsewhere)) {
                assertThat(inCwd).as("nothing is written to the working directory").isEmpty();
            }

            server.destroy(); // SIGTERM, as systemctl stop sends it
            assertThat(server.waitFor(ChildJvm.GRACEFUL_STOP_SECONDS, TimeUnit.SECONDS)).as("stopped by SIGTERM").isTrue();
            assertThat(server.exitValue()).as("server output:\n" + read(log)).isEqualTo(SIGTERM_EXIT);
            assertThat(read(log)).as("graceful shutdown").contains("draining: no new connections").contains("Iris stopped");
        } finally {
            ChildJvm.stop(server);
        }
    }

    @Test
    void theSystemdUnitVerifies(@TempDir final Path tmp) throws Exception {
        final Path home = unpack(tmp);
        final String unit = Files.readString(home.resolve("systemd/iris-server.service"));
        assertThat(unit).contains("ExecStart=/opt/iris-server/bin/iris-server serve")
            .contains("WorkingDirectory=/opt/iris-server");
        final Path analyze = Path.of("/usr/bin/systemd-analyze");
        // the one check skipped (reported as skipped) where systemd is absent
        assumeTrue(Files.isExecutable(analyze), "systemd-analyze is not installed");
        // the unit names /opt/iris-server; verify it as installed at the unpacked home (verify checks ExecStart exists)
        final Path installed = tmp.resolve("iris-server.service");
        Files.writeString(installed, unit.replace("/opt/iris-server", home.toString()));
        final Process p = new ProcessBuilder(analyze.toString(), "verify", installed.toString())
            .redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("systemd-analyze verify:\n" + out).isZero();
        assertThat(out).as("no warnings about the unit").doesNotContain("iris-server.service:");
    }

    private static Path unpack(final Path into) throws Exception {
        final Path archive = Path.of(System.getProperty("iris.dist.archive", "missing: set iris.dist.archive"));
        assertThat(archive).as("the distribution built by examples' package phase").isRegularFile();
        final Process tar = new ProcessBuilder("tar", "xzf", archive.toString(), "-C", into.toString())
            .redirectErrorStream(true).start();
        final String out = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(tar.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).as("tar: " + out).isZero();
        final String name = archive.getFileName().toString().replace(".tar.gz", "");
        return into.resolve(name);
    }

    private static String mint(final Path script, final Path cwd) throws Exception {
        final Process p = new ProcessBuilder(script.toString(), "mint-token", "alice", "--ttl=1h")
            .directory(cwd.toFile()).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("mint-token: " + out).isZero();
        final String[] outLines = out.split("\n");
        return outLines[outLines.length - 1].trim();
    }

    private static Matcher running(final Path log) {
        final Matcher m = RUNNING.matcher(read(log));
        return m.find() ? m : null;
    }

    private static String read(final Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (final IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
