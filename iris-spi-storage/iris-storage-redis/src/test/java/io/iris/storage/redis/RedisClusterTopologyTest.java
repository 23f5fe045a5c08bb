package io.iris.storage.redis;

import io.iris.testsupport.Await;
import io.iris.api.storage.StorageUnavailableException;
import io.iris.storage.tck.StoreOptions;
import io.lettuce.core.MigrateArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.codec.ByteArrayCodec;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Redis Cluster specifics: an inbox's slot moves to another master in the middle of traffic (MIGRATING /
 * IMPORTING, MIGRATE, then MOVED for everyone) and nothing acknowledged is lost or stored twice; WAIT
 * runs on the masters.
 */
class RedisClusterTopologyTest {
    private static final StoreOptions OPTIONS = new StoreOptions(262_144, 2_592_000L, SystemEpochClock.INSTANCE);
    private static RedisCluster cluster;
    private static TestStores stores;

    @BeforeAll
    static void startCluster() {
        cluster = RedisCluster.start(3);
        stores = new TestStores(cluster.uri());
    }

    @AfterAll
    static void stopCluster() {
        if (stores != null) {
            stores.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void trafficSurvivesItsSlotsMovingBetweenMasters() throws Exception {
        final String prefix = TestStores.freshPrefix();
        final RedisInboxStore store = stores.open(OPTIONS, prefix, Map.of(RedisStoreConfig.BREAKER_OPEN_MILLIS, "50"));
        final TrafficWriter writer = new TrafficWriter(store, 4, 16, 100_000);
        final Thread thread = new Thread(writer, "slot-move-writer");
        thread.start();
        int moves = 0;
        try {
            Await.until(() -> writer.acked() >= 500, 30, "traffic before the moves");
            final InboxKeys keys = new InboxKeys(prefix);
            for (int round = 0; round < 2; round++) {
                for (final String user : writer.users()) {
                    final long before = writer.acked();
                    moveSlot(SlotHash.getSlot(keys.seq(user)), round + 1);
                    moves++;
                    Await.until(() -> writer.acked() >= before + 200, 30, "traffic after moving the slot of " + user);
                }
            }
        } finally {
            writer.stop();
            thread.join(10_000);
            store.close();
        }
        assertThat(writer.crash()).isNull();
        System.out.printf("cluster slot moves: %d moves, %d acked, %d retryable errors%n", moves, writer.acked(),
            writer.errors());
        try (RedisInboxStore fresh = stores.open(OPTIONS, prefix, Map.of())) {
            RedisOutageTest.verifyExactlyOnce(fresh, writer, writer.acknowledged());
        }
    }

    @Test
    void waitWithoutEnoughReplicasFailsTheSyncOnEveryMaster() {
        try (RedisInboxStore store = stores.open(Map.of(RedisStoreConfig.WAIT_REPLICAS, "1",
            RedisStoreConfig.WAIT_TIMEOUT_MILLIS, "50"))) {
            final UnsafeBuffer record = new UnsafeBuffer("r".getBytes(StandardCharsets.UTF_8));
            assertThat(store.append("alice", "bob", 1, record, 0, 1)).isEqualTo(1);
            assertThatThrownBy(store::sync).isInstanceOf(StorageUnavailableException.class)
                .hasMessageContaining("0 of 1 replicas");
        }
        try (RedisInboxStore store = stores.open(Map.of())) {
            final UnsafeBuffer record = new UnsafeBuffer("r".getBytes(StandardCharsets.UTF_8));
            assertThat(store.append("alice", "bob", 1, record, 0, 1)).isEqualTo(1);
            store.sync();
        }
    }

    /**
     * Moves a slot to another master the way redis-cli --cluster reshard does: IMPORTING on the
     * target, MIGRATING on the source, MIGRATE its keys, then SETSLOT NODE everywhere.
     */
    private static void moveSlot(final int slot, final int shift) {
        final List<RedisClient> clients = new ArrayList<>();
        final List<RedisCommands<byte[], byte[]>> nodes = new ArrayList<>();
        try {
            for (final RedisServer n : cluster.nodes()) {
                final RedisClient c = RedisClient.create(n.uri());
                clients.add(c);
                final StatefulRedisConnection<byte[], byte[]> conn = c.connect(ByteArrayCodec.INSTANCE);
                nodes.add(conn.sync());
            }
            int source = -1;
            for (int i = 0; i < nodes.size(); i++) {
                if (ownsSlot(nodes.get(i), slot)) {
                    source = i;
                }
            }
            assertThat(source).as("owner of slot %d", slot).isNotNegative();
            final int target = (source + shift) % nodes.size();
            final String sourceId = nodes.get(source).clusterMyId();
            final String targetId = nodes.get(target).clusterMyId();
            nodes.get(target).clusterSetSlotImporting(slot, sourceId);
            nodes.get(source).clusterSetSlotMigrating(slot, targetId);
            final int targetPort = cluster.nodes().get(target).port();
            for (List<byte[]> keys = nodes.get(source).clusterGetKeysInSlot(slot, 100); !keys.isEmpty();
                 keys = nodes.get(source).clusterGetKeysInSlot(slot, 100)) {
                nodes.get(source).migrate("127.0.0.1", targetPort, 0, 5000, MigrateArgs.Builder.keys(keys));
            }
            for (final RedisCommands<byte[], byte[]> n : nodes) {
                n.clusterSetSlotNode(slot, targetId);
            }
        } finally {
            for (final RedisClient c : clients) {
                c.shutdown();
            }
        }
    }

    private static boolean ownsSlot(final RedisCommands<byte[], byte[]> node, final int slot) {
        final String myself = node.clusterMyId();
        for (final String line : node.clusterNodes().split("\n")) {
            final String[] f = line.trim().split(" ");
            if (f.length < 9 || !f[0].equals(myself)) {
                continue;
            }
            for (int i = 8; i < f.length; i++) {
                if (f[i].startsWith("[")) {
                    continue;
                }
                final String[] range = f[i].split("-");
                final int lo = Integer.parseInt(range[0]);
                final int hi = range.length > 1 ? Integer.parseInt(range[1]) : lo;
                if (slot >= lo && slot <= hi) {
                    return true;
                }
            }
        }
        return false;
    }
}
