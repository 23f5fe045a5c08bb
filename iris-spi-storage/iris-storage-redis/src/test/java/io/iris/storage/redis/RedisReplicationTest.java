package io.iris.storage.redis;

import io.iris.testsupport.Await;
import io.iris.api.storage.StorageUnavailableException;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code storage.redis.waitReplicas}: a sync returns only once enough replicas acknowledged the
 * batch ({@code WAIT}); without them it fails retryably, and the retried send is answered with its
 * original seq once a replica is back.
 */
class RedisReplicationTest {
    private static final UnsafeBuffer RECORD = new UnsafeBuffer("replicated".getBytes(StandardCharsets.UTF_8));

    @Test
    void syncWaitsForTheConfiguredReplicasAndFailsRetryablyWithoutThem() {
        try (RedisServer master = RedisServer.start();
             RedisServer replica = RedisServer.start("--replicaof", "127.0.0.1", Integer.toString(master.port()));
             TestStores stores = new TestStores(master.uri())) {
            awaitReplicas(master, replica, 1);
            try (RedisInboxStore store = stores.open(Map.of(RedisStoreConfig.WAIT_REPLICAS, "1",
                RedisStoreConfig.WAIT_TIMEOUT_MILLIS, "300", RedisStoreConfig.CONNECTIONS, "3"))) {
                assertThat(store.append("alice", "bob", 1, RECORD, 0, RECORD.capacity())).isEqualTo(1);
                assertThat(store.append("alice", "bob", 2, RECORD, 0, RECORD.capacity())).isEqualTo(2);
                store.sync();
                final String seqKey = new String(new InboxKeys(store.config().keyPrefix()).seq("alice"), StandardCharsets.UTF_8);
                assertThat(replica.command("GET " + seqKey)).as("the replica has the batch").isEqualTo("2");

                replica.kill();
                Await.until(() -> master.command("INFO replication").contains("connected_slaves:0"), 30,
                    "the master noticing its replica is gone");
                assertThat(store.append("alice", "bob", 3, RECORD, 0, RECORD.capacity())).isEqualTo(3);
                assertThatThrownBy(store::sync).isInstanceOf(StorageUnavailableException.class)
                    .hasMessageContaining("WAIT");
                // the retry finds the original (it is on the master) but still cannot be acknowledged
                assertThat(store.append("alice", "bob", 3, RECORD, 0, RECORD.capacity())).isEqualTo(-3);
                assertThatThrownBy(store::sync).isInstanceOf(StorageUnavailableException.class);

                replica.restart();
                awaitReplicas(master, replica, 1);
                Await.until(() -> {
                    try {
                        assertThat(store.append("alice", "bob", 3, RECORD, 0, RECORD.capacity())).isEqualTo(-3);
                        store.sync();
                        return true;
                    } catch (final StorageUnavailableException notYet) {
                        return false;
                    }
                }, 30, "a sync acknowledged by the restarted replica");
                assertThat(replica.command("GET " + seqKey)).isEqualTo("3");
                assertThat(store.append("alice", "bob", 4, RECORD, 0, RECORD.capacity())).isEqualTo(4);
                store.sync();
            }
        }
    }

    static void awaitReplicas(final RedisServer master, final RedisServer replica, final int replicas) {
        Await.until(() -> master.command("INFO replication").contains("connected_slaves:" + replicas)
                && replica.command("INFO replication").contains("master_link_status:up"), 30,
            "replication link up");
    }
}
