package io.iris.storage.redis;

import io.iris.testsupport.Await;
import io.iris.api.IrisConfig;
import io.iris.protocol.SendReceipt;
import io.iris.protocol.SendStatus;
import io.iris.api.storage.InboxStore;
import io.iris.api.storage.StorageUnavailableException;
import io.iris.engine.IrisEngine;
import io.iris.engine.inbox.StoredMessage;
import io.iris.storage.tck.StoreOptions;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Redis dies (SIGKILL) in the middle of traffic and comes back on the same port and data directory,
 * with {@code appendonly yes} and {@code appendfsync always}: nothing acknowledged is lost, callers
 * get retryable errors meanwhile (fast, once the breaker is open), and service resumes by itself.
 */
class RedisOutageTest {
    private static final String SECRET = "redis-outage-test-secret-0123456789abcdef";
    private static final StoreOptions OPTIONS = new StoreOptions(262_144, 2_592_000L, SystemEpochClock.INSTANCE);

    private static Map<String, String> outageSettings() {
        return Map.of(RedisStoreConfig.TIMEOUT_MILLIS, "1000", RedisStoreConfig.BREAKER_OPEN_MILLIS, "200",
            RedisStoreConfig.CONNECTIONS, "2");
    }

    @Test
    void noAcknowledgedAppendIsLostWhenRedisIsKilledMidTrafficAndServiceResumesByItself() throws Exception {
        try (RedisServer server = RedisServer.start("--appendonly", "yes", "--appendfsync", "always");
             TestStores stores = new TestStores(server.uri())) {
            final String prefix = TestStores.freshPrefix();
            final RedisInboxStore store = stores.open(OPTIONS, prefix, outageSettings());
            final TrafficWriter writer = new TrafficWriter(store, 8, 32, 200_000);
            final Thread thread = new Thread(writer, "outage-writer");
            thread.start();
            try {
                Await.until(() -> writer.acked() >= 2000, 30, "2000 acknowledged appends before the kill");
                final long ackedBeforeKill = writer.acked();
                final long killedAt = System.nanoTime();
                server.kill();

                // stay down for a second: the breaker's probes fail, callers keep getting fast retryable errors
                Await.until(() -> writer.errors() >= 10 && store.isUnavailable()
                        && System.nanoTime() - killedAt > TimeUnit.SECONDS.toNanos(1), 15,
                    "retryable errors and an open breaker while Redis is down");
                assertThatThrownBy(() -> store.lastSeq("anyone")).isInstanceOf(StorageUnavailableException.class);
                final long errorsWhileDown = writer.errors();
                final long ackedWhileDown = writer.acked();

                server.restart();
                final long restartedAt = System.nanoTime();
                Await.until(() -> writer.acked() >= ackedWhileDown + 2000, 30, "traffic resuming by itself");
                final long resumedAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartedAt);
                writer.stop();
                thread.join(10_000);
                assertThat(writer.crash()).isNull();

                final Map<Long, long[]> acked = writer.acknowledged();
                System.out.printf("outage (store): acked before kill %d, acked in the outage %d, errors while down %d "
                        + "(appends %d, syncs %d), down for %d ms, resumed %d ms after restart, acked in total %d, "
                        + "breaker opened %d time(s)%n",
                    ackedBeforeKill, ackedWhileDown - ackedBeforeKill, errorsWhileDown, writer.appendErrors(),
                    writer.syncErrors(), TimeUnit.NANOSECONDS.toMillis(restartedAt - killedAt), resumedAfterMillis,
                    acked.size(), store.outages());
                assertThat(ackedWhileDown - ackedBeforeKill).as("nothing acknowledged while Redis was down")
                    .isLessThanOrEqualTo(32);

                // a fresh client over the restarted server, as another node would see it
                try (RedisInboxStore fresh = stores.open(OPTIONS, prefix, Map.of())) {
                    verifyExactlyOnce(fresh, writer, acked);
                }
            } finally {
                writer.stop();
                thread.join(10_000);
                store.close();
            }
        }
    }

    @Test
    void theEngineAnswersRetryableStorageUnavailableWhileRedisIsDownAndStoresEverySendOnce() throws Exception {
        try (RedisServer server = RedisServer.start("--appendonly", "yes", "--appendfsync", "always");
             TestStores stores = new TestStores(server.uri())) {
            final String prefix = TestStores.freshPrefix();
            final StoreOptions options = OPTIONS;
            final RedisInboxStore store = stores.open(options, prefix, outageSettings());
            final IrisEngine engine = IrisEngine.builder().config(IrisConfig.of(Map.of(
                    "server.host", "127.0.0.1", "server.port", "0", "auth.jwt.secret", SECRET,
                    "storage.retryAfterMillis", "50")))
                .storage(store).start();
            final Map<Long, Long> storedSeq = new HashMap<>(); // clientMsgId -> seq
            final List<Long> toSend = new ArrayList<>();
            final int[] unavailable = {0};
            final int[] otherRetryable = {0};
            long nextId = 1;
            try {
                final long[] killedAt = {0};
                int phase = 0; // 0 before the kill, 1 while down, 2 after the restart
                long storedAtRestart = 0;
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (System.nanoTime() - deadline < 0) {
                    while (toSend.size() < 32) {
                        toSend.add(nextId++);
                    }
                    final List<CompletableFuture<SendReceipt>> futures = new ArrayList<>();
                    for (final long id : toSend) {
                        futures.add(engine.send("alice", "bob-" + (id % 4), id, ("m" + id).getBytes(StandardCharsets.UTF_8)));
                    }
                    final List<Long> retry = new ArrayList<>();
                    for (int i = 0; i < futures.size(); i++) {
                        final SendReceipt r = futures.get(i).get(10, TimeUnit.SECONDS);
                        final long id = toSend.get(i);
                        if (r.status() == SendStatus.STORED || r.status() == SendStatus.DUPLICATE) {
                            final Long before = storedSeq.put(id, r.seq());
                            if (before != null) {
                                assertThat(r.seq()).isEqualTo(before);
                            }
                        } else {
                            assertThat(r.status().isRetryable()).as("status %s", r.status()).isTrue();
                            if (r.status() == SendStatus.STORAGE_UNAVAILABLE) {
                                unavailable[0]++;
                                assertThat(r.retryAfterMillis()).isPositive();
                            } else {
                                otherRetryable[0]++;
                            }
                            retry.add(id);
                        }
                    }
                    toSend.clear();
                    toSend.addAll(retry);
                    if (phase == 0 && storedSeq.size() >= 1000) {
                        killedAt[0] = System.nanoTime();
                        server.kill();
                        phase = 1;
                    } else if (phase == 1 && unavailable[0] >= 50) {
                        server.restart();
                        storedAtRestart = storedSeq.size();
                        phase = 2;
                    } else if (phase == 2 && storedSeq.size() >= storedAtRestart + 1000 && toSend.isEmpty()) {
                        break;
                    }
                }
                assertThat(phase).as("the test reached the restart and then traffic resumed").isEqualTo(2);
                assertThat(storedSeq.size()).isGreaterThanOrEqualTo((int) storedAtRestart + 1000);
                System.out.printf("outage (engine): %d sends stored, %d STORAGE_UNAVAILABLE answers, %d other retryable%n",
                    storedSeq.size(), unavailable[0], otherRetryable[0]);
            } finally {
                engine.close(); // closes the store too
            }
            try (RedisInboxStore fresh = stores.open(options, prefix, Map.of())) {
                final Map<Long, Long> found = new HashMap<>();
                for (int u = 0; u < 4; u++) {
                    final String user = "bob-" + u;
                    final long last = fresh.lastSeq(user);
                    final long[] expectedSeq = {1};
                    fresh.read(user, 0, Integer.MAX_VALUE, (seq, buffer, offset, length) -> {
                        assertThat(seq).as("no gap in %s", user).isEqualTo(expectedSeq[0]++);
                        final byte[] p = new byte[StoredMessage.payloadLength(buffer, offset)];
                        buffer.getBytes(StoredMessage.payloadOffset(buffer, offset), p);
                        final long id = Long.parseLong(new String(p, StandardCharsets.UTF_8).substring(1));
                        assertThat(found.put(id, seq)).as("message %d stored twice", id).isNull();
                    });
                    assertThat(expectedSeq[0] - 1).isEqualTo(last);
                }
                for (final Map.Entry<Long, Long> e : storedSeq.entrySet()) {
                    assertThat(found.get(e.getKey())).as("acknowledged message %d", e.getKey()).isEqualTo(e.getValue());
                }
            }
        }
    }

    /**
     * Every acknowledged message is at its seq with its bytes, no message is stored twice, and every
     * inbox is gap-free up to its last seq.
     */
    static void verifyExactlyOnce(final InboxStore store, final TrafficWriter writer, final Map<Long, long[]> acked) {
        final String[] users = writer.users();
        final Map<Long, long[]> found = new HashMap<>();
        for (int u = 0; u < users.length; u++) {
            final int userIndex = u;
            final long last = store.lastSeq(users[u]);
            long after = 0;
            while (after < last) {
                final long[] next = {after};
                final int n = store.read(users[u], after, 500, (seq, buffer, offset, length) -> {
                    assertThat(seq).as("no gap in %s", users[userIndex]).isEqualTo(next[0] + 1);
                    next[0] = seq;
                    final long id = Long.parseLong(buffer.getStringWithoutLengthUtf8(offset, length).substring(8));
                    assertThat(found.put(id, new long[]{userIndex, seq})).as("message %d stored twice", id).isNull();
                });
                assertThat(n).as("records up to lastSeq %d of %s", last, users[u]).isPositive();
                after = next[0];
            }
        }
        for (final Map.Entry<Long, long[]> e : acked.entrySet()) {
            final long[] where = found.get(e.getKey());
            assertThat(where).as("acknowledged message %d is readable", e.getKey()).isNotNull();
            assertThat(where).as("acknowledged message %d is at its seq", e.getKey()).containsExactly(e.getValue());
        }
    }
}
