package io.iris.discovery.etcd;

import io.iris.testsupport.Await;
import io.iris.discovery.tck.LoopbackPorts;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private single-node {@code etcd} for tests: client and peer URLs on free 127.0.0.1 ports, data in a
 * temporary directory, stopped by pid. {@link #kill()} is SIGKILL; {@link #restart()} starts it again on
 * the same ports and data, as after a crash.
 */
final class EtcdServer implements AutoCloseable {
    private final int clientPort = LoopbackPorts.freeTcpAndUdp();
    private final int peerPort = LoopbackPorts.freeTcpAndUdp();
    private final Path dir;
    private Process process;

    private EtcdServer() throws IOException {
        dir = Files.createTempDirectory("iris-etcd-");
    }

    static EtcdServer start() throws IOException {
        final EtcdServer server = new EtcdServer();
        server.startProcess();
        return server;
    }

    String clientUrl() {
        return "http://127.0.0.1:" + clientPort;
    }

    void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            process = null;
        }
    }

    void restart() {
        if (process != null) {
            throw new IllegalStateException("etcd is running");
        }
        startProcess();
    }

    private void startProcess() {
        final String peer = "http://127.0.0.1:" + peerPort;
        final List<String> cmd = List.of(binary(), "--name", "iris-test", "--data-dir", dir.resolve("data").toString(),
            "--listen-client-urls", clientUrl(), "--advertise-client-urls", clientUrl(),
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", "iris-test=" + peer, "--log-outputs", "stderr", "--logger", "zap");
        try {
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("etcd.log").toFile())).start();
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        Await.until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("etcd exited with " + process.exitValue() + "; log: " + log());
            }
            try {
                return http.send(HttpRequest.newBuilder(URI.create(clientUrl() + "/health")).timeout(Duration.ofSeconds(1))
                    .build(), HttpResponse.BodyHandlers.ofString()).body().contains("\"true\"");
            } catch (final IOException notYet) {
                return false;
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }, "etcd on " + clientUrl() + " to be healthy");
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("etcd.log"));
        } catch (final IOException e) {
            return "(no log)";
        }
    }

    private static String binary() {
        for (final String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            final File f = new File(d, "etcd");
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        throw new IllegalStateException("etcd is not on the PATH. The etcd provider's tests start their own etcd:"
            + " install it (Debian/Ubuntu: apt-get install etcd-server; .ci/run does this in CI).");
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            process = null;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (final IOException bestEffort) {
            // a temporary directory
        }
    }
}
