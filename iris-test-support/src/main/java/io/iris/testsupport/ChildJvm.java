package io.iris.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What every launcher of a child JVM shares (the tests' reference server and CLI, the discovery TCK's member,
 * the power-loss writer, the load generator's server): the command's start with this JDK's {@code java} and
 * the project's {@link JvmFlags}, a free loopback port, and a graceful-then-forced stop of only the process the
 * caller started.
 */
public final class ChildJvm {
    /** How long a child may take to exit after SIGTERM (the server drains) before it gets SIGKILL. */
    public static final long GRACEFUL_STOP_SECONDS = 20;
    /** How long to wait for the process to be gone after SIGKILL. */
    private static final long KILL_WAIT_SECONDS = 10;

    private ChildJvm() {
    }

    /** @return the {@code java} binary of the running JDK. */
    public static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * @return a new command list: {@link #javaBinary()} followed by every flag of {@link JvmFlags#all()}; the
     *         caller appends heap, class path, main class and arguments.
     */
    public static List<String> javaCommand() {
        final List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        cmd.addAll(JvmFlags.all());
        return cmd;
    }

    /** @return a port free on 127.0.0.1 right now (for a child that must keep one port across restarts). */
    public static int freeLoopbackPort() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Stops a child process gracefully (SIGTERM), then with SIGKILL if it is still there after
     * {@link #GRACEFUL_STOP_SECONDS}.
     *
     * @param process the child.
     * @throws InterruptedException if interrupted while waiting.
     */
    public static void stop(final Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(GRACEFUL_STOP_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(KILL_WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }
}
