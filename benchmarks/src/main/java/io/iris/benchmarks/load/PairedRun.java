package io.iris.benchmarks.load;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the throughput and latency scenarios share: a server in a child JVM, {@code 2 × pairs}
 * connections (user {@code u<i>} talks to {@code u<i xor 1>}) spread over {@code --threads} generator
 * loops and over the loopback source addresses 127.0.0.2–5, all logged in before anything is
 * measured; snapshots of the generator's counters together with the server's thread counters, CPU
 * and GC; a bounded drain at the end.
 */
final class PairedRun implements AutoCloseable {
    /** Creates one generator loop. */
    interface LoopFactory {
        PairLoop create(int index, InetSocketAddress server) throws Exception;
    }

    /** The generator's and the server's counters at one instant. */
    static final class Snapshot {
        final long nanos;
        final long[] counters;
        final Map<String, Long> server;
        final long serverCpuNanos;
        final long generatorCpuNanos;

        Snapshot(final long nanos, final long[] counters, final Map<String, Long> server, final long serverCpuNanos,
                 final long generatorCpuNanos) {
            this.nanos = nanos;
            this.counters = counters;
            this.server = server;
            this.serverCpuNanos = serverCpuNanos;
            this.generatorCpuNanos = generatorCpuNanos;
        }

        long server(final String key) {
            return server.getOrDefault(key, 0L);
        }
    }

    final ServerProcess server;
    final List<PairLoop> loops = new ArrayList<>();
    final int connections;
    final long deadline;

    private PairedRun(final ServerProcess server, final int connections, final long deadline) {
        this.server = server;
        this.connections = connections;
        this.deadline = deadline;
    }

    /** Server keys both scenarios set unless the command line does: no rate limit, no idle timeout. */
    static Map<String, String> defaultKeys(final String secret, final Options o) {
        final Map<String, String> keys = new LinkedHashMap<>();
        keys.put("auth.jwt.secret", secret);
        keys.put("limits.rate.perSecond", "1000000000");
        keys.put("limits.rate.burst", "1000000000");
        keys.put("server.maxConnections", "100000");
        keys.put("session.heartbeatMillis", "600000");
        keys.putAll(o.serverKeys());
        return keys;
    }

    static PairedRun start(final Report report, final Options o, final int pairs, final int threads,
                           final long budgetSeconds, final LoopFactory factory) throws Exception {
        final String secret = o.string("secret", Tokens.DEFAULT_SECRET);
        final String serverJar = o.string("serverJar", "");
        final Class<?> serverMain = ServerProcess.mainClass(o.string("server", "iris"));
        final String serverJvm = o.string("serverJvm", "");
        final String out = o.string("out", "");
        final long ackMillis = o.longValue("ackMillis", 0);
        final Map<String, String> keys = defaultKeys(secret, o);
        o.checkAllUsed();
        final Map<String, String> shown = new LinkedHashMap<>(keys);
        shown.put("auth.jwt.secret", "***");
        report.child("options").put("generator", o.used().toString()).put("server", shown.toString());
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(budgetSeconds);
        final Path log = Path.of(out.isEmpty() ? "target/load" : Path.of(out).toAbsolutePath().getParent().toString(),
            report.get("scenario") + "-server.log");
        final ServerProcess server = ServerProcess.start(serverJar.isEmpty() ? null : serverJar, serverMain,
            ServerProcess.splitFlags(serverJvm), keys, budgetSeconds + 60, log);
        final PairedRun run = new PairedRun(server, 2 * pairs, deadline);
        try {
            final InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.port);
            for (int t = 0; t < threads; t++) {
                final PairLoop loop = factory.create(t, address);
                loop.ackIntervalNanos = TimeUnit.MILLISECONDS.toNanos(ackMillis);
                run.loops.add(loop);
            }
            final Tokens tokens = new Tokens(secret);
            final WireConnection[] all = new WireConnection[2 * pairs];
            for (int i = 0; i < all.length; i++) {
                final String user = "u" + i;
                all[i] = new WireConnection(i, user, tokens.loginFrame(user, "d1"), "127.0.0." + (2 + i % 4),
                    64 * 1024, 64 * 1024);
            }
            for (int i = 0; i < all.length; i++) {
                all[i].partner = i ^ 1;
                all[i].partnerBytes = all[i ^ 1].userBytes;
                run.loops.get(i % threads).add(all[i]);
            }
            for (final PairLoop l : run.loops) {
                l.start();
            }
            while (true) {
                int in = 0;
                int failed = 0;
                for (final PairLoop l : run.loops) {
                    in += l.loggedIn;
                    failed += l.failed;
                    if (l.failure != null) {
                        throw new IllegalStateException("generator loop failed", l.failure);
                    }
                }
                if (failed > 0) {
                    throw new IllegalStateException(failed + " logins failed; see " + log);
                }
                if (in == all.length) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + in + " of " + all.length + " logged in before the deadline");
                }
                Thread.sleep(10);
            }
            return run;
        } catch (final Exception | Error e) {
            run.close();
            throw e;
        }
    }

    Snapshot snapshot() throws Exception {
        final long[] sum = new long[PairLoop.COUNTERS];
        final List<java.util.concurrent.CompletableFuture<long[]>> parts = new ArrayList<>();
        for (final PairLoop l : loops) {
            parts.add(l.snapshot());
        }
        final long nanos = System.nanoTime();
        for (final java.util.concurrent.CompletableFuture<long[]> f : parts) {
            final long[] s = f.get(10, TimeUnit.SECONDS);
            for (int i = 0; i < sum.length; i++) {
                sum[i] += s[i];
            }
        }
        final Map<String, Long> stats = server.stats();
        return new Snapshot(nanos, sum, stats, server.cpuNanos(),
            ServerProcess.ProcStat.cpuNanos(ProcessHandle.current().pid()));
    }

    void setSending(final boolean on, final Runnable startTask) {
        for (final PairLoop l : loops) {
            l.sending = on;
            if (startTask != null) {
                l.post(startTask);
            }
        }
    }

    /**
     * Waits until nothing is in flight and every stored message was delivered, or about 10 s.
     *
     * @return the final snapshot.
     */
    Snapshot drain() throws Exception {
        final long until = Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
        Snapshot s = snapshot();
        while (System.nanoTime() < until
            && (s.counters[PairLoop.IN_FLIGHT] > 0 || s.counters[PairLoop.DELIVERED] < s.counters[PairLoop.STORED])) {
            Thread.sleep(50);
            s = snapshot();
        }
        return s;
    }

    /** Puts the measured window's figures in the report. */
    void describe(final Report r, final Snapshot a, final Snapshot b, final Snapshot end) {
        final double seconds = (b.nanos - a.nanos) / 1e9;
        final long delivered = b.counters[PairLoop.DELIVERED] - a.counters[PairLoop.DELIVERED];
        final long stored = b.counters[PairLoop.STORED] - a.counters[PairLoop.STORED];
        r.put("windowSeconds", seconds)
            .put("deliveredPerSecond", delivered / seconds)
            .put("storedAcksPerSecond", stored / seconds)
            .put("refusedPerSecond", (b.counters[PairLoop.REFUSED] - a.counters[PairLoop.REFUSED]) / seconds);
        final Report srv = r.child("server");
        if (server.hasStats) {
            final long io = b.server("ioAllocatedBytes") - a.server("ioAllocatedBytes");
            final long shard = b.server("shardAllocatedBytes") - a.server("shardAllocatedBytes");
            srv.put("allocatedBytesPerMessageIoThreads", delivered == 0 ? Double.NaN : (double) io / delivered)
                .put("allocatedBytesPerMessageShardThreads", delivered == 0 ? Double.NaN : (double) shard / delivered)
                .put("allocatedBytesPerMessage", delivered == 0 ? Double.NaN : (double) (io + shard) / delivered)
                .put("ioThreadCpuPercent", 100.0 * (b.server("ioCpuNanos") - a.server("ioCpuNanos")) / (b.nanos - a.nanos))
                .put("shardThreadsCpuPercent",
                    100.0 * (b.server("shardCpuNanos") - a.server("shardCpuNanos")) / (b.nanos - a.nanos))
                .put("gcCount", b.server("gcCount") - a.server("gcCount"))
                .put("gcMillis", b.server("gcMillis") - a.server("gcMillis"));
        }
        final long serverCpu = b.serverCpuNanos - a.serverCpuNanos;
        final long generatorCpu = b.generatorCpuNanos - a.generatorCpuNanos;
        srv.put("processCpuPercent", 100.0 * serverCpu / (b.nanos - a.nanos))
            .put("cpuMicrosPerMessage", delivered == 0 ? Double.NaN : serverCpu / 1e3 / delivered)
            .put("rssBytes", server.rssBytes());
        r.child("generator")
            .put("processCpuPercent", 100.0 * generatorCpu / (b.nanos - a.nanos))
            .put("cpuMicrosPerMessage", delivered == 0 ? Double.NaN : generatorCpu / 1e3 / delivered);
        final Report check = r.child("check");
        final long storedAll = end.counters[PairLoop.STORED];
        final long deliveredAll = end.counters[PairLoop.DELIVERED];
        check.put("sent", end.counters[PairLoop.SENT])
            .put("stored", storedAll)
            .put("delivered", deliveredAll)
            .put("refused", end.counters[PairLoop.REFUSED])
            .put("duplicates", end.counters[PairLoop.DUPLICATE])
            .put("inFlightAfterDrain", end.counters[PairLoop.IN_FLIGHT])
            .put("gaps", end.counters[PairLoop.GAPS])
            .put("closedConnections", end.counters[PairLoop.CLOSED])
            .put("ok", storedAll == deliveredAll && end.counters[PairLoop.GAPS] == 0
                && end.counters[PairLoop.CLOSED] == 0 && end.counters[PairLoop.IN_FLIGHT] == 0);
    }

    @Override
    public void close() throws InterruptedException {
        for (final PairLoop l : loops) {
            l.stop();
        }
        for (final PairLoop l : loops) {
            l.join(5_000);
        }
        server.close();
    }
}
