package io.iris.storage.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.ConnectionIntent;
import io.lettuce.core.resource.ClientResources;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Owns the Lettuce client (standalone or cluster) and makes {@link RedisLink}s. Lettuce's own
 * reconnection is switched off, and commands issued while disconnected are rejected at once: a
 * broken link fails everything in flight, and the store's circuit breaker decides when to connect
 * again. That keeps a write from being replayed behind the store's back after a reconnect.
 */
final class RedisConnector {
    private final RedisStoreConfig config;
    private final RedisClient client;
    private final RedisClusterClient clusterClient;

    /**
     * @param config    the settings.
     * @param resources shared Lettuce resources (event loops), or null for the client's own.
     */
    RedisConnector(final RedisStoreConfig config, final ClientResources resources) {
        this.config = config;
        final Duration timeout = Duration.ofMillis(config.timeoutMillis());
        final SocketOptions socket = SocketOptions.builder().connectTimeout(timeout).keepAlive(true).build();
        final TimeoutOptions timeouts = TimeoutOptions.enabled(timeout);
        final List<RedisURI> uris = new ArrayList<>();
        for (final RedisURI u : config.redisUris()) {
            final RedisURI copy = RedisURI.builder(u).withTimeout(timeout).build();
            uris.add(copy);
        }
        if (config.cluster()) {
            this.client = null;
            this.clusterClient = resources == null ? RedisClusterClient.create(uris)
                : RedisClusterClient.create(resources, uris);
            clusterClient.setOptions(ClusterClientOptions.builder()
                .autoReconnect(false)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(socket)
                .timeoutOptions(timeouts)
                .maxRedirects(5)
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                    .enableAllAdaptiveRefreshTriggers()
                    .adaptiveRefreshTriggersTimeout(Duration.ofMillis(100))
                    .build())
                .build());
        } else {
            this.clusterClient = null;
            this.client = resources == null ? RedisClient.create(uris.get(0)) : RedisClient.create(resources, uris.get(0));
            client.setOptions(ClientOptions.builder()
                .autoReconnect(false)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(socket)
                .timeoutOptions(timeouts)
                .build());
        }
    }

    /**
     * @return a new, connected link.
     * @throws RuntimeException if Redis cannot be reached.
     */
    RedisLink connect() {
        final int lanes = config.connections();
        if (clusterClient != null) {
            final List<StatefulRedisClusterConnection<byte[], byte[]>> connections = new ArrayList<>();
            try {
                for (int i = 0; i < lanes; i++) {
                    final StatefulRedisClusterConnection<byte[], byte[]> c = clusterClient.connect(ByteArrayCodec.INSTANCE);
                    connections.add(c);
                    // connect to every master now: a node connection still being opened rejects commands
                    for (final RedisClusterNode node : c.getPartitions()) {
                        if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
                            c.getConnection(node.getUri().getHost(), node.getUri().getPort(), ConnectionIntent.WRITE);
                        }
                    }
                }
            } catch (final RuntimeException e) {
                connections.forEach(StatefulRedisClusterConnection::close);
                throw e;
            }
            return new ClusterLink(connections);
        }
        final List<StatefulRedisConnection<byte[], byte[]>> connections = new ArrayList<>();
        try {
            for (int i = 0; i < lanes; i++) {
                connections.add(client.connect(ByteArrayCodec.INSTANCE));
            }
        } catch (final RuntimeException e) {
            connections.forEach(StatefulRedisConnection::close);
            throw e;
        }
        return new StandaloneLink(connections);
    }

    /** Releases the client (and its own event loops, if it has them). */
    void shutdown() {
        final Duration quiet = Duration.ZERO;
        final Duration timeout = Duration.ofSeconds(2);
        if (client != null) {
            client.shutdown(quiet, timeout);
        }
        if (clusterClient != null) {
            clusterClient.shutdown(quiet, timeout);
        }
    }

    /** @return the settings. */
    RedisStoreConfig config() {
        return config;
    }

    static <T> T await(final Future<T> future, final long timeoutMillis) {
        try {
            return future.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (final ExecutionException e) {
            final Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw new IllegalStateException(cause.toString(), cause);
        } catch (final TimeoutException e) {
            future.cancel(false);
            throw new IllegalStateException("no answer from Redis within " + timeoutMillis + " ms", e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Redis", e);
        }
    }

    /**
     * What both kinds of link share: a fixed set of connections, each one lane with its async commands.
     *
     * @param <C> the Lettuce connection type.
     */
    private abstract static class Lanes<C extends StatefulConnection<byte[], byte[]>> implements RedisLink {
        final List<C> connections;
        private final List<RedisClusterAsyncCommands<byte[], byte[]>> async = new ArrayList<>();

        Lanes(final List<C> connections, final Function<C, RedisClusterAsyncCommands<byte[], byte[]>> asyncOf) {
            this.connections = List.copyOf(connections);
            for (final C c : this.connections) {
                async.add(asyncOf.apply(c));
            }
        }

        @Override
        public RedisClusterAsyncCommands<byte[], byte[]> async(final int lane) {
            return async.get(lane);
        }

        @Override
        public int lanes() {
            return async.size();
        }

        @Override
        public boolean isOpen() {
            for (final C c : connections) {
                if (!c.isOpen()) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void close() {
            connections.forEach(StatefulConnection::close);
        }
    }

    /** Connections to one standalone server (or a Sentinel-managed master). */
    private static final class StandaloneLink extends Lanes<StatefulRedisConnection<byte[], byte[]>> {
        StandaloneLink(final List<StatefulRedisConnection<byte[], byte[]>> connections) {
            super(connections, StatefulRedisConnection::async);
        }

        @Override
        public void loadScripts(final String[] scripts, final long timeoutMillis) {
            final List<RedisFuture<String>> loads = new ArrayList<>();
            for (final String s : scripts) {
                loads.add(async(0).scriptLoad(s.getBytes(StandardCharsets.UTF_8))); // the cache is server-wide
            }
            for (final RedisFuture<String> f : loads) {
                await(f, timeoutMillis);
            }
        }

        @Override
        public long waitForReplicas(final int replicas, final long timeoutMillis, final long awaitMillis) {
            final List<RedisFuture<Long>> waits = new ArrayList<>();
            for (int i = 0; i < lanes(); i++) {
                final RedisClusterAsyncCommands<byte[], byte[]> lane = async(i);
                waits.add(lane.waitForReplication(replicas, timeoutMillis)); // WAIT covers its own connection's writes
            }
            long fewest = Long.MAX_VALUE;
            for (final RedisFuture<Long> w : waits) {
                fewest = Math.min(fewest, await(w, timeoutMillis + awaitMillis));
            }
            return fewest;
        }
    }

    /** Cluster connections: each with one connection per node, commands routed by slot. */
    private static final class ClusterLink extends Lanes<StatefulRedisClusterConnection<byte[], byte[]>> {
        ClusterLink(final List<StatefulRedisClusterConnection<byte[], byte[]>> connections) {
            super(connections, StatefulRedisClusterConnection::async);
        }

        @Override
        public void loadScripts(final String[] scripts, final long timeoutMillis) {
            for (final String s : scripts) {
                // the cluster API sends SCRIPT LOAD to every node
                await(connections.get(0).async().scriptLoad(s.getBytes(StandardCharsets.UTF_8)), timeoutMillis);
            }
        }

        @Override
        public long waitForReplicas(final int replicas, final long timeoutMillis, final long awaitMillis) {
            final List<RedisFuture<Long>> waits = new ArrayList<>();
            for (final StatefulRedisClusterConnection<byte[], byte[]> connection : connections) {
                for (final RedisClusterNode node : connection.getPartitions()) {
                    if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.getSlots().isEmpty()) {
                        // the same connection key (WRITE, host, port) that slot-routed writes use
                        waits.add(connection.getConnection(node.getUri().getHost(), node.getUri().getPort(),
                            ConnectionIntent.WRITE).async().waitForReplication(replicas, timeoutMillis));
                    }
                }
            }
            long fewest = Long.MAX_VALUE;
            for (final RedisFuture<Long> w : waits) {
                fewest = Math.min(fewest, await(w, timeoutMillis + awaitMillis));
            }
            return waits.isEmpty() ? 0 : fewest;
        }
    }
}
