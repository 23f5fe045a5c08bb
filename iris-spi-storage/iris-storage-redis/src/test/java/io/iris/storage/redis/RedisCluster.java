package io.iris.storage.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private three-master Redis Cluster for tests: three {@code redis-server} processes with
 * {@code cluster-enabled yes} on free loopback ports (whose bus ports, +10000, are free too), joined
 * with {@code redis-cli --cluster create ... --cluster-yes}, stopped by pid.
 */
final class RedisCluster implements AutoCloseable {
    private final Path dir;
    private final List<RedisServer> nodes = new ArrayList<>();

    private RedisCluster(final Path dir) {
        this.dir = dir;
    }

    /**
     * @param masters how many masters (no replicas), at least 3.
     * @return a cluster whose state is ok on every node.
     */
    static RedisCluster start(final int masters) {
        final RedisCluster cluster = new RedisCluster(RedisServer.tempDir("iris-redis-cluster-"));
        try {
            for (int i = 0; i < masters; i++) {
                final int port = RedisServer.freePort(true);
                cluster.nodes.add(RedisServer.start(port, cluster.dir, List.of(
                    "--cluster-enabled", "yes",
                    "--cluster-config-file", "nodes-" + port + ".conf",
                    "--cluster-node-timeout", "5000",
                    "--appendonly", "no",
                    "--dbfilename", "dump-" + port + ".rdb")));
            }
            final List<String> create = new ArrayList<>(List.of(RedisServer.binary("redis-cli"), "--cluster", "create"));
            for (final RedisServer n : cluster.nodes) {
                create.add("127.0.0.1:" + n.port());
            }
            create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            final Process p = new ProcessBuilder(create).redirectErrorStream(true).start();
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed:\n" + out);
            }
            cluster.awaitState("ok");
            return cluster;
        } catch (final IOException e) {
            cluster.close();
            throw new UncheckedIOException(e);
        } catch (final InterruptedException e) {
            cluster.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (final RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** @return {@code redis-cluster://127.0.0.1:p1,127.0.0.1:p2,...}. */
    String uri() {
        final StringBuilder b = new StringBuilder("redis-cluster://");
        for (int i = 0; i < nodes.size(); i++) {
            b.append(i == 0 ? "" : ",").append("127.0.0.1:").append(nodes.get(i).port());
        }
        return b.toString();
    }

    /** @return the node processes. */
    List<RedisServer> nodes() {
        return nodes;
    }

    /**
     * Waits (up to 30 s) until every node reports {@code cluster_state:<state>} and knows every node.
     *
     * @param state e.g. {@code ok}.
     */
    void awaitState(final String state) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            boolean all = true;
            for (final RedisServer n : nodes) {
                final String info = n.command("CLUSTER INFO");
                if (!info.contains("cluster_state:" + state) || !info.contains("cluster_known_nodes:" + nodes.size())) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("cluster did not reach state " + state + " within 30 s");
            }
            RedisServer.pause();
        }
    }

    @Override
    public void close() {
        for (final RedisServer n : nodes) {
            n.close();
        }
        RedisServer.deleteTree(dir);
    }
}
