package io.iris.discovery.tck;

import io.iris.testsupport.Await;
import io.iris.testsupport.ChildJvm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A registered member running {@link MemberMain} in a child JVM (the test's class path), so that a test
 * can kill it with SIGKILL — no deregistration, no last keepalive — and watch its liveness expire at the
 * source. Closing it (if still alive) closes its standard input, which deregisters it cleanly.
 */
public final class MemberProcess implements AutoCloseable {
    private final Process process;
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());

    private MemberProcess(final Map<String, String> config) throws IOException {
        final List<String> cmd = ChildJvm.javaCommand();
        cmd.addAll(List.of("-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
            MemberMain.class.getName()));
        config.forEach((k, v) -> cmd.add(k + "=" + v));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    output.add(line);
                }
            } catch (final IOException ended) {
                // the process is gone
            }
        }, "member-process-output");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * @param config the member's configuration, including {@code discovery} and {@code discovery.self}.
     * @return the member, once its provider is open.
     * @throws IOException if the JVM cannot start.
     */
    public static MemberProcess start(final Map<String, String> config) throws IOException {
        final MemberProcess member = new MemberProcess(config);
        Await.until(() -> member.isReady() || !member.process.isAlive(), "the member process to open its provider");
        if (!member.isReady()) {
            throw new IllegalStateException("member process exited: " + member.output());
        }
        return member;
    }

    private boolean isReady() {
        synchronized (output) {
            return output.stream().anyMatch(l -> l.startsWith(MemberMain.READY));
        }
    }

    /** @return everything the process printed. */
    public String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    /** @return the child's pid. */
    public long pid() {
        return process.pid();
    }

    /** Kills the process with SIGKILL (no shutdown hook, no deregistration) and waits until it is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.getOutputStream().close();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
