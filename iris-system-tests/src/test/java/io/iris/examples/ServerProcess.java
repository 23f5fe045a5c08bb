package io.iris.examples;

import io.iris.api.IrisConfig;
import io.iris.engine.auth.JwtAuthenticatorProvider;
import io.iris.engine.auth.JwtMinter;
import io.iris.testsupport.ChildJvm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The reference server started for real in a child JVM (same class path as the tests, the project's
 * JVM flags), on a free loopback port, with a known JWT secret so tests can mint tokens. Stopped with
 * SIGTERM (graceful), then SIGKILL if it does not exit.
 *
 * <p>The working directory (where {@code data/} goes, so the chronicle log too) is a fresh temporary
 * one, deleted on close; crash tests use {@link #startIn} instead, with a directory and a port that
 * outlive the process, and {@link #kill()} it.
 */
final class ServerProcess implements AutoCloseable {
    static final String SECRET = "integration-test-secret-0123456789abcdef";
    private static final Pattern RUNNING = Pattern.compile("Iris is running on ([^:]+):(\\d+)");

    private final Process process;
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());
    /** Lines that look like a fault (stack traces, "loop error"), kept even when {@link #output} is trimmed. */
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private final CompletableFuture<Integer> port = new CompletableFuture<>();
    private final JwtMinter minter;
    private final Path dir;
    private final boolean ownsDir;

    private ServerProcess(final Path workDir, final int serverPort, final Map<String, String> overrides)
        throws IOException {
        ownsDir = workDir == null;
        dir = ownsDir ? Files.createTempDirectory("iris-it") : workDir;
        final List<String> cmd = ChildJvm.javaCommand();
        cmd.addAll(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"), IrisMain.class.getName(), "serve",
            "--server.port=" + serverPort, "--server.host=127.0.0.1", "--auth.jwt.secret=" + SECRET,
            "--dev.secretFile=" + dir.resolve("dev-secret")));
        overrides.forEach((k, v) -> cmd.add("--" + k + "=" + v));
        process = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        final Thread reader = new Thread(this::pump, "server-output");
        reader.setDaemon(true);
        reader.start();
        minter = JwtAuthenticatorProvider.minterFrom(IrisConfig.of(Map.of("auth.jwt.secret", SECRET)));
    }

    /**
     * @param overrides configuration keys for the server.
     * @return a started server, once it printed its port.
     * @throws Exception if it does not come up within 30 s.
     */
    static ServerProcess start(final Map<String, String> overrides) throws Exception {
        return started(new ServerProcess(null, 0, overrides));
    }

    /**
     * @param workDir   the server's working directory, kept on close (its {@code data/} survives restarts).
     * @param port      the port to bind (pick a free one once and reuse it across restarts).
     * @param overrides configuration keys for the server.
     * @return a started server, once it printed its port.
     * @throws Exception if it does not come up within 30 s.
     */
    static ServerProcess startIn(final Path workDir, final int port, final Map<String, String> overrides)
        throws Exception {
        return started(new ServerProcess(workDir, port, overrides));
    }

    private static ServerProcess started(final ServerProcess server) throws Exception {
        try {
            server.port.get(90, TimeUnit.SECONDS); // a loaded 2-core box can take long to start a JVM
        } catch (final Exception e) {
            server.close();
            throw new IllegalStateException("server did not start; output:\n" + server.output(), e);
        }
        return server;
    }

    /** @return the server's working directory (its relative {@code data/} paths resolve against it). */
    Path dir() {
        return dir;
    }

    int port() {
        return port.join();
    }

    String token(final String user) {
        return minter.mint(user, Duration.ofHours(1));
    }

    JwtMinter minter() {
        return minter;
    }

    String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    /**
     * @return every line of the server's output (stdout and stderr) so far that looks like a fault: a stack
     *         trace line, an exception, an I/O thread's "loop error" (first 200 such lines).
     */
    List<String> problemLines() {
        synchronized (problems) {
            return new ArrayList<>(problems);
        }
    }

    static boolean isProblem(final String line) {
        final String t = line.trim();
        return line.contains("loop error") || line.contains("Exception") || line.contains("Error:")
            || t.startsWith("at ") || t.startsWith("Caused by") || line.contains(" ERROR ");
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * @param seconds how long to wait.
     * @return the exit code once the server exited by itself, or -1 if it still runs after {@code seconds}.
     * @throws InterruptedException if interrupted.
     */
    int awaitExit(final long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }

    /** @return the child's process id. */
    long pid() {
        return process.pid();
    }

    /**
     * Kills the server with SIGKILL ({@link Process#destroyForcibly()}): no shutdown hook, no drain, no
     * final sync; then waits for it to be gone.
     *
     * @throws InterruptedException if interrupted while waiting.
     */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("server " + process.pid() + " survived SIGKILL for 30 s");
        }
    }

    private void pump() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                output.add(line);
                if (isProblem(line) && problems.size() < 200) {
                    problems.add(line);
                }
                if (output.size() > 2_000) {
                    output.remove(0);
                }
                final Matcher m = RUNNING.matcher(line);
                if (m.find()) {
                    port.complete(Integer.parseInt(m.group(2)));
                }
            }
        } catch (final IOException ignored) {
            // the process ended
        }
        port.completeExceptionally(new IllegalStateException("server exited"));
    }

    @Override
    public void close() throws Exception {
        ChildJvm.stop(process);
        if (!ownsDir) {
            return;
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
