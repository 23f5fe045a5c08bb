package io.iris.storage.redis;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * A private {@code redis-server} process for tests: on a free loopback port, in its own temporary
 * directory, stopped by pid. It can be killed (SIGKILL) and started again on the same port and
 * directory, which is how the outage tests simulate a crash.
 */
final class RedisServer implements AutoCloseable {
    private static final long START_TIMEOUT_MILLIS = 15_000;

    private final int port;
    private final Path dir;
    private final List<String> extraArgs;
    private final boolean ownsDir;
    private Process process;

    private RedisServer(final int port, final Path dir, final boolean ownsDir, final List<String> extraArgs) {
        this.port = port;
        this.dir = dir;
        this.ownsDir = ownsDir;
        this.extraArgs = List.copyOf(extraArgs);
    }

    /**
     * Starts a server without persistence.
     *
     * @param extraArgs more {@code redis-server} arguments, e.g. {@code --appendonly yes}.
     * @return the running server.
     */
    static RedisServer start(final String... extraArgs) {
        final Path dir = tempDir("iris-redis-");
        final RedisServer server = new RedisServer(freePort(false), dir, true, List.of(extraArgs));
        server.startProcess();
        return server;
    }

    /**
     * Starts a server on a given port and directory (cluster nodes, replicas).
     *
     * @param port      the port.
     * @param dir       the directory, kept.
     * @param extraArgs more arguments.
     * @return the running server.
     */
    static RedisServer start(final int port, final Path dir, final List<String> extraArgs) {
        final RedisServer server = new RedisServer(port, dir, false, extraArgs);
        server.startProcess();
        return server;
    }

    /** @return the port. */
    int port() {
        return port;
    }

    /** @return {@code redis://127.0.0.1:<port>}. */
    String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** @return the data directory. */
    Path dir() {
        return dir;
    }

    /** @return true while the process runs. */
    boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Kills the process with SIGKILL, as a crash would, and waits for it to be gone. */
    void kill() {
        if (process != null) {
            process.destroyForcibly();
            waitFor(process);
            process = null;
        }
    }

    /** Starts the process again on the same port and directory with the same arguments. */
    void restart() {
        if (isRunning()) {
            throw new IllegalStateException("redis-server on port " + port + " is still running");
        }
        startProcess();
    }

    /**
     * Sends one command in the inline protocol and returns the first reply line.
     *
     * @param command e.g. {@code PING}.
     * @return the reply line, without CRLF.
     */
    String command(final String command) {
        return command(port, command);
    }

    static String command(final int port, final String command) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            s.setSoTimeout(5000);
            final OutputStream out = s.getOutputStream();
            out.write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            final InputStream in = s.getInputStream();
            final StringBuilder line = new StringBuilder();
            for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            if (line.length() > 0 && line.charAt(0) == '$' && !line.toString().equals("$-1")) {
                final int length = Integer.parseInt(line.substring(1));
                final byte[] bulk = in.readNBytes(length);
                return new String(bulk, StandardCharsets.UTF_8);
            }
            return line.toString();
        } catch (final IOException e) {
            throw new UncheckedIOException("redis on port " + port + ": " + command, e);
        }
    }

    @Override
    public void close() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    waitFor(process);
                }
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
            process = null;
        }
        if (ownsDir) {
            deleteTree(dir);
        }
    }

    private void startProcess() {
        final List<String> cmd = new ArrayList<>(List.of(binary("redis-server"),
            "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "", "--dir", dir.toString(),
            "--protected-mode", "no", "--daemonize", "no"));
        cmd.addAll(extraArgs);
        try {
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis-" + port + ".log").toFile()))
                .start();
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MILLIS);
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + process.exitValue() + "; see "
                    + dir.resolve("redis-" + port + ".log") + ": " + tail(dir.resolve("redis-" + port + ".log")));
            }
            try {
                if ("+PONG".equals(command("PING"))) {
                    return;
                }
            } catch (final UncheckedIOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() - deadline > 0) {
                process.destroyForcibly();
                throw new IllegalStateException("redis-server on port " + port + " did not answer PING within "
                    + START_TIMEOUT_MILLIS + " ms");
            }
            pause();
        }
    }

    /**
     * @param name {@code redis-server} or {@code redis-cli}.
     * @return its path.
     * @throws IllegalStateException telling how to install it when it is not on the PATH.
     */
    static String binary(final String name) {
        final String path = System.getenv("PATH");
        if (path != null) {
            for (final String d : path.split(File.pathSeparator)) {
                final File f = new File(d, name);
                if (f.canExecute()) {
                    return f.getPath();
                }
            }
        }
        throw new IllegalStateException(name + " is not on the PATH. The Redis provider's tests start their own "
            + "Redis: install it (Debian/Ubuntu: apt-get install redis-server; .ci/run does this in CI).");
    }

    /**
     * @param withBusPort also require port + 10000 free (Redis Cluster's bus port).
     * @return a loopback port that was free a moment ago.
     */
    static int freePort(final boolean withBusPort) {
        for (int attempt = 0; attempt < 200; attempt++) {
            final int candidate = withBusPort ? 20_000 + ThreadLocalRandom.current().nextInt(30_000) : 0;
            try (ServerSocket s = bind(candidate)) {
                final int port = s.getLocalPort();
                if (!withBusPort) {
                    return port;
                }
                try (ServerSocket bus = bind(port + 10_000)) {
                    return port;
                }
            } catch (final IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free loopback port found");
    }

    private static ServerSocket bind(final int port) throws IOException {
        final ServerSocket s = new ServerSocket();
        s.setReuseAddress(false);
        try {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (final IOException e) {
            s.close();
            throw e;
        }
        return s;
    }

    static Path tempDir(final String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(final Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (final IOException e) {
            // best effort: a temp dir
        }
    }

    /** Polling interval of the start-up and state waits: short, and never a fixed sleep in a test. */
    static void pause() {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        if (Thread.interrupted()) {
            throw new IllegalStateException("interrupted");
        }
    }

    private static void waitFor(final Process p) {
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String tail(final Path log) {
        try {
            final List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
        } catch (final IOException e) {
            return "(no log)";
        }
    }
}
