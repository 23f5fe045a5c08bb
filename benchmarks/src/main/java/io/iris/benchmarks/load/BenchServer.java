package io.iris.benchmarks.load;

import io.iris.api.IrisConfig;
import io.iris.engine.IrisEngine;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The server side of a load run: an {@link IrisEngine} built exactly as the reference server builds
 * it ({@code IrisEngine.builder().config(...)}, same configuration keys, same logging), started in a
 * JVM of its own by {@link ServerProcess}, plus a line protocol on stdin/stdout through which the
 * generator asks for what only the server's own JVM can see:
 * <ul>
 *   <li>{@code STATS}: one line {@code IRIS-STATS key=value ...} with the bytes allocated and the CPU
 *       time of the engine's threads ({@code iris-io-*}, {@code iris-shard-*}, from
 *       {@link com.sun.management.ThreadMXBean}), open connections, heap used, GC counts and time;</li>
 *   <li>{@code STOP} (or the end of stdin: the generator died): graceful close, then exit.</li>
 * </ul>
 * It also exits by itself after {@code --maxSeconds} (default 900), so no run outlives its budget.
 *
 * <pre>java -cp iris-benchmarks.jar io.iris.benchmarks.load.BenchServer --server.port=0 --auth.jwt.secret=... [--key=value]</pre>
 */
public final class BenchServer {
    private BenchServer() {
    }

    /**
     * @param args {@code --key=value} engine configuration, plus {@code --maxSeconds=N}.
     * @throws Exception on start-up failure.
     */
    public static void main(final String[] args) throws Exception {
        final Map<String, String> config = new LinkedHashMap<>();
        long maxSeconds = 900;
        for (final String arg : args) {
            final int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("expected --key=value, got " + arg);
            }
            final String key = arg.substring(2, eq);
            if (key.equals("maxSeconds")) {
                maxSeconds = Long.parseLong(arg.substring(eq + 1));
            } else {
                config.put(key, arg.substring(eq + 1));
            }
        }
        final IrisEngine engine = IrisEngine.builder().config(IrisConfig.of(config)).start();
        final long budgetMillis = 1000 * Math.max(1, maxSeconds);
        final Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(budgetMillis);
            } catch (final InterruptedException e) {
                return;
            }
            System.err.println("bench server: time budget over, exiting");
            Runtime.getRuntime().halt(3);
        }, "bench-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        System.out.println("IRIS-READY port=" + engine.port() + " pid=" + ProcessHandle.current().pid());
        System.out.flush();
        final BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = stdin.readLine()) != null) {
            line = line.trim();
            if (line.equals("STATS")) {
                System.out.println("IRIS-STATS " + stats(engine));
                System.out.flush();
            } else if (line.equals("STOP")) {
                break;
            }
        }
        engine.close();
        System.out.println("IRIS-STOPPED");
        System.out.flush();
        System.exit(0);
    }

    /** @return the stats line's body: {@code key=value} pairs separated by spaces. */
    static String stats(final IrisEngine engine) {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long ioAlloc = 0;
        long shardAlloc = 0;
        long ioCpu = 0;
        long shardCpu = 0;
        int ioThreads = 0;
        int shardThreads = 0;
        for (final Thread t : Thread.getAllStackTraces().keySet()) {
            final String name = t.getName();
            final long id = t.getId();
            if (name.startsWith("iris-io-")) {
                ioAlloc += threads.getThreadAllocatedBytes(id);
                ioCpu += threads.getThreadCpuTime(id);
                ioThreads++;
            } else if (name.startsWith("iris-shard-")) {
                shardAlloc += threads.getThreadAllocatedBytes(id);
                shardCpu += threads.getThreadCpuTime(id);
                shardThreads++;
            }
        }
        long gcCount = 0;
        long gcMillis = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcCount += Math.max(0, gc.getCollectionCount());
            gcMillis += Math.max(0, gc.getCollectionTime());
        }
        final long processCpu = ((com.sun.management.OperatingSystemMXBean)
            ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        return "connections=" + engine.connectionCount()
            + " ioThreads=" + ioThreads + " shardThreads=" + shardThreads
            + " ioAllocatedBytes=" + ioAlloc + " shardAllocatedBytes=" + shardAlloc
            + " ioCpuNanos=" + ioCpu + " shardCpuNanos=" + shardCpu
            + " processCpuNanos=" + processCpu
            + " heapUsedBytes=" + ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed()
            + " gcCount=" + gcCount + " gcMillis=" + gcMillis
            + " nanoTime=" + System.nanoTime();
    }
}
