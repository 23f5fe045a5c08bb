package io.iris.examples;

import io.iris.testsupport.ChildJvm;
import io.iris.testsupport.JvmFlags;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code iris-server.jar}'s main class run as a user would, in a child JVM (the test class path and the module
 * flags of the project's JVM flags, which the jar's manifest carries, but none of its {@code -D} properties) in a
 * given working directory, with no input: for what a user sees on the console, exit codes
 * included. Output (stdout and stderr, merged) is collected line by line.
 */
final class MainProcess implements AutoCloseable {
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    /** Set once the output ended (guarded by {@link #lines}). */
    private boolean done;

    private MainProcess(final Path workDir, final List<String> args) throws IOException {
        final List<String> cmd = new ArrayList<>();
        cmd.add(ChildJvm.javaBinary());
        // as java -jar iris-server.jar runs: the manifest carries the module flags, never a -D property
        cmd.addAll(JvmFlags.moduleFlags());
        cmd.addAll(List.of("-Xmx128m", "-cp", System.getProperty("java.class.path"), IrisMain.class.getName()));
        cmd.addAll(args);
        process = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        final Thread pump = new Thread(this::pump, "main-process-output");
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * @param workDir the working directory.
     * @param args    the arguments of {@code java -jar iris-server.jar}.
     * @return the started process.
     * @throws IOException if it cannot be started.
     */
    static MainProcess start(final Path workDir, final String... args) throws IOException {
        return new MainProcess(workDir, List.of(args));
    }

    /**
     * @return the exit code.
     * @throws Exception if it does not exit within 60 s (it is then killed).
     */
    int awaitExit() throws Exception {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("did not exit within 60 s; output:\n" + output());
        }
        synchronized (lines) {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!done && System.nanoTime() < deadline) {
                lines.wait(100);
            }
        }
        return process.exitValue();
    }

    /**
     * @param wanted a line to wait for.
     * @throws Exception if no such line is printed within 60 s.
     */
    void awaitLine(final Predicate<String> wanted) throws Exception {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        synchronized (lines) {
            while (lines.stream().noneMatch(wanted)) {
                final long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0 || done) {
                    throw new IllegalStateException("expected line not printed; output:\n" + String.join("\n", lines));
                }
                lines.wait(left);
            }
        }
    }

    List<String> lines() {
        synchronized (lines) {
            return new ArrayList<>(lines);
        }
    }

    String output() {
        return String.join("\n", lines());
    }

    /** @return true if some line looks like a stack trace. */
    boolean printedStackTrace() {
        return lines().stream().anyMatch(l -> l.startsWith("\tat ") || l.trim().startsWith("at ")
            || l.startsWith("Caused by") || l.startsWith("Exception in thread"));
    }

    private void pump() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (final IOException ignored) {
            // the process ended
        }
        synchronized (lines) {
            done = true;
            lines.notifyAll();
        }
    }

    @Override
    public void close() throws Exception {
        ChildJvm.stop(process);
    }
}
