package io.iris.benchmarks.load;

import io.iris.testsupport.ChildJvm;

import io.iris.transport.protocol.FrameDecoder;
import io.iris.transport.tls.DevCertificates;
import io.iris.transport.tls.Pem;

import javax.net.ssl.SSLContext;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code connections}: how many authenticated idle connections one server process holds, and what each
 * costs. The server is started with a large heartbeat (idle connections are not timed out) and warmed
 * up with {@code --warmup} logins that are closed again; its live heap (full GC, class histogram) and
 * RSS are taken; then {@code --procs} generator processes ({@link Worker}, each under the per-process
 * file limit) open {@code --count} connections between them, each bound to its own loopback source
 * address (127.0.0.2, 127.0.0.3, ...), and log each in with its own user's JWT. Once all are in, the
 * heap and RSS are taken again; the difference divided by the connections is the cost of one idle
 * authenticated connection (with its user's engine state: session, rate-limit bucket, shard entry,
 * online device, inbox cursor). Finally every connection answers a PING, which proves they are all
 * still served.
 *
 * <p>{@code --tls=true}: the server's port speaks TLS ({@code tls.enabled=true}) with development
 * certificates ({@link DevCertificates}, in {@code tls/} next to the server log: given to the server as
 * {@code tls.certFile}/{@code tls.keyFile}, or as {@code tls.devDir} to the reference server jar, which
 * then uses the same files), and every connection, warm-up included, is a TLS 1.3 session that trusts
 * the development {@code ca.pem} and checks the certificate names 127.0.0.1; the cost per connection
 * then includes the server's {@code SSLEngine} and session.
 */
final class ConnectionsScenario {
    private ConnectionsScenario() {
    }

    static Report run(final Options o) throws Exception {
        final int count = o.integer("count", 19_500);
        final int procs = o.integer("procs", 4);
        final int warmup = o.integer("warmup", 1_000);
        final long timeoutSeconds = o.longValue("timeoutSeconds", 240);
        final long holdSeconds = o.longValue("holdSeconds", 3);
        final String secret = o.string("secret", Tokens.DEFAULT_SECRET);
        final String serverJar = o.string("serverJar", "");
        final Class<?> serverMain = ServerProcess.mainClass(o.string("server", "iris"));
        final String serverJvm = o.string("serverJvm", "");
        final String workerJvm = o.string("workerJvm", "-Xmx256m -XX:+UseSerialGC");
        final String out = o.string("out", "");
        final boolean tls = o.bool("tls", false);
        o.checkAllUsed();
        if (tls && serverJar.isEmpty() && serverMain != BenchServer.class) {
            throw new IllegalArgumentException("--tls=true needs --server=iris: the bare relay speaks plaintext only");
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);

        final Map<String, String> keys = new java.util.LinkedHashMap<>();
        keys.put("auth.jwt.secret", secret);
        keys.put("server.maxConnections", "1000000");
        keys.put("session.heartbeatMillis", "3600000");
        keys.put("session.loginTimeoutMillis", "120000");
        keys.putAll(o.serverKeys());
        final Path logDir = Path.of(out.isEmpty() ? "target/load" : Path.of(out).toAbsolutePath().getParent().toString());
        SSLContext clientTls = null;
        Path ca = null;
        if (tls) {
            final DevCertificates.Bundle dev = DevCertificates.ensure(logDir.resolve("tls").toAbsolutePath(), List.of());
            ca = dev.ca();
            clientTls = Pem.clientContext(ca, null, null);
            keys.put("tls.enabled", "true");
            if (serverJar.isEmpty()) {
                keys.put("tls.certFile", dev.serverChain().toString());
                keys.put("tls.keyFile", dev.serverKey().toString());
            } else {
                keys.put("tls.devDir", ca.getParent().toString()); // the reference server's development mode
            }
        }

        final Report r = Report.start("connections");
        r.child("options").put("generator", o.used().toString()).put("server", redact(keys).toString());
        final Path log = logDir.resolve("connections-server.log");
        try (ServerProcess server = ServerProcess.start(serverJar.isEmpty() ? null : serverJar, serverMain,
            ServerProcess.splitFlags(serverJvm), keys, timeoutSeconds + 60, log)) {
            final InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.port);
            // Warm-up: JIT the login path, then close; the heap baseline includes their leftovers.
            if (warmup > 0) {
                final Tokens tokens = new Tokens(secret);
                final IdleLoop loop = new IdleLoop(address, 256);
                if (clientTls != null) {
                    loop.useTls(clientTls);
                }
                for (int i = 0; i < warmup; i++) {
                    loop.add(new WireConnection(i, "warm-" + i, tokens.loginFrame("warm-" + i, "d1"),
                        "127.0.0.1", 2048, 512));
                }
                loop.start();
                while (loop.loggedIn + loop.failed < warmup && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                loop.stop();
                loop.join(10_000);
                waitForConnections(server, 0, deadline);
            }
            final Map<String, long[]> before = server.liveHeapHistogram();
            final long rssBefore = server.rssBytes();
            final Report base = r.child("baseline");
            base.put("liveHeapBytes", before.get("TOTAL")[1]).put("rssBytes", rssBefore);

            final List<Process> workers = new ArrayList<>();
            final List<PrintWriter> control = new ArrayList<>();
            final List<BufferedReader> replies = new ArrayList<>();
            long opened = 0;
            long failedLogins = 0;
            long tls13 = 0;
            final long t0 = System.nanoTime();
            try {
                for (int w = 0; w < procs; w++) {
                    final int n = count / procs + (w < count % procs ? 1 : 0);
                    final List<String> cmd = new ArrayList<>();
                    cmd.addAll(ChildJvm.javaCommand());
                    cmd.addAll(ServerProcess.splitFlags(workerJvm));
                    cmd.add("-cp");
                    cmd.add(ServerProcess.ownJar());
                    cmd.add(LoadMain.class.getName());
                    cmd.add("conn-worker");
                    cmd.add("--port=" + server.port);
                    cmd.add("--bind=127.0.0." + (2 + w));
                    cmd.add("--count=" + n);
                    cmd.add("--prefix=w" + w + "-");
                    cmd.add("--secret=" + secret);
                    cmd.add("--maxSeconds=" + (timeoutSeconds + 30));
                    if (ca != null) {
                        cmd.add("--tlsCa=" + ca);
                    }
                    final Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                    workers.add(p);
                    control.add(new PrintWriter(p.getOutputStream(), true, StandardCharsets.UTF_8));
                    replies.add(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
                }
                for (final BufferedReader reply : replies) {
                    final String line = expect(reply, "WORKER-READY", deadline);
                    opened += field(line, "loggedIn");
                    failedLogins += field(line, "failed");
                    if (tls) {
                        tls13 += field(line, "tls13");
                    }
                }
                final double loginSeconds = (System.nanoTime() - t0) / 1e9;
                final Map<String, Long> stats = server.stats();
                Thread.sleep(TimeUnit.SECONDS.toMillis(holdSeconds));
                final Map<String, long[]> after = server.liveHeapHistogram();
                final long rssAfter = server.rssBytes();
                final long heapDelta = after.get("TOTAL")[1] - before.get("TOTAL")[1];
                final long rssDelta = rssAfter - rssBefore;
                long pongs = 0;
                for (int w = 0; w < procs; w++) {
                    control.get(w).println("PING");
                }
                for (final BufferedReader reply : replies) {
                    pongs += field(expect(reply, "WORKER-PONGS", deadline), "pongs");
                }
                final Report res = r.child("result");
                res.put("requested", (long) count)
                    .put("authenticated", opened)
                    .put("failedLogins", failedLogins)
                    .put("serverConnections", stats.getOrDefault("connections", -1L))
                    .put("answeredPing", pongs)
                    .put("loginSeconds", loginSeconds)
                    .put("loginsPerSecond", opened / loginSeconds)
                    .put("liveHeapBytes", after.get("TOTAL")[1])
                    .put("liveHeapDeltaBytes", heapDelta)
                    .put("heapBytesPerConnection", opened == 0 ? Double.NaN : (double) heapDelta / opened)
                    .put("rssBytes", rssAfter)
                    .put("rssDeltaBytes", rssDelta)
                    .put("rssBytesPerConnection", opened == 0 ? Double.NaN : (double) rssDelta / opened)
                    .put("heapPerConnectionByClass", ServerProcess.ProcStat.describe(before, after, Math.max(1, opened), 40));
                if (tls) {
                    res.put("transport", "TLSv1.3").put("authenticatedOverTls13", tls13);
                }
            } finally {
                for (final PrintWriter c : control) {
                    c.println("STOP");
                }
                for (final Process p : workers) {
                    if (!p.waitFor(20, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                }
            }
        }
        r.put("loadAverageAtEnd", Report.loadAverage());
        r.write(out);
        return r;
    }

    private static Map<String, String> redact(final Map<String, String> keys) {
        final Map<String, String> m = new java.util.LinkedHashMap<>(keys);
        m.computeIfPresent("auth.jwt.secret", (k, v) -> "***");
        return m;
    }

    private static void waitForConnections(final ServerProcess server, final long target, final long deadline)
        throws InterruptedException {
        while (System.nanoTime() < deadline) {
            if (server.stats().getOrDefault("connections", target) <= target) {
                return;
            }
            Thread.sleep(100);
        }
    }

    private static String expect(final BufferedReader reply, final String prefix, final long deadline) throws IOException {
        String line;
        while ((line = reply.readLine()) != null) {
            if (line.startsWith(prefix)) {
                return line;
            }
            System.err.println("worker: " + line);
            if (System.nanoTime() > deadline) {
                break;
            }
        }
        throw new IllegalStateException("a worker ended before " + prefix);
    }

    private static long field(final String line, final String name) {
        for (final String kv : line.split(" ")) {
            if (kv.startsWith(name + "=")) {
                return Long.parseLong(kv.substring(name.length() + 1));
            }
        }
        throw new IllegalStateException("no " + name + " in " + line);
    }

    /** Holds logged-in connections and does nothing else (answers the server's PINGs, counts PONGs). */
    static final class IdleLoop extends WireLoop {
        IdleLoop(final InetSocketAddress server, final int maxPending) throws IOException {
            super("idle-loop", server, maxPending);
        }

        @Override
        void onFrame(final WireConnection c, final FrameDecoder d) {
            // idle: nothing else is expected
        }
    }

    /**
     * {@code conn-worker}: one generator process of the connections scenario. Opens {@code --count}
     * connections from {@code --bind} (over TLS 1.3 trusting the PEM CA file {@code --tlsCa} when given),
     * logs them in, prints {@code WORKER-READY loggedIn=N failed=M} (plus {@code tls13=K} with TLS),
     * then obeys stdin: {@code PING} (answer {@code WORKER-PONGS pongs=N} once every connection
     * answered, or after 20 s), {@code STOP} or end of input (close everything and exit). Exits by
     * itself after {@code --maxSeconds}.
     */
    static final class Worker {
        private Worker() {
        }

        static void run(final Options o) throws Exception {
            final int port = o.integer("port", 7700);
            final String bind = o.string("bind", "127.0.0.2");
            final int count = o.integer("count", 1000);
            final String prefix = o.string("prefix", "w-");
            final String secret = o.string("secret", Tokens.DEFAULT_SECRET);
            final long maxSeconds = o.longValue("maxSeconds", 300);
            final String tlsCa = o.string("tlsCa", "");
            o.checkAllUsed();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
            final Thread watchdog = new Thread(() -> {
                try {
                    Thread.sleep(TimeUnit.SECONDS.toMillis(maxSeconds));
                    System.err.println("worker " + prefix + ": time budget over, exiting");
                    Runtime.getRuntime().halt(3);
                } catch (final InterruptedException e) {
                    // stopping normally
                }
            }, "worker-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
            final Tokens tokens = new Tokens(secret);
            final IdleLoop loop = new IdleLoop(new InetSocketAddress("127.0.0.1", port), 256);
            if (!tlsCa.isEmpty()) {
                loop.useTls(Pem.clientContext(Path.of(tlsCa), null, null));
            }
            for (int i = 0; i < count; i++) {
                final String user = prefix + i;
                loop.add(new WireConnection(i, user, tokens.loginFrame(user, "d1"), bind, 2048, 512));
            }
            loop.start();
            while (loop.loggedIn + loop.failed < count && System.nanoTime() < deadline && loop.failure == null) {
                Thread.sleep(20);
            }
            if (loop.failed > 0) {
                for (final WireConnection c : loop.connections) {
                    if (c.closed) {
                        System.err.println("worker " + prefix + ": first failure: " + c.closeReason);
                        break;
                    }
                }
            }
            System.out.println("WORKER-READY loggedIn=" + loop.loggedIn + " failed=" + loop.failed
                + (tlsCa.isEmpty() ? "" : " tls13=" + loop.loggedInTls13));
            System.out.flush();
            final BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = stdin.readLine()) != null && !line.trim().equals("STOP")) {
                if (line.trim().equals("PING")) {
                    final int target = loop.loggedIn;
                    final PingTask task = new PingTask(loop);
                    loop.post(task);
                    final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    long pongs = 0;
                    while (System.nanoTime() < until) {
                        pongs = task.pongs();
                        if (pongs >= target) {
                            break;
                        }
                        Thread.sleep(20);
                    }
                    System.out.println("WORKER-PONGS pongs=" + pongs);
                    System.out.flush();
                }
            }
            loop.stop();
            loop.join(10_000);
            System.exit(0);
        }
    }

    /** Sends one PING per connection from the loop thread; counts the PONGs (approximately, from outside). */
    static final class PingTask implements Runnable {
        private final WireLoop loop;
        private volatile long baseline = -1;

        PingTask(final WireLoop loop) {
            this.loop = loop;
        }

        @Override
        public void run() {
            long sum = 0;
            for (final WireConnection c : loop.connections) {
                sum += c.pongs;
            }
            baseline = sum;
            loop.pingAll(42);
        }

        long pongs() {
            if (baseline < 0) {
                return 0;
            }
            long sum = 0;
            for (final WireConnection c : loop.connections) {
                sum += c.pongs;
            }
            return sum - baseline;
        }
    }
}
