package io.iris.discovery.dns;

import io.iris.testsupport.Await;
import io.iris.discovery.tck.LoopbackPorts;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private {@code dnsmasq} for tests: authoritative for {@code iris.test} only (no upstream, no
 * /etc/hosts, no config file), on a free 127.0.0.1 port, stopped by pid.
 *
 * <p>Records are given as dnsmasq options ({@code --srv-host}, {@code --host-record}). dnsmasq re-reads
 * only its hosts files on SIGHUP, not options, so {@link #records} restarts it (same port) with the new
 * ones; a client sees a short outage, which the provider must ride out with its last good list.
 * Records in an {@code --addn-hosts} file can change without a restart: {@link #reload()}.
 */
final class Dnsmasq implements AutoCloseable {
    static final String DOMAIN = "iris.test";

    private final int port = LoopbackPorts.freeTcpAndUdp();
    private final Path log;
    private List<String> records = List.of();
    private Process process;

    Dnsmasq() throws IOException {
        log = Files.createTempFile("iris-dnsmasq-", ".log");
    }

    int port() {
        return port;
    }

    /** Starts (or restarts) dnsmasq serving exactly {@code recordOptions}. */
    void records(final List<String> recordOptions) throws InterruptedException {
        records = List.copyOf(recordOptions);
        kill();
        start();
    }

    /**
     * SIGHUP: dnsmasq clears its cache and re-reads its hosts files ({@code --addn-hosts}), without a
     * restart (so without an outage).
     */
    void reload() throws IOException, InterruptedException {
        final Process hup = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).inheritIO().start();
        if (hup.waitFor() != 0) {
            throw new IllegalStateException("kill -HUP " + process.pid() + " failed");
        }
    }

    void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            process = null;
        }
    }

    void start() {
        final List<String> cmd = new ArrayList<>(List.of(binary(), "--no-daemon", "--port=" + port,
            "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts", "--conf-file=/dev/null",
            "--pid-file=", "--user=" + System.getProperty("user.name"), "--local=/" + DOMAIN + "/", "--log-facility=-"));
        cmd.addAll(records);
        try {
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
        Await.until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("dnsmasq exited with " + process.exitValue() + ": " + log());
            }
            return log().contains("started, version");
        }, "dnsmasq on port " + port + " to start");
    }

    private String log() {
        try {
            return Files.readString(log);
        } catch (final IOException e) {
            return "(no log)";
        }
    }

    private static String binary() {
        for (final String d : (System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin")
            .split(File.pathSeparator)) {
            final File f = new File(d, "dnsmasq");
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        throw new IllegalStateException("dnsmasq is not installed. The dns provider's tests start their own:"
            + " apt-get install dnsmasq (.ci/run does this in CI).");
    }

    @Override
    public void close() throws Exception {
        kill();
        Files.deleteIfExists(log);
    }
}
