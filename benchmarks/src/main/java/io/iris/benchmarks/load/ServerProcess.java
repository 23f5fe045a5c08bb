package io.iris.benchmarks.load;

import io.iris.testsupport.ChildJvm;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A server under test in a child JVM that this generator started, and only that process: it is
 * stopped through its own {@link Process} handle (graceful {@code STOP} first, then destroy), never by
 * name. Either the load generator's {@link BenchServer} (default: same engine and keys as the
 * reference server, plus a stats channel for per-thread allocation and CPU) or the reference server
 * jar itself ({@code --serverJar=examples/target/iris-server.jar}: heap and RSS only).
 *
 * <p>It is the load tool's own launcher (main code, shipped in the benchmarks jar: a stats channel, heap
 * histograms, RSS), not the tests' reference-server launcher of iris-system-tests; both build their command
 * from {@link ChildJvm} (this JDK's {@code java} and the parent pom's JVM flags) so the flags cannot drift.
 *
 * <p>Heap after GC is read with {@code jcmd <pid> GC.class_histogram}, which runs a full GC first and
 * totals the live objects by class; RSS comes from {@code /proc/<pid>/status}.
 */
final class ServerProcess implements AutoCloseable {
    /**
     * JVM flags the load generator gives every server it starts, before {@code --serverJvm}: the JDK's
     * epoll selector looks each ready socket up with {@code fdToKey.get(fd)}, which boxes the file
     * descriptor; above 127 that allocates an {@code Integer} per I/O event on the I/O thread (seen with
     * JFR allocation sampling at 1,000 connections). A larger autobox cache removes it: 65,536 cached
     * Integers cost about 1 MiB of heap once. docs/operations.md recommends the same flag.
     */
    static final List<String> SERVER_JVM_FLAGS = List.of("-XX:AutoBoxCacheMax=65536");

    final int port;
    final long pid;
    final boolean hasStats;
    private final Process process;
    private final PrintWriter stdin;
    private final BlockingQueue<String> statsLines = new LinkedBlockingQueue<>();
    private final Path log;
    /** A data directory this class created for the server (deleted at close), or null. */
    private final Path scratch;

    private ServerProcess(final Process process, final int port, final boolean hasStats, final Path log,
                          final Path scratch) throws IOException, InterruptedException {
        this.scratch = scratch;
        this.process = process;
        this.pid = process.pid();
        this.port = port;
        this.hasStats = hasStats;
        this.log = log;
        this.stdin = new PrintWriter(new BufferedWriter(new OutputStreamWriter(process.getOutputStream(),
            StandardCharsets.UTF_8)), true);
        final BlockingQueue<String> ready = new LinkedBlockingQueue<>();
        final Thread reader = new Thread(() -> pump(ready), "server-stdout");
        reader.setDaemon(true);
        reader.start();
        final String line = ready.poll(60, TimeUnit.SECONDS);
        if (line == null || line.startsWith("EXIT")) {
            process.destroyForcibly();
            throw new IllegalStateException("the server did not start; see " + log);
        }
    }

    /**
     * @param name {@code iris} or {@code relay}.
     * @return the main class that runs it.
     */
    static Class<?> mainClass(final String name) {
        switch (name) {
            case "iris":
                return BenchServer.class;
            case "relay":
                return BareRelay.class;
            default:
                throw new IllegalArgumentException("--server must be iris or relay, was '" + name + "'");
        }
    }

    /**
     * Starts a server on 127.0.0.1 and a free port.
     *
     * @param serverJar  the reference server jar, or null for {@code mainClass} from this jar.
     * @param mainClass  {@link BenchServer} (Iris) or {@link BareRelay} (the machine's ceiling).
     * @param jvmFlags   extra JVM flags for the server (heap, GC).
     * @param keys       engine configuration keys.
     * @param maxSeconds the server's own time budget.
     * @param logFile    where its stdout/stderr go.
     * @return the running server.
     */
    static ServerProcess start(final String serverJar, final Class<?> mainClass, final List<String> jvmFlags,
                               final Map<String, String> keys, final long maxSeconds, final Path logFile) throws IOException, InterruptedException {
        final int port = ChildJvm.freeLoopbackPort();
        final Map<String, String> config = new LinkedHashMap<>();
        config.put("server.host", "127.0.0.1");
        // The generator opens up to tens of thousands of connections (and logins) from a few loopback
        // addresses: the per-address limits a public server needs would refuse it. Off unless --key sets them.
        config.put("limits.ip.maxConnections", "0");
        config.put("limits.ip.connectionsPerSecond", "0");
        config.put("limits.login.failuresPerMinute", "0");
        config.putAll(keys);
        config.put("server.port", Integer.toString(port));
        Path scratch = null;
        if ("chronicle".equals(config.get("storage")) && !config.containsKey("storage.chronicle.dir")) {
            // a fresh log per run, removed when the server stops: runs must not replay each other's inboxes
            scratch = Files.createTempDirectory(logFile.toAbsolutePath().getParent(), "chronicle-");
            config.put("storage.chronicle.dir", scratch.toString());
        }
        final List<String> cmd = new ArrayList<>();
        cmd.addAll(ChildJvm.javaCommand());
        cmd.addAll(SERVER_JVM_FLAGS);
        cmd.addAll(jvmFlags);
        if (serverJar != null) {
            cmd.add("-jar");
            cmd.add(serverJar);
            cmd.add("serve");
        } else {
            cmd.add("-cp");
            cmd.add(ownJar());
            cmd.add(mainClass.getName());
            cmd.add("--maxSeconds=" + maxSeconds);
        }
        for (final Map.Entry<String, String> e : config.entrySet()) {
            cmd.add("--" + e.getKey() + "=" + e.getValue());
        }
        Files.createDirectories(logFile.toAbsolutePath().getParent());
        final ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        final Process p = pb.start();
        Files.writeString(logFile, String.join(" ", redact(cmd)) + "\n");
        return new ServerProcess(p, port, serverJar == null, logFile, scratch);
    }

    private static List<String> redact(final List<String> cmd) {
        final List<String> out = new ArrayList<>();
        for (final String s : cmd) {
            out.add(s.startsWith("--auth.jwt.secret=") ? "--auth.jwt.secret=***" : s);
        }
        return out;
    }

    private void pump(final BlockingQueue<String> ready) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8))) {
            String line;
            boolean announced = false;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("IRIS-STATS ")) {
                    statsLines.add(line.substring("IRIS-STATS ".length()));
                    continue;
                }
                Files.writeString(log, line + "\n", java.nio.file.StandardOpenOption.APPEND);
                if (!announced && (line.startsWith("IRIS-READY") || line.contains("Iris listening on"))) {
                    announced = true;
                    ready.add(line);
                }
            }
        } catch (final IOException e) {
            // the process ended
        }
        ready.add("EXIT");
    }

    /** @return the engine threads' counters (BenchServer only), keyed as in {@link BenchServer#stats}. */
    Map<String, Long> stats() throws InterruptedException {
        if (!hasStats) {
            return Map.of();
        }
        stdin.println("STATS");
        final String line = statsLines.poll(30, TimeUnit.SECONDS);
        if (line == null) {
            throw new IllegalStateException("server did not answer STATS");
        }
        final Map<String, Long> m = new HashMap<>();
        for (final String kv : line.trim().split(" ")) {
            final int eq = kv.indexOf('=');
            m.put(kv.substring(0, eq), Long.parseLong(kv.substring(eq + 1)));
        }
        return m;
    }

    /**
     * Runs a full GC in the server and totals its live heap by class.
     *
     * @return class name → {instances, bytes}; the key "TOTAL" holds the totals.
     */
    Map<String, long[]> liveHeapHistogram() throws IOException, InterruptedException {
        final Process jcmd = new ProcessBuilder(jcmdBinary(), Long.toString(pid), "GC.class_histogram")
            .redirectErrorStream(true).start();
        final String text = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!jcmd.waitFor(120, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
            throw new IllegalStateException("jcmd GC.class_histogram failed: " + text);
        }
        final Map<String, long[]> m = new HashMap<>();
        for (final String raw : text.split("\n")) {
            final String[] f = raw.trim().split("\\s+");
            if (f.length >= 4 && f[0].endsWith(":")) {
                m.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
            } else if (f.length >= 3 && f[0].equals("Total")) {
                m.put("TOTAL", new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
            }
        }
        if (!m.containsKey("TOTAL")) {
            throw new IllegalStateException("no total in the class histogram: " + text);
        }
        return m;
    }

    /** @return the server's resident set size in bytes. */
    long rssBytes() {
        return ProcStat.rssBytes(pid);
    }

    /** @return the server's CPU time (user + system) in nanos. */
    long cpuNanos() {
        return ProcStat.cpuNanos(pid);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            if (hasStats) {
                stdin.println("STOP");
            } else {
                process.destroy(); // SIGTERM: the reference server's shutdown hook closes gracefully
            }
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (scratch != null) {
            try (java.util.stream.Stream<Path> files = Files.walk(scratch)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (final IOException e) {
                System.err.println("could not remove " + scratch + ": " + e);
            }
        }
    }

    static String jcmdBinary() {
        final Path p = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        return Files.isExecutable(p) ? p.toString() : "jcmd";
    }

    /** @return the path of the jar (or classes directory) this class was loaded from. */
    static String ownJar() {
        try {
            return new File(ServerProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
        } catch (final URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Helpers over /proc for any process we started (or ourselves). */
    static final class ProcStat {
        private ProcStat() {
        }

        static long rssBytes(final long pid) {
            try {
                for (final String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (line.startsWith("VmRSS:")) {
                        return 1024 * Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (final IOException | RuntimeException e) {
                return -1;
            }
            return -1;
        }

        /** Clock ticks are 100 Hz on Linux (USER_HZ): 10 ms resolution. */
        static long cpuNanos(final long pid) {
            try {
                final String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
                final String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
                final long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
                return ticks * 10_000_000L;
            } catch (final IOException | RuntimeException e) {
                return -1;
            }
        }

        static String describe(final Map<String, long[]> before, final Map<String, long[]> after, final long per,
                               final int top) {
            final List<Map.Entry<String, long[]>> deltas = new ArrayList<>();
            for (final Map.Entry<String, long[]> e : after.entrySet()) {
                if (e.getKey().equals("TOTAL")) {
                    continue;
                }
                final long[] b = before.getOrDefault(e.getKey(), new long[2]);
                deltas.add(Map.entry(e.getKey(), new long[] {e.getValue()[0] - b[0], e.getValue()[1] - b[1]}));
            }
            deltas.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
            final StringBuilder sb = new StringBuilder();
            for (final Map.Entry<String, long[]> e : deltas.subList(0, Math.min(top, deltas.size()))) {
                sb.append(String.format(java.util.Locale.ROOT, "%s %.2f obj %.1f B; ", e.getKey(),
                    (double) e.getValue()[0] / per, (double) e.getValue()[1] / per));
            }
            return sb.toString();
        }
    }

    static List<String> splitFlags(final String flags) {
        return flags == null || flags.isBlank() ? List.of() : Arrays.asList(flags.trim().split("\\s+"));
    }
}
