package io.iris.benchmarks.load;

import io.iris.testsupport.ChildJvm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The load generator: a lean NIO driver of the wire protocol against a real server in its own JVM.
 *
 * <pre>
 * java -cp benchmarks/target/iris-benchmarks.jar io.iris.benchmarks.load.LoadMain SCENARIO [--option=value ...] [--server.key=value ...]
 *
 *   connections  --count=19500 --procs=4 --warmup=1000 --holdSeconds=3 --timeoutSeconds=240
 *                idle authenticated connections from --procs generator processes (127.0.0.2, .3, ...):
 *                server live heap (after full GC) and RSS per connection;
 *                --tls=true: TLS 1.3 connections (server tls.enabled=true, development certificates)
 *   throughput   --pairs=32 --inflight=64 --threads=1 --payload=100 --warmupSeconds=3 --seconds=10
 *                closed loop; DELIVERs per second counted at the recipients
 *   latency      --pairs=32 --rate=100000 --threads=1 --payload=100 --warmupSeconds=5 --seconds=20
 *                open loop at a fixed rate; p50..max of SEND→DELIVER and SEND→SEND_ACK, corrected for
 *                coordinated omission
 *
 * throughput, latency: --ackMillis=N  acknowledge deliveries at most every N ms (default: every read batch)
 * every scenario: --out=FILE.json  --serverJvm="-Xmx2g ..."  --serverJar=examples/target/iris-server.jar
 *                 --server=relay (a bare relay instead of Iris: the machine's ceiling)
 *                 --secret=...  --mode=LABEL (e.g. durable/async, a label for the report)
 * any --key=value whose key has a dot (or is storage/auth) configures the server, e.g. --engine.shards=1
 * </pre>
 *
 * Every run is bounded in time (the server and worker processes have their own budget too), talks
 * only to 127.0.0.0/8, stops only the processes it started, and prints a human summary; {@code --out}
 * also writes it as JSON.
 */
public final class LoadMain {
    private LoadMain() {
    }

    /**
     * @param args the scenario, then its options.
     * @throws Exception when a run fails.
     */
    public static void main(final String[] args) throws Exception {
        if (!Object.class.getModule().isExported("jdk.internal.misc", LoadMain.class.getModule())) {
            System.exit(relaunchWithIrisFlags(args));
        }
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
            usage();
            return;
        }
        final List<String> rest = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
        final Options o = new Options(rest);
        final Report r;
        switch (args[0]) {
            case "connections":
                r = ConnectionsScenario.run(o);
                break;
            case "throughput":
                r = ThroughputScenario.run(o);
                break;
            case "latency":
                r = LatencyScenario.run(o);
                break;
            case "conn-worker":
                ConnectionsScenario.Worker.run(o);
                return;
            default:
                System.err.println("unknown scenario '" + args[0] + "'");
                usage();
                System.exit(2);
                return;
        }
        System.out.print(r.toText());
        r.write(o.string("out", ""));
        final Object result = r.get("result");
        if (result instanceof Report) {
            final Object check = ((Report) result).get("check");
            if (check instanceof Report && Boolean.FALSE.equals(((Report) check).get("ok"))) {
                System.err.println("CHECK FAILED: messages lost, duplicated, out of order or connections closed");
                System.exit(1);
            }
        }
        System.exit(0);
    }

    /**
     * Agrona needs {@code --add-exports} flags that {@code java -cp} does not take from the jar's
     * manifest: run the same command again in a child JVM with them (same JVM options otherwise).
     *
     * @return the child's exit code.
     */
    private static int relaunchWithIrisFlags(final String[] args) throws Exception {
        final List<String> cmd = new ArrayList<>();
        cmd.addAll(ChildJvm.javaCommand());
        cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(LoadMain.class.getName());
        cmd.addAll(Arrays.asList(args));
        final Process p = new ProcessBuilder(cmd).inheritIO().start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroy));
        return p.waitFor();
    }

    private static void usage() {
        System.err.println("usage: java -cp iris-benchmarks.jar io.iris.benchmarks.load.LoadMain "
            + "connections|throughput|latency [--option=value ...] [--server.key=value ...]\n"
            + "see the Javadoc of io.iris.benchmarks.load.LoadMain and docs/benchmarks.md");
    }
}
